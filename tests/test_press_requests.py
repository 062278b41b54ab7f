"""Questions from the press (issue 30): registered with the unit's deadline, answered by a released interview
statement or refused on a Press Law ground, overdue ones in the inbox and the dashboard, all on the ledger."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.test_api_statements import act, create
from tests.test_web import csrf, login
from workflow.ledger import LedgerEntry

QUESTION = {
    "unit": "SYT-HN",
    "outlet": "Báo Sức khỏe & Đời sống",
    "journalist": "Nguyễn Thu Hà",
    "contact": "ha.nguyen@suckhoedoisong.vn",
    "question": "Sở Y tế cho biết số ca sốt xuất huyết tuần 46 và các biện pháp phòng chống đang triển khai?",
}


def _ask(api, who: str = "author", days_ago: float = 0, **fields) -> dict:
    received = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    r = api(who).post("/api/v1/press-requests", json=QUESTION | {"received_at": received.isoformat()} | fields)
    assert r.status_code == 201, r.json
    return r.json


def _entries(session, action: str) -> list[LedgerEntry]:
    return list(session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == action)))


def test_a_question_is_due_by_the_units_policy_and_registered_on_the_ledger(api, session):
    asked = _ask(api)
    received, due = (dt.datetime.fromisoformat(asked[k]) for k in ("received_at", "due_at"))
    assert due - received == dt.timedelta(days=30) and asked["status"] == "open" and asked["unit"] == "SYT-HN"
    assert asked["question"] == QUESTION["question"]  # diacritics intact
    entry = _entries(session, "register_press_request")[0]
    assert entry.kind == "press" and entry.data["request"] == asked["id"] and entry.data["days"] == 30
    assert len(entry.data["question_sha256"]) == 64 and "question" not in entry.data
    # The unit's leader sets shorter limits; an urgent question gets the urgent one; the change is on the ledger.
    r = api("leader").put("/api/v1/units/SYT-HN/press-policy", json={"normal_days": 15, "urgent_days": 2})
    assert r.status_code == 200 and r.json == {"unit": "SYT-HN", "normal_days": 15, "urgent_days": 2,
                                               "set_by_unit": True}  # fmt: skip
    urgent = _ask(api, urgent=True)
    gap = dt.datetime.fromisoformat(urgent["due_at"]) - dt.datetime.fromisoformat(urgent["received_at"])
    assert gap == dt.timedelta(days=2) and _entries(session, "update_press_policy")[0].data["urgent_days"] == 2
    assert api("author").put("/api/v1/units/SYT-HN/press-policy", json={"normal_days": 5, "urgent_days": 1}
                             ).status_code == 403  # fmt: skip
    bad = api("leader").put("/api/v1/units/SYT-HN/press-policy", json={"normal_days": 5, "urgent_days": 9})
    assert bad.status_code == 422 and "urgent_days" in bad.json["errors"]


def test_an_answer_is_an_interview_statement_and_the_question_is_answered_once_it_is_released(api, session):
    asked = _ask(api)
    regular = create(api)
    refused = api("author").post(f"/api/v1/press-requests/{asked['id']}/answer", json={"statement": regular["id"]})
    assert refused.status_code == 422 and refused.json["rule"] == "answer"
    answer = create(api, kind="interview", title="Trả lời Báo Sức khỏe & Đời sống")
    linked = api("author").post(f"/api/v1/press-requests/{asked['id']}/answer", json={"statement": answer["id"]})
    assert linked.status_code == 200 and linked.json["status"] == "answering"
    assert linked.json["answer"] == {"statement": answer["id"], "state": "draft", "released_at": None}
    other = _ask(api)
    taken = api("author").post(f"/api/v1/press-requests/{other['id']}/answer", json={"statement": answer["id"]})
    assert taken.status_code == 409 and taken.json["rule"] == "answer_taken"
    act(api, "author", answer["id"], "submit")
    act(api, "spokesperson", answer["id"], "approve")
    act(api, "spokesperson", answer["id"], "release", channels=["website"])
    done = api("auditor").get(f"/api/v1/press-requests/{asked['id']}").json
    assert done["status"] == "answered" and done["answer"]["released_at"]
    # Answered, it cannot be refused; the ledger says who linked which statement.
    no = api("spokesperson").post(f"/api/v1/press-requests/{asked['id']}/refusal",
                                  json={"ground": "state_secret", "reason": "x"})  # fmt: skip
    assert no.status_code == 409 and no.json["rule"] == "answered"
    assert _entries(session, "answer_press_request")[0].statement_id == answer["id"]


def test_only_the_spokesperson_or_a_leader_refuses_and_only_on_a_ground_of_the_law(api, session):
    asked = _ask(api)
    reason = "Vụ việc đang được thanh tra, chưa có kết luận."
    body = {"ground": "inspection_or_complaint", "reason": reason}
    assert api("author").post(f"/api/v1/press-requests/{asked['id']}/refusal", json=body).status_code == 403
    unknown = api("spokesperson").post(f"/api/v1/press-requests/{asked['id']}/refusal",
                                       json={"ground": "inconvenient", "reason": reason})  # fmt: skip
    assert unknown.status_code == 422 and "ground" in unknown.json["errors"]
    r = api("spokesperson").post(f"/api/v1/press-requests/{asked['id']}/refusal", json=body)
    assert r.status_code == 200 and r.json["status"] == "refused"
    assert r.json["refusal"]["ground"] == "inspection_or_complaint" and r.json["refusal"]["by"] == "spokesperson"
    entry = _entries(session, "refuse_press_request")[0]
    assert (
        entry.comment == reason and entry.data["ground"] == "inspection_or_complaint" and entry.role == "spokesperson"
    )
    again = api("leader").post(f"/api/v1/press-requests/{asked['id']}/refusal", json=body)
    assert again.status_code == 409 and again.json["rule"] == "press_request_closed"


def test_another_units_questions_are_not_said_to_exist_and_bad_input_is_refused_clearly(api):
    asked = _ask(api)
    assert api("outsider").get(f"/api/v1/press-requests/{asked['id']}").status_code == 404
    assert api("outsider").get("/api/v1/press-requests").json["total"] == 0
    assert api("auditor").get("/api/v1/press-requests").json["total"] == 1
    assert api("outsider").post("/api/v1/press-requests", json=QUESTION | {
        "received_at": dt.datetime.now(dt.UTC).isoformat()}).status_code == 403  # fmt: skip
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    r = api("author").post("/api/v1/press-requests", json=QUESTION | {"received_at": future})
    assert r.status_code == 422 and "received_at" in r.json["errors"]
    r = api("author").post("/api/v1/press-requests", json={"unit": "SYT-HN"})
    assert r.status_code == 422 and {"outlet", "question", "received_at"} <= set(r.json["errors"])
    r = api("author").post(f"/api/v1/press-requests/{asked['id']}/assign", json={"assignee": "outsider"})
    assert r.status_code == 422 and r.json["errors"] == {"assignee": ["Not one of the unit's press desk."]}
    r = api("author").post(f"/api/v1/press-requests/{asked['id']}/assign", json={"assignee": "spokesperson"})
    assert r.status_code == 200 and r.json["assigned_to"] == "spokesperson"
    assert api("author").get("/api/v1/press-requests?status=nonsense").status_code == 422


def test_overdue_questions_are_listed_first_and_shown_in_the_inbox_and_the_dashboard(app, api):
    late = _ask(api, days_ago=31)
    fresh = _ask(api)
    listed = api("spokesperson").get("/api/v1/press-requests?status=overdue").json
    assert [r["id"] for r in listed["items"]] == [late["id"]] and listed["items"][0]["status"] == "overdue"
    everything = api("spokesperson").get("/api/v1/press-requests").json["items"]
    assert [r["id"] for r in everything] == [late["id"], fresh["id"]]  # the soonest due first
    inbox = login(app.test_client(), "spokesperson").get("/inbox").get_data(as_text=True)
    assert f'data-request="{late["id"]}" data-status="overdue"' in inbox and "Quá hạn" in inbox
    assert "data-request" not in login(app.test_client(), "outsider").get("/inbox").get_data(as_text=True)
    # The list says how late: received 31 days ago and given 30, it is a day late.
    page = login(app.test_client(), "spokesperson").get("/press-requests").get_data(as_text=True)
    assert 'Quá hạn</span> <span class="meta" data-late>1 ngày<' in page
    board = api("leader").get("/api/v1/dashboard").json["press_questions"]
    assert board == [{"unit": "SYT-HN", "unit_name": "Sở Y tế Hà Nội", "waiting": 2, "overdue": 1}]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_pages_register_answer_and_refuse_in_the_readers_language(app, api, session, lang):
    author = login(app.test_client(), "author", lang)
    page = author.get("/press-requests")
    assert page.status_code == 200
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).strftime("%Y-%m-%dT%H:%M")
    form = {k: v for k, v in QUESTION.items()} | {"received_at": now, "csrf_token": csrf(page)}
    empty = author.post("/press-requests", data=form | {"question": ""})
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.get_data(as_text=True)
    made = author.post("/press-requests", data=form)
    assert made.status_code == 302
    shown = author.get(made.headers["Location"])
    html = shown.get_data(as_text=True)
    assert QUESTION["question"] in html and "data-write-answer" in html and "data-refuse" not in html
    request_id = int(made.headers["Location"].rstrip("/").split("/")[-1])
    editor = author.get(f"/press-requests/{request_id}/answer/new")
    assert "data-answers" in editor.get_data(as_text=True)
    saved = author.post(f"/press-requests/{request_id}/answer/new", data={
        "csrf_token": csrf(editor), "form_token": "t1", "title": "Trả lời Báo Sức khỏe", "body": "Tuần 46 có 312 ca.",
        "urgency": "normal", "kind": "regular"})  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)[-800:]
    answer = api("author").get(f"/api/v1/press-requests/{request_id}").json["answer"]
    statement = api("author").get(f"/api/v1/statements/{answer['statement']}").json
    assert statement["kind"] == "interview" and statement["title"] == "Trả lời Báo Sức khỏe"
    second = _ask(api)
    spokesperson = login(app.test_client(), "spokesperson", lang)
    page = spokesperson.get(f"/press-requests/{second['id']}")
    assert "data-refuse" in page.get_data(as_text=True)
    said = "Bí mật nhà nước" if lang == "vi" else "State secrets"
    assert said in page.get_data(as_text=True)
    refusal = {"do": "refuse", "ground": "state_secret", "reason": "", "csrf_token": csrf(page)}
    missing = spokesperson.post(f"/press-requests/{second['id']}", data=refusal)
    assert missing.status_code == 422
    unconfirmed = spokesperson.post(f"/press-requests/{second['id']}", data={
        "do": "refuse", "ground": "state_secret", "reason": "Thông tin thuộc bí mật nhà nước.",
        "csrf_token": csrf(page)})  # fmt: skip
    assert unconfirmed.status_code == 422 and 'id="confirm-error"' in unconfirmed.get_data(as_text=True)
    done = spokesperson.post(f"/press-requests/{second['id']}", data={
        "do": "refuse", "ground": "state_secret", "reason": "Thông tin thuộc bí mật nhà nước.", "confirm": "1",
        "csrf_token": csrf(page)})  # fmt: skip
    assert done.status_code == 302
    after = spokesperson.get(f"/press-requests/{second['id']}").get_data(as_text=True)
    assert 'data-status="refused"' in after and "Thông tin thuộc bí mật nhà nước." in after
    refused_by = after.split("data-refusal")[1].split("</p>")[0]
    assert "Người dùng spokesperson" in refused_by, refused_by  # people named by name on pages
    assert login(app.test_client(), "outsider").get(f"/press-requests/{second['id']}").status_code == 404
