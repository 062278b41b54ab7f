"""The two registers tell whom their steps concern (issue 30 after the walk): a question given to someone, an item
seen outside to judge, to correct, or reported up, in the app and by email, from the ledger like every decision."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from auth.models import User
from auth.service import create_unit, create_user, designate_spokesperson
from statements.notifications.models import Notification
from tests.conftest import PASSWORD
from tests.smtp import smtp_server
from tests.test_notifications import _send, emails  # noqa: F401 (a fixture)
from tests.test_press_requests import _ask
from tests.test_rumours import _seen
from tests.test_web import login


def _told(session, kind: str) -> list[tuple[str, dict]]:
    rows = session.execute(
        sa.select(User.username, Notification.detail, Notification.statement_id)
        .join(User, User.id == Notification.user_id)
        .where(Notification.kind == kind)
        .order_by(Notification.id, User.username)
    ).all()
    assert all(row.statement_id is None for row in rows)
    return [(row.username, row.detail) for row in rows]


def test_a_question_tells_the_spokesperson_and_then_whom_it_is_given_to(app, api, session, emails):  # noqa: F811
    asked = _ask(api)  # by a drafter, given to nobody
    assert _told(session, "press_question") == [("spokesperson", {"request": asked["id"], "due_at": asked["due_at"]})]
    r = api("spokesperson").post(f"/api/v1/press-requests/{asked['id']}/assign", json={"assignee": "drafter2"})
    assert r.status_code == 200, r.json
    assert _told(session, "press_assigned") == [("drafter2", {"request": asked["id"], "due_at": asked["due_at"]})]
    # Given to oneself: nobody is told of their own step.
    api("drafter2").post(f"/api/v1/press-requests/{asked['id']}/assign", json={"assignee": "drafter2"})
    assert len(_told(session, "press_assigned")) == 1
    # Registered already given to someone: only they are told.
    second = _ask(api, who="spokesperson", assignee="author")
    assert _told(session, "press_assigned")[-1] == ("author", {"request": second["id"], "due_at": second["due_at"]})
    assert len(_told(session, "press_question")) == 1

    item = api("drafter2").get("/api/v1/notifications").json["items"][0]
    assert item["kind"] == "press_assigned" and item["press_request"] == asked["id"] and item["statement"] is None
    assert item["text"] == f"Câu hỏi của báo chí #{asked['id']} gửi SYT-HN đã được giao cho bạn trả lời"
    assert item["details"][0].startswith("Hạn trả lời")
    page = login(app.test_client(), "drafter2")
    opened = page.get(f"/notifications/{item['id']}")
    assert opened.status_code == 302 and opened.location.endswith(f"/press-requests/{asked['id']}")
    inbox = page.get("/inbox").get_data(as_text=True)
    assert f'data-request="{asked["id"]}" data-status="open" data-mine' in inbox
    assert f'data-request="{second["id"]}" data-status="open">' in inbox  # the unit's other question, not theirs

    with smtp_server() as smtp, app.app_context():
        from statements.notifications import mail

        settings = mail.SmtpSettings(smtp.host, smtp.port, "PressGate <noreply@syt.example.vn>", "https://pg.vn")
        assert _send(session, settings) >= 3
    sent = next(m for m in smtp.messages if m["To"] == "drafter2@syt.example.vn")
    body = sent.get_content()
    assert f"https://pg.vn/press-requests/{asked['id']}" in body and "sốt xuất huyết" not in body  # no question text


def test_an_item_seen_outside_tells_its_judge_then_the_drafters_then_the_unit_above(app, api, session, emails):  # noqa: F811
    item = _seen(api)  # by a drafter: the spokesperson judges (no focal officer named)
    assert _told(session, "watch_recorded") == [("spokesperson", {"rumour": item["id"]})]
    r = api("leader").put("/api/v1/units/SYT-HN/watch-focal", json={"username": "drafter2"})
    assert r.status_code == 200, r.json
    second = _seen(api)
    assert _told(session, "watch_recorded")[-1] == ("drafter2", {"rumour": second["id"]})

    path = f"/api/v1/rumours/{item['id']}"
    api("spokesperson").post(f"{path}/assessment", json={"assessment": "true", "note": "Đúng sự thật."})
    assert _told(session, "watch_correction") == []
    api("spokesperson").post(f"{path}/assessment", json={"assessment": "false", "note": "Số liệu bị bịa."})
    assert sorted(name for name, _ in _told(session, "watch_correction")) == ["author", "drafter2"]
    inbox = login(app.test_client(), "author").get("/inbox").get_data(as_text=True)
    assert f'data-rumour="{item["id"]}" data-awaits="correct"' in inbox

    third = _seen(api)
    api("drafter2").post(
        f"/api/v1/rumours/{third['id']}/assessment", json={"assessment": "beyond_authority", "note": "Của Bộ."}
    )
    up = api("drafter2").post(f"/api/v1/rumours/{third['id']}/report", json={"note": "Thuộc thẩm quyền của Bộ."})
    assert up.status_code == 200, up.json
    assert _told(session, "watch_reported") == [("ministry_leader", {"rumour": third["id"]})]
    notice = api("ministry_leader").get("/api/v1/notifications").json["items"][0]
    assert notice["rumour"] == third["id"] and "đã được báo cáo lên đơn vị của bạn" in notice["text"]
    opened = login(app.test_client(), "ministry_leader").get(f"/notifications/{notice['id']}")
    assert opened.location.endswith(f"/rumours/{third['id']}")


def test_an_item_is_not_reported_up_to_units_where_nobody_would_see_it(api, session, org):
    create_unit(session, None, "UB-X", "Ủy ban X")
    create_unit(session, None, "TT-X", "Trung tâm Y tế X", "UB-X")
    for name, roles in (("tt_drafter", [{"unit": "TT-X", "role": "drafter"}]), ("tt_speaker", [])):
        org.users[name] = create_user(session, None, name, f"Người dùng {name}", PASSWORD, roles=roles)
    designate_spokesperson(session, None, "TT-X", "tt_speaker")
    session.flush()
    item = _seen(api, who="tt_drafter", unit="TT-X", first_seen_at=dt.datetime.now(dt.UTC).isoformat())
    path = f"/api/v1/rumours/{item['id']}"
    api("tt_speaker").post(f"{path}/assessment", json={"assessment": "beyond_authority", "note": "Ngoài thẩm quyền."})
    r = api("tt_speaker").post(f"{path}/report", json={"note": "Báo cáo lên."})
    assert r.status_code == 409 and r.json["rule"] == "nobody_above"
    assert api("tt_speaker").get(path).json["reported_to"] is None
    # Once the unit above has someone, it goes, and they are told.
    create_user(session, None, "ub_leader", "Lãnh đạo UB X", PASSWORD, roles=[{"unit": "UB-X", "role": "leader"}])
    org.users["tt_speaker"] = session.get(User, org.users["tt_speaker"].id)
    session.flush()
    assert api("tt_speaker").post(f"{path}/report", json={"note": "Báo cáo lên."}).status_code == 200
    assert _told(session, "watch_reported") == [("ub_leader", {"rumour": item["id"]})]
