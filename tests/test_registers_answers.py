"""An answer and a correction stay tied to what they answer (issue 30 after the walk): written for one unit and
kind only, never silently replaced by a second one, and shown beside the question or item to the reviewer and,
for the press, to the public."""

from __future__ import annotations

import pytest

from tests.test_api_statements import act, create
from tests.test_press_requests import QUESTION, _ask
from tests.test_rumours import _seen
from tests.test_web import csrf, login


def test_a_question_keeps_its_one_answer_until_that_one_is_withdrawn(app, api):
    asked = _ask(api)
    first = create(api, kind="interview", title="Trả lời lần một")
    path = f"/api/v1/press-requests/{asked['id']}/answer"
    assert api("author").post(path, json={"statement": first["id"]}).status_code == 200
    assert api("author").post(path, json={"statement": first["id"]}).status_code == 200  # the same again: no harm
    second = create(api, kind="interview", title="Trả lời lần hai")
    refused = api("author").post(path, json={"statement": second["id"]})
    assert refused.status_code == 409 and refused.json["rule"] == "answer_exists"
    assert api("author").get(f"/api/v1/press-requests/{asked['id']}").json["answer"]["statement"] == first["id"]
    author = login(app.test_client(), "author")
    page = author.get(f"/press-requests/{asked['id']}").get_data(as_text=True)
    assert "data-write-answer" not in page
    editor = author.get(f"/press-requests/{asked['id']}/answer/new")
    assert editor.status_code == 409 and "đã có câu trả lời" in editor.get_data(as_text=True)
    act(api, "author", first["id"], "withdraw", comment="Viết lại.")
    assert api("author").post(path, json={"statement": second["id"]}).status_code == 200
    assert "data-write-answer" not in author.get(f"/press-requests/{asked['id']}").get_data(as_text=True)


def test_an_item_keeps_its_one_correction_until_that_one_is_withdrawn(app, api):
    item = _seen(api)
    path = f"/api/v1/rumours/{item['id']}"
    api("spokesperson").post(f"{path}/assessment", json={"assessment": "false", "note": "Bịa đặt."})
    first, second = (create(api, kind="correction", title=f"Cải chính {n}") for n in (1, 2))
    assert api("author").post(f"{path}/links", json={"correction": first["id"]}).status_code == 200
    refused = api("author").post(f"{path}/links", json={"correction": second["id"]})
    assert refused.status_code == 409 and refused.json["rule"] == "correction_exists"
    author = login(app.test_client(), "author")
    assert "data-write-correction" not in author.get(f"/rumours/{item['id']}").get_data(as_text=True)
    assert author.get(f"/rumours/{item['id']}/correction/new").status_code == 409


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_answers_editor_fixes_unit_and_kind_and_the_question_is_shown_beside_the_answer(app, api, lang):
    asked = _ask(api)
    author = login(app.test_client(), "author", lang)
    editor = author.get(f"/press-requests/{asked['id']}/answer/new")
    html = editor.get_data(as_text=True)
    assert "data-locked" in html and '<select id="unit"' not in html and 'id="kind"' not in html
    assert QUESTION["question"] in html  # whole, not cut short
    # A form that names another unit and kind anyway (a tampered page) still writes the unit's interview answer.
    saved = author.post(f"/press-requests/{asked['id']}/answer/new", data={
        "csrf_token": csrf(editor), "form_token": f"t-{lang}", "title": "Trả lời Báo Sức khỏe",
        "body": "Tuần 46 toàn thành phố ghi nhận 312 ca sốt xuất huyết, giảm so với tuần trước.", "urgency": "normal",
        "unit": "SYT-DN", "kind": "regular"})  # fmt: skip
    assert saved.status_code == 302
    answer = api("author").get(f"/api/v1/press-requests/{asked['id']}").json["answer"]["statement"]
    shown = api("author").get(f"/api/v1/statements/{answer}").json
    assert (shown["unit"], shown["kind"]) == ("SYT-HN", "interview")

    reviewer = login(app.test_client(), "spokesperson", lang)
    page = reviewer.get(f"/statements/{answer}").get_data(as_text=True)
    assert "data-question-answered" in page and QUESTION["question"] in page and QUESTION["journalist"] in page
    assert "data-question-answered" not in login(app.test_client(), "outsider").get(f"/statements/{answer}").get_data(
        as_text=True
    )
    act(api, "author", answer, "submit")
    act(api, "spokesperson", answer, "approve")
    act(api, "spokesperson", answer, "release", channels=["website"])
    public = app.test_client().get(f"/press/{answer}", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert "data-asked" in public and QUESTION["question"] in public
    assert QUESTION["outlet"].replace("&", "&amp;") in public
    assert QUESTION["journalist"] not in public and QUESTION["contact"] not in public  # who asked stays internal


def test_a_correction_shows_the_item_it_answers_to_its_reviewer(app, api):
    item = _seen(api)
    path = f"/api/v1/rumours/{item['id']}"
    api("spokesperson").post(f"{path}/assessment", json={"assessment": "false", "note": "Bịa đặt."})
    author = login(app.test_client(), "author")
    editor = author.get(f"/rumours/{item['id']}/correction/new")
    assert "data-locked" in editor.get_data(as_text=True)
    saved = author.post(f"/rumours/{item['id']}/correction/new", data={
        "csrf_token": csrf(editor), "form_token": "c1", "title": "Cải chính thông tin sai",
        "body": "Sở Y tế khẳng định số ca cúm không tăng gấp mười như bài đăng đã nêu.",
        "urgency": "urgent"})  # fmt: skip
    assert saved.status_code == 302
    statement_id = int(saved.headers["Location"].rstrip("/").split("/")[-1])
    page = login(app.test_client(), "spokesperson").get(f"/statements/{statement_id}").get_data(as_text=True)
    assert "data-item-answered" in page and item["summary"] in page


def test_a_refused_time_limit_marks_only_the_unit_it_was_typed_for(app):
    leader = login(app.test_client(), "ministry_leader")
    page = leader.get("/press-requests")
    assert page.get_data(as_text=True).count('name="normal_days"') >= 2  # a form per unit they lead
    refused = leader.post("/press-requests/policy/SYT-HN", data={
        "normal_days": "5", "urgent_days": "9", "csrf_token": csrf(page)})  # fmt: skip
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and html.count('aria-invalid="true"') >= 1
    assert 'id="normal-SYT-HN" name="normal_days" min="1" max="90" value="5"' in html  # what was typed stays
    assert 'id="normal-BYT" name="normal_days" min="1" max="90" value="30" >' in html  # the others untouched


def test_a_forged_version_already_answered_points_the_reader_to_the_answer(app, api):
    from tests.test_rumours import BODY

    s = create(api, title="Tình hình dịch bệnh tuần 46", body=BODY)
    for who, action, extra in (("author", "submit", {}), ("spokesperson", "approve", {}),
                               ("spokesperson", "release", {"channels": ["website"]})):  # fmt: skip
        act(api, who, s["id"], action, **extra)
    fake = BODY.replace("1.245", "12.450")
    item = _seen(api, text=fake)
    path = f"/api/v1/rumours/{item['id']}"
    api("spokesperson").post(f"{path}/assessment", json={"assessment": "false", "note": "Số liệu bị sửa."})
    answer = create(api, kind="correction", title="Đính chính số ca cúm mùa tuần 46")
    api("author").post(f"{path}/links", json={"concerns": s["id"], "correction": answer["id"]})
    client = app.test_client()
    page = client.get("/press/verify")
    before = client.post("/press/verify", data={"text": fake, "csrf_token": csrf(page)}).get_data(as_text=True)
    assert 'data-verdict="altered"' in before and "data-answered-by" not in before  # not released yet
    for who, action, extra in (("author", "submit", {}), ("spokesperson", "approve", {}),
                               ("spokesperson", "release", {"channels": ["website"]})):  # fmt: skip
        act(api, who, answer["id"], action, **extra)
    after = client.post("/press/verify", data={"text": fake, "csrf_token": csrf(page)}).get_data(as_text=True)
    assert f'data-answered-by="{answer["id"]}"' in after and "Đính chính số ca cúm mùa tuần 46" in after


def test_a_refused_question_has_a_written_notice_for_the_journalist_in_vietnamese(app, api):
    asked = _ask(api)
    author = login(app.test_client(), "author", "en")
    assert author.get(f"/press-requests/{asked['id']}/refusal-notice").status_code == 404  # not refused
    r = api("spokesperson").post(f"/api/v1/press-requests/{asked['id']}/refusal", json={
        "ground": "under_investigation", "reason": "Vụ việc đang được cơ quan công an điều tra."})  # fmt: skip
    assert r.status_code == 200, r.json
    assert "data-refusal-notice" in author.get(f"/press-requests/{asked['id']}").get_data(as_text=True)
    notice = author.get(f"/press-requests/{asked['id']}/refusal-notice")
    html = notice.get_data(as_text=True)
    assert notice.status_code == 200 and '<html lang="vi">' in html  # the document is Vietnamese, whatever the UI
    for said in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Sở Y tế Hà Nội", "Bộ Y tế", "Căn cứ Điều 38 Luật Báo chí",
                 "Vụ việc đang được cơ quan công an điều tra.", f"Kính gửi: {QUESTION['journalist']}",
                 QUESTION["question"], "Người dùng spokesperson", "người phát ngôn"):  # fmt: skip
        assert said in html, said
    assert "<script>" not in html and "onclick" not in html  # the content policy allows no inline script
    assert login(app.test_client(), "outsider").get(f"/press-requests/{asked['id']}/refusal-notice").status_code == 404


def test_a_new_version_of_an_answer_keeps_its_kind_and_shows_its_question(app, api):
    asked = _ask(api)
    answer = create(api, kind="interview", title="Trả lời Báo Sức khỏe")
    api("author").post(f"/api/v1/press-requests/{asked['id']}/answer", json={"statement": answer["id"]})
    changed = api("author").post(f"/api/v1/statements/{answer['id']}/versions", json={"kind": "regular"})
    assert changed.status_code == 422 and "interview" in changed.json["errors"]["kind"][0], changed.json
    same = api("author").post(f"/api/v1/statements/{answer['id']}/versions", json={"body": "Tuần 46 có 312 ca."})
    assert same.status_code in (200, 201), same.json
    editor = login(app.test_client(), "author").get(f"/statements/{answer['id']}/edit").get_data(as_text=True)
    assert QUESTION["question"] in editor and "data-locked" in editor and 'id="kind"' not in editor
    # A statement answering nothing still changes kind freely.
    free = create(api, kind="interview", title="Chưa trả lời câu hỏi nào")
    moved = api("author").post(f"/api/v1/statements/{free['id']}/versions", json={"kind": "regular"})
    assert moved.status_code in (200, 201), moved.json


def test_the_items_page_shows_its_reports_up_and_keeps_each_forms_reason_apart(app, api):
    item = _seen(api)
    path = f"/api/v1/rumours/{item['id']}"
    api("spokesperson").post(f"{path}/assessment", json={"assessment": "beyond_authority", "note": "Của Bộ."})
    speaker = login(app.test_client(), "spokesperson")
    page = speaker.get(f"/rumours/{item['id']}")
    refused = speaker.post(f"/rumours/{item['id']}", data={"do": "report", "note": "", "csrf_token": csrf(page)})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "data-report" in html
    api("spokesperson").post(f"{path}/report", json={"note": "Thuộc thẩm quyền cấp phép của Bộ."})
    leader = login(app.test_client(), "ministry_leader").get(f"/rumours/{item['id']}").get_data(as_text=True)
    assert (
        "data-reports" in leader
        and "Thuộc thẩm quyền cấp phép của Bộ." in leader
        and "Người dùng spokesperson" in leader
    )
    assert "data-report>" not in leader and "data-report " not in leader  # nobody above the ministry: no form
    typed = speaker.post(f"/rumours/{item['id']}", data={"do": "assess", "assessment": "", "note": "Lý do riêng.",
                                                          "csrf_token": csrf(page)})  # fmt: skip
    judged_box = typed.get_data(as_text=True)
    assert judged_box.count("Lý do riêng.") == 1  # back in the judgement's box only


def test_switching_language_after_a_refused_form_returns_to_the_page_it_was_on(app):
    leader = login(app.test_client(), "ministry_leader")
    page = leader.get("/press-requests")
    leader.post("/press-requests/policy/SYT-HN", data={"normal_days": "5", "urgent_days": "9",
                                                        "csrf_token": csrf(page)},
                headers={"Referer": "http://localhost/press-requests"})  # fmt: skip
    refused = leader.post("/press-requests/policy/SYT-HN", data={"normal_days": "5", "urgent_days": "9",
                                                                  "csrf_token": csrf(page)},
                          headers={"Referer": "http://localhost/press-requests"})  # fmt: skip
    html = refused.get_data(as_text=True)
    assert "data-policy-refused" in html and "next=/press-requests" in html.replace("%2F", "/")
    switched = leader.get("/lang/en?next=/press-requests")
    assert switched.status_code == 302 and switched.location.endswith("/press-requests")
