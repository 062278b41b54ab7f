"""Notifications: who is told when a statement moves, in the app and by email over real SMTP."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from auth.models import User
from statements.notifications import mail
from statements.notifications.models import Mail, Notification
from tests.smtp import smtp_server
from tests.test_api_statements import act, create
from tests.test_web import csrf, login
from workflow.db import utcnow


@pytest.fixture
def emails(session, org):
    """Give everyone of the organisation an address (the seed gives none)."""
    for name, user in org.users.items():
        user.email = f"{name}@syt.example.vn"
    session.flush()


def told(session, statement_id: int) -> list[tuple[str, str, str]]:
    """Return (username, kind, mail state) of everyone told about the statement, in order."""
    rows = session.execute(
        sa.select(User.username, Notification.kind, Notification.mail_state)
        .join(User, User.id == Notification.user_id)
        .where(Notification.statement_id == statement_id)
        .order_by(Notification.id)
    ).all()
    return [tuple(r) for r in rows]


def test_each_decision_tells_whoever_must_act_next_and_the_outcome_to_its_writers(api, session, emails):
    s = create(api)
    assert told(session, s["id"]) == []  # a draft concerns nobody else yet
    act(api, "author", s["id"], "submit")
    assert told(session, s["id"]) == [("spokesperson", "awaits_review", "pending")]
    act(api, "spokesperson", s["id"], "escalate", comment="Cần lãnh đạo cho ý kiến.")
    assert told(session, s["id"])[1:] == [("leader", "escalated", "pending")]
    act(api, "leader", s["id"], "request_changes", comment="Bổ sung số liệu.")
    assert told(session, s["id"])[2:] == [("author", "changes_requested", "pending")]
    r = api("author").post(f"/api/v1/statements/{s['id']}/versions", json={"title": "Bản sửa", "body": "Nội dung mới."})
    assert r.status_code in (200, 201), r.json
    act(api, "author", s["id"], "submit", version=2)
    act(api, "spokesperson", s["id"], "escalate", version=2, comment="Lần nữa.")
    act(api, "leader", s["id"], "sign_off", version=2)
    assert told(session, s["id"])[-1] == ("spokesperson", "awaits_release", "pending")
    act(api, "spokesperson", s["id"], "release", version=2, channels=["website"])
    # The outcome goes to its writer; the one who decided is never told of their own decision.
    assert told(session, s["id"])[-1] == ("author", "released", "pending")


def test_a_refused_decision_tells_nobody(api, session, emails):
    s = create(api)
    act(api, "author", s["id"], "submit")
    before = told(session, s["id"])
    act(api, "author", s["id"], "approve", expect=403)  # four eyes: nobody approves their own
    act(api, "spokesperson", s["id"], "approve", version=7, expect=409)
    assert told(session, s["id"]) == before


def test_email_settings_choose_what_comes_by_email_but_not_escalations_or_urgent_items(api, session, emails):
    spokes = api("spokesperson")
    r = spokes.patch("/api/v1/notifications/settings", json={"modes": {"awaits_review": "off"}, "language": "en"})
    assert r.status_code == 200 and r.json["modes"]["awaits_review"] == "off" and r.json["language"] == "en"
    refused = api("leader").patch("/api/v1/notifications/settings", json={"modes": {"escalated": "off"}})
    assert refused.status_code == 422 and "modes" in refused.json["errors"], refused.json
    assert api("leader").patch("/api/v1/notifications/settings", json={"modes": {"x": "off"}}).status_code == 422
    normal, urgent = create(api), create(api, urgency="urgent")
    act(api, "author", normal["id"], "submit")
    act(api, "author", urgent["id"], "submit")
    assert told(session, normal["id"]) == [("spokesperson", "awaits_review", "none")]
    assert told(session, urgent["id"]) == [("spokesperson", "awaits_review", "pending")]
    # Without an address nobody is emailed, and the notification is still there in the app.
    session.execute(sa.update(User).where(User.username == "spokesperson").values(email=None))
    third = create(api, urgency="urgent")
    act(api, "author", third["id"], "submit")
    assert told(session, third["id"]) == [("spokesperson", "awaits_review", "none")]


def test_the_api_lists_marks_read_and_keeps_each_persons_own(api, session, emails):
    s = create(api)
    act(api, "author", s["id"], "submit")
    spokes = api("spokesperson")
    page = spokes.get("/api/v1/notifications").json
    assert page["total"] == 1 and page["items"][0]["statement"] == s["id"] and page["items"][0]["read_at"] is None
    item = page["items"][0]
    assert item["kind"] == "awaits_review" and item["actor"] == "author" and item["mail"]["state"] == "pending"
    assert f"#{s['id']}" in item["text"] and "SYT-HN" in item["text"]
    assert api("author").get("/api/v1/notifications").json["total"] == 0
    assert api("author").post("/api/v1/notifications/read", json={"id": item["id"]}).status_code == 404
    assert spokes.get("/api/v1/notifications?unread=true").json["total"] == 1
    assert spokes.post("/api/v1/notifications/read", json={"id": item["id"]}).json == {"marked": 1, "unread": 0}
    assert spokes.get("/api/v1/notifications?unread=true").json["total"] == 0
    assert spokes.post("/api/v1/notifications/read", json={}).json == {"marked": 0, "unread": 0}
    assert spokes.post("/api/v1/notifications/read", json={"id": "x"}).status_code == 422


def test_the_pages_show_count_open_and_set(app, api, session, emails):
    s = create(api, title="Tình hình dịch sởi")
    act(api, "author", s["id"], "submit")
    spokes = login(app.test_client(), "spokesperson")
    inbox = spokes.get("/inbox").text
    assert 'data-testid="unread-count">1<' in inbox
    page = spokes.get("/notifications").text
    assert f"Thông tin #{s['id']} của SYT-HN chờ bạn duyệt" in page and "data-unread" in page
    assert "1 thông báo" in page
    spokes.get("/lang/en")
    assert "1 notification ·" in spokes.get("/notifications").text  # one, not "1 notifications"
    spokes.get("/lang/vi")
    notification = session.scalar(sa.select(Notification.id).where(Notification.statement_id == s["id"]))
    opened = spokes.get(f"/notifications/{notification}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/statements/{s['id']}")
    assert 'data-testid="unread-count">0<' in spokes.get("/notifications").text
    assert login(app.test_client(), "author").get(f"/notifications/{notification}").status_code == 404
    settings = spokes.get("/notifications/settings")
    assert "data-mandatory" in settings.text
    r = spokes.post(
        "/notifications/settings",
        data={"language": "en", "mode-awaits_review": "off", "csrf_token": csrf(settings)},
    )
    assert r.status_code == 302
    assert api("spokesperson").get("/api/v1/notifications/settings").json["modes"]["awaits_review"] == "off"
    bad = spokes.post("/notifications/settings", data={"language": "fr", "csrf_token": csrf(settings)})
    assert bad.status_code == 422 and "Chọn một trong: Tiếng Việt, English." in bad.text
    forced = spokes.post("/notifications/settings", data={"mode-escalated": "off", "csrf_token": csrf(settings)})
    assert forced.status_code == 422 and "luôn được gửi qua thư điện tử" in forced.text


def test_mail_goes_over_smtp_in_the_readers_language_without_the_statements_text(app, api, session, emails):
    api("leader").patch("/api/v1/notifications/settings", json={"language": "en"})
    s = create(api, title="Ca tử vong nghi do sởi", body="Nội dung chưa phát hành, không được rời hệ thống.")
    act(api, "author", s["id"], "submit")
    act(api, "spokesperson", s["id"], "escalate", comment="Xin ý kiến.")
    with smtp_server() as inbox, app.app_context():
        settings = mail.SmtpSettings(
            inbox.host, inbox.port, "PressGate <noreply@syt.example.vn>", "https://pg.example.vn"
        )
        assert mail.send_due(session, settings) == 2
        assert mail.send_due(session, settings) == 0  # each mail once
    by_to = {m["To"]: m for m in inbox.messages}
    vi, en = by_to["spokesperson@syt.example.vn"], by_to["leader@syt.example.vn"]
    assert vi["Subject"] == f"[PressGate] Thông tin #{s['id']} của SYT-HN chờ bạn duyệt"
    assert en["Subject"] == f"[PressGate] Statement #{s['id']} of SYT-HN awaits your sign-off"
    for message in (vi, en):
        text = message.get_content()
        assert f"https://pg.example.vn/statements/{s['id']}" in text
        assert "tử vong" not in text and "chưa phát hành" not in text and "tử vong" not in message["Subject"]
        assert (
            message["Date"]
            and message["Message-ID"].startswith("<notification-")
            and message["Message-ID"].endswith("@pg.example.vn>")
        )
    states = {kind: state for _who, kind, state in told(session, s["id"])}
    assert states == {"awaits_review": "sent", "escalated": "sent"}


def test_mail_the_server_refuses_is_retried_later_then_given_up_and_shown(app, api, session, emails):
    s = create(api)
    act(api, "author", s["id"], "submit")
    nobody = mail.SmtpSettings("127.0.0.1", 9, "PressGate <noreply@x>", "http://x")  # nothing listens on port 9
    now = utcnow()
    with app.app_context():
        for attempt in range(len(mail.RETRY_AFTER) + 1):
            assert mail.send_due(session, nobody, now=now) == 0
            row = session.scalar(sa.select(Notification).where(Notification.statement_id == s["id"]))
            assert row.mail_attempts == attempt + 1 and row.mail_error
            if attempt < len(mail.RETRY_AFTER):
                assert row.mail_state == Mail.PENDING and row.mail_due_at == now + mail.RETRY_AFTER[attempt]
                assert mail.send_due(session, nobody, now=now) == 0 and row.mail_attempts == attempt + 1  # not yet due
                now = row.mail_due_at
    assert row.mail_state == Mail.FAILED and row.mail_due_at is None
    item = api("spokesperson").get("/api/v1/notifications").json["items"][0]
    assert item["mail"] == {"state": "failed", "sent_at": None, "attempts": len(mail.RETRY_AFTER) + 1}
