"""Rumours, fake news and corrections (issue 30): items seen outside recorded and matched with what was released,
judged by the spokesperson or a leader, answered by a correction statement, reported up when beyond the unit."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.test_api_statements import act, create
from tests.test_web import csrf, login
from workflow.ledger import LedgerEntry

BODY = (
    "Trong tuần 46 toàn tỉnh ghi nhận 1.245 ca mắc cúm mùa, giảm 8% so với tuần trước. Sở Y tế khuyến cáo người"
    " dân tiêm vắc xin cúm hằng năm, nhất là người trên 60 tuổi."
)
ITEM = {
    "unit": "SYT-HN",
    "platform": "Facebook",
    "address": "https://facebook.com/groups/tin-nong/posts/123",
    "summary": "Bài đăng nói số ca cúm tăng gấp mười, kèm ảnh giả công văn của Sở.",
    "reach": 12500,
}


def _seen(api, who: str = "author", **fields) -> dict:
    r = api(who).post("/api/v1/rumours", json=ITEM | {"first_seen_at": dt.datetime.now(dt.UTC).isoformat()} | fields)
    assert r.status_code == 201, r.json
    return r.json


@pytest.fixture
def released(api):
    s = create(api, title="Tình hình dịch bệnh tuần 46", body=BODY)
    act(api, "author", s["id"], "submit")
    act(api, "spokesperson", s["id"], "approve")
    return act(api, "spokesperson", s["id"], "release", channels=["website"])


def test_an_item_is_matched_with_what_was_released_and_its_differences_shown(api, session, released):
    fake = _seen(api, text=BODY.replace("1.245", "12.450").replace("giảm 8%", "tăng 80%"))
    assert fake["matched"]["verdict"] == "altered" and fake["matched"]["statement"] == released["id"]
    changes = {(d["released"], d["text"]) for d in fake["matched"]["differences"]}
    assert ("1.245", "12.450") in changes, changes
    true_copy = _seen(api, text=BODY)
    assert true_copy["matched"]["verdict"] == "genuine"
    nothing = _seen(api, text="Bộ Y tế yêu cầu toàn dân uống nước gừng để chữa cúm, theo công văn khẩn hôm nay.")
    assert nothing["matched"]["verdict"] == "not_issued" and _seen(api)["matched"] is None
    entry = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == "record_rumour")).first()
    assert entry.kind == "watch" and entry.data["verdict"] == "altered" and len(entry.data["text_sha256"]) == 64


def test_a_false_item_is_judged_and_answered_by_a_correction(api, session, released):
    item = _seen(api, text=BODY.replace("1.245", "12.450"))
    path = f"/api/v1/rumours/{item['id']}"
    judged = {"assessment": "false", "note": "Số liệu bị sửa từ 1.245 thành 12.450."}
    assert api("author").post(f"{path}/assessment", json=judged).status_code == 403
    early = create(api, kind="correction", title="Đính chính")
    too_soon = api("author").post(f"{path}/links", json={"correction": early["id"]})
    assert too_soon.status_code == 409 and too_soon.json["rule"] == "not_false"
    r = api("spokesperson").post(f"{path}/assessment", json=judged)
    assert r.status_code == 200 and r.json["assessment"] == "false" and r.json["assessed_by"] == "spokesperson"
    regular = create(api)
    wrong = api("author").post(f"{path}/links", json={"correction": regular["id"]})
    assert wrong.status_code == 422 and wrong.json["errors"] == {"correction": ["Not a correction statement."]}
    linked = api("author").post(f"{path}/links", json={"concerns": released["id"], "correction": early["id"]})
    assert linked.status_code == 200
    assert (
        linked.json["concerns"]["statement"] == released["id"] and linked.json["correction"]["statement"] == early["id"]
    )
    watch = sa.select(LedgerEntry.action).where(LedgerEntry.kind == "watch").order_by(LedgerEntry.id)
    entries = session.scalars(watch).all()
    assert entries == ["record_rumour", "assess_rumour", "link_rumour"]


def test_beyond_the_units_authority_it_goes_up_and_the_unit_above_sees_it(api, session, app):
    item = _seen(api)
    path = f"/api/v1/rumours/{item['id']}"
    early = api("spokesperson").post(f"{path}/report", json={"note": "Ngoài thẩm quyền."})
    assert early.status_code == 409 and early.json["rule"] == "not_beyond"
    api("spokesperson").post(
        f"{path}/assessment", json={"assessment": "beyond_authority", "note": "Vắc xin nhập khẩu."}
    )
    assert api("outsider").get(path).status_code == 404
    up = api("spokesperson").post(f"{path}/report", json={"note": "Thuộc thẩm quyền của Bộ."})
    assert up.status_code == 200 and up.json["reported_to"] == "BYT"
    entry = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == "report_rumour")).one()
    assert entry.data["from"] == "SYT-HN" and entry.data["to"] == "BYT" and entry.comment == "Thuộc thẩm quyền của Bộ."
    assert entry.role == "spokesperson"  # of the unit that held it, not of the one it went to
    inbox = login(app.test_client(), "ministry_leader").get("/inbox").get_data(as_text=True)
    assert f'data-rumour="{item["id"]}"' in inbox
    # The ministry has nobody above it.
    top = api("ministry_leader").post(f"{path}/report", json={"note": "Lên nữa."})
    assert top.status_code == 409 and top.json["rule"] == "no_unit_above"


def test_bad_input_is_refused_clearly_and_another_unit_sees_nothing(api):
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    r = api("author").post("/api/v1/rumours", json=ITEM | {"first_seen_at": future})
    assert r.status_code == 422 and "first_seen_at" in r.json["errors"]
    r = api("author").post("/api/v1/rumours", json=ITEM | {"first_seen_at": future, "reach": -1})
    assert r.status_code == 422 and "reach" in r.json["errors"]
    assert (
        api("outsider")
        .post("/api/v1/rumours", json=ITEM | {"first_seen_at": dt.datetime.now(dt.UTC).isoformat()})
        .status_code
        == 403
    )
    item = _seen(api)
    assert api("outsider").get("/api/v1/rumours").json["total"] == 0
    assert api("auditor").get("/api/v1/rumours").json["total"] == 1
    bad = api("spokesperson").post(
        f"/api/v1/rumours/{item['id']}/assessment", json={"assessment": "maybe", "note": "?"}
    )
    assert bad.status_code == 422 and "assessment" in bad.json["errors"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_pages_record_judge_and_correct_in_the_readers_language(app, api, released, lang):
    author = login(app.test_client(), "author", lang)
    page = author.get("/rumours")
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).strftime("%Y-%m-%dT%H:%M")
    form = {k: str(v) for k, v in ITEM.items()} | {
        "first_seen_at": now,
        "text": BODY.replace("1.245", "12.450"),
        "csrf_token": csrf(page),
    }
    assert author.post("/rumours", data=form | {"summary": ""}).status_code == 422
    made = author.post("/rumours", data=form)
    assert made.status_code == 302
    item_id = int(made.headers["Location"].rstrip("/").split("/")[-1])
    html = author.get(f"/rumours/{item_id}").get_data(as_text=True)
    assert 'data-match="altered"' in html and "<del>" in html and "data-assess-form" not in html
    spokesperson = login(app.test_client(), "spokesperson", lang)
    page = spokesperson.get(f"/rumours/{item_id}")
    said = "Sai sự thật" if lang == "vi" else "False"
    assert said in page.get_data(as_text=True)
    judged = spokesperson.post(
        f"/rumours/{item_id}",
        data={"do": "assess", "assessment": "false", "note": "Số liệu bị sửa.", "csrf_token": csrf(page)},
    )
    assert judged.status_code == 302
    editor = author.get(f"/rumours/{item_id}/correction/new")
    assert "data-corrects" in editor.get_data(as_text=True)
    saved = author.post(
        f"/rumours/{item_id}/correction/new",
        data={
            "csrf_token": csrf(editor),
            "form_token": "c1",
            "title": "Đính chính số liệu cúm tuần 46",
            "body": "Số ca cúm mùa tuần 46 là 1.245, không phải 12.450 như bài đăng.",
            "urgency": "urgent",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[-600:]
    correction = api("author").get(f"/api/v1/rumours/{item_id}").json["correction"]
    assert api("author").get(f"/api/v1/statements/{correction['statement']}").json["kind"] == "correction"
    assert login(app.test_client(), "outsider").get(f"/rumours/{item_id}").status_code == 404


def test_a_released_answer_to_a_false_item_stands_beside_the_statement_it_distorted(app, api, released):
    item = _seen(api, text=BODY.replace("1.245", "12.450"))
    api("spokesperson").post(
        f"/api/v1/rumours/{item['id']}/assessment", json={"assessment": "misleading", "note": "Sửa số."}
    )
    author = login(app.test_client(), "author")
    editor = author.get(f"/rumours/{item['id']}/correction/new")
    saved = author.post(
        f"/rumours/{item['id']}/correction/new",
        data={
            "csrf_token": csrf(editor),
            "form_token": "c2",
            "title": "Đính chính số liệu cúm tuần 46",
            "body": "Số ca cúm mùa tuần 46 là 1.245 ca, không phải 12.450 ca.",
            "urgency": "urgent",
        },
    )
    correction = int(saved.headers["Location"].rstrip("/").split("/")[-1])
    # It answers the item; the statement the item distorted was right, so it is not "corrected".
    assert api("author").get(f"/api/v1/statements/{correction}").json["corrects"] is None
    press = app.test_client()
    assert "data-rebutted-by" not in press.get(f"/press/{released['id']}").get_data(as_text=True)  # not yet released
    act(api, "author", correction, "submit")
    act(api, "spokesperson", correction, "approve")
    act(api, "spokesperson", correction, "release", channels=["website"])
    # The statement it is about is linked after the correction was written: the press room shows both anyway.
    api("author").post(f"/api/v1/rumours/{item['id']}/links", json={"concerns": released["id"]})
    original = press.get(f"/press/{released['id']}").get_data(as_text=True)
    assert f'data-rebutted-by="{correction}"' in original and "Đính chính số liệu cúm tuần 46" in original
    assert "data-corrected-by" not in original
    assert f'data-rebuts="{released["id"]}"' in press.get(f"/press/{correction}").get_data(as_text=True)


def test_the_leaders_dashboard_counts_what_awaits_a_judgement_or_a_correction(api):
    _seen(api)
    false = _seen(api)
    api("spokesperson").post(f"/api/v1/rumours/{false['id']}/assessment", json={"assessment": "false", "note": "Sai."})
    beyond = _seen(api)
    api("spokesperson").post(
        f"/api/v1/rumours/{beyond['id']}/assessment", json={"assessment": "beyond_authority", "note": "Của Bộ."}
    )
    api("spokesperson").post(f"/api/v1/rumours/{beyond['id']}/report", json={"note": "Thẩm quyền của Bộ."})
    board = api("leader").get("/api/v1/dashboard").json["seen_outside"]
    assert board == [
        {"unit": "SYT-HN", "unit_name": "Sở Y tế Hà Nội", "unjudged": 1, "uncorrected": 1, "reported_to_unit": 0}
    ]
    ministry = api("ministry_leader").get("/api/v1/dashboard").json["seen_outside"]
    assert {"unit": "BYT", "unit_name": "Bộ Y tế", "unjudged": 0, "uncorrected": 0, "reported_to_unit": 1} in ministry


def test_a_focal_officer_named_by_a_leader_keeps_and_triages_the_watch(app, api, session):
    assert api("author").get("/api/v1/units/SYT-HN/watch-focal").json == {"unit": "SYT-HN", "focal": None}
    assert api("outsider").get("/api/v1/units/SYT-HN/watch-focal").status_code == 404
    item = _seen(api)
    judged = {"assessment": "false", "note": "Bịa đặt."}
    # Before they are named, a drafter records but does not judge.
    refused = api("drafter2").post(f"/api/v1/rumours/{item['id']}/assessment", json=judged)
    assert refused.status_code == 403 and refused.json["rule"] == "watch_judge"
    assert api("author").put("/api/v1/units/SYT-HN/watch-focal", json={"username": "drafter2"}).status_code == 403
    wrong = api("leader").put("/api/v1/units/SYT-HN/watch-focal", json={"username": "outsider"})
    assert wrong.status_code == 422 and wrong.json["errors"] == {"username": ["Not one of the unit's press desk."]}
    named = api("leader").put("/api/v1/units/SYT-HN/watch-focal", json={"username": "drafter2"}).json
    assert named["focal"]["username"] == "drafter2" and named["focal"]["name"] == "Người dùng drafter2"
    # Named, they find the new item in their inbox and judge it; another drafter still cannot.
    inbox = login(app.test_client(), "drafter2").get("/inbox").get_data(as_text=True)
    assert f'data-rumour="{item["id"]}"' in inbox or f"/rumours/{item['id']}" in inbox
    assert api("author").post(f"/api/v1/rumours/{item['id']}/assessment", json=judged).status_code == 403
    done = api("drafter2").post(f"/api/v1/rumours/{item['id']}/assessment", json=judged)
    assert done.status_code == 200 and done.json["assessment"] == "false"
    judged = login(app.test_client(), "leader").get(f"/rumours/{item['id']}").get_data(as_text=True)
    assert "Người dùng drafter2" in judged.split("data-judgement>")[1].split("</p>")[0]
    entries = session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.action.in_(["appoint_watch_focal", "assess_rumour"]))
        .order_by(LedgerEntry.id)
    ).all()  # fmt: skip
    assert [(e.action, e.role) for e in entries] == [
        ("appoint_watch_focal", "leader"),
        ("assess_rumour", "focal_officer"),
    ]
    # The leader's page names them and offers the unit's press desk; nobody ends it.
    page = login(app.test_client(), "leader").get("/rumours")
    html = page.get_data(as_text=True)
    assert "Người dùng drafter2" in html.split("data-focal>")[1].split("</section>")[0]
    r = app.test_client()
    login(r, "leader")
    ended = r.post("/rumours/focal/SYT-HN", data={"username": "", "csrf_token": csrf(r.get("/rumours"))})
    assert ended.status_code == 302
    assert api("author").get("/api/v1/units/SYT-HN/watch-focal").json["focal"] is None
