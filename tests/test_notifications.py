"""Notifications: who is told when a statement moves, in the app and by email over real SMTP."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import sqlalchemy as sa

from auth.models import User
from statements.notifications import mail
from statements.notifications.models import Kind, Mail, Notification
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


def _send(session, settings, *, now=None, digests: bool = False) -> int:
    """Run one batch of the worker's sender (the due mail, or the digests), committing where it says."""
    from statements import jobs

    send = mail.send_digests if digests else mail.send_due
    return jobs.commit_each(session, send(session, settings, now=now))


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


def test_the_settings_offer_what_can_reach_the_person_in_their_roles(app, api, session, emails):
    def offered(name):
        page = login(app.test_client(), name).get("/notifications/settings").text
        return {kind for kind in Kind.ALL if f'data-kind="{kind}"' in page}, page

    spokesperson, _ = offered("spokesperson")
    assert {"awaits_review", "press_question", "emergency_release"} <= spokesperson
    assert not {"disclosure_opened", "escalated", "overdue_escalated", "changes_requested", "released"} & spokesperson
    leader, _ = offered("leader")  # of SYT-HN, standing in for BV-HN below it, which has no spokesperson
    assert {"escalated", "disclosure_opened", "emergency_release", "awaits_review"} <= leader
    assert not {"changes_requested", "released"} & leader
    author, _ = offered("author")
    assert {"changes_requested", "released"} <= author and not {"awaits_review", "escalated"} & author
    auditor, page = offered("auditor")
    assert auditor == set() and "data-no-kinds" in page
    # What reached someone stays offered, whatever their roles now.
    auditor_id = session.scalar(sa.select(User.id).where(User.username == "auditor"))
    session.add(Notification(user_id=auditor_id, kind=Kind.RELEASED, actor="leader", unit="SYT-HN"))
    session.flush()
    assert offered("auditor")[0] == {"released"}


def test_mail_goes_over_smtp_in_the_readers_language_without_the_statements_text(app, api, session, emails):
    api("leader").patch("/api/v1/notifications/settings", json={"language": "en"})
    s = create(api, title="Ca tử vong nghi do sởi", body="Nội dung chưa phát hành, không được rời hệ thống.")
    act(api, "author", s["id"], "submit")
    act(api, "spokesperson", s["id"], "escalate", comment="Xin ý kiến.")
    with smtp_server() as inbox, app.app_context():
        settings = mail.SmtpSettings(
            inbox.host, inbox.port, "PressGate <noreply@syt.example.vn>", "https://pg.example.vn"
        )
        assert _send(session, settings) == 2
        assert _send(session, settings) == 0  # each mail once
    by_to = {m["To"]: m for m in inbox.messages}
    vi, en = by_to["spokesperson@syt.example.vn"], by_to["leader@syt.example.vn"]
    assert vi["Subject"] == f"[PressGate] Thông tin #{s['id']} của SYT-HN chờ bạn duyệt"
    # Who caused it, named as people know each other, not by username.
    assert "Người dùng author" in vi.get_content() and "Người dùng spokesperson" in en.get_content()
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
            assert _send(session, nobody, now=now) == 0
            row = session.scalar(sa.select(Notification).where(Notification.statement_id == s["id"]))
            assert row.mail_attempts == attempt + 1 and row.mail_error
            if attempt < len(mail.RETRY_AFTER):
                assert row.mail_state == Mail.PENDING and row.mail_due_at == now + mail.RETRY_AFTER[attempt]
                assert _send(session, nobody, now=now) == 0 and row.mail_attempts == attempt + 1  # not yet due
                now = row.mail_due_at
    assert row.mail_state == Mail.FAILED and row.mail_due_at is None
    item = api("spokesperson").get("/api/v1/notifications").json["items"][0]
    assert item["mail"] == {"state": "failed", "sent_at": None, "attempts": len(mail.RETRY_AFTER) + 1}


def test_a_daily_digest_gathers_what_came_before_seven_into_one_mail(app, api, session, emails):
    import time_machine

    from tests.test_deadlines import hanoi

    r = api("spokesperson").patch(
        "/api/v1/notifications/settings", json={"modes": {"awaits_review": "digest", "awaits_release": "digest"}}
    )
    assert r.status_code == 200 and r.json["modes"]["awaits_review"] == "digest"
    with time_machine.travel(hanoi(2026, 12, 3, 15, 0), tick=False):
        first, second, urgent = create(api), create(api), create(api, urgency="urgent")
        for s in (first, second, urgent):
            act(api, "author", s["id"], "submit")
    with time_machine.travel(hanoi(2026, 12, 4, 7, 30), tick=False):
        late = create(api)
        act(api, "author", late["id"], "submit")  # after today's digest went: it waits for tomorrow's
    assert told(session, first["id"]) == [("spokesperson", "awaits_review", "digest")]
    assert told(session, urgent["id"]) == [("spokesperson", "awaits_review", "pending")]  # urgent: at once
    with smtp_server() as inbox, app.app_context():
        settings = mail.SmtpSettings(inbox.host, inbox.port, "PressGate <noreply@syt.example.vn>", "https://pg.vn")
        assert _send(session, settings, now=hanoi(2026, 12, 4, 7, 31)) == 1  # only the urgent one
        assert _send(session, settings, now=hanoi(2026, 12, 4, 6, 59), digests=True) == 0  # not yet seven
        assert _send(session, settings, now=hanoi(2026, 12, 4, 7, 31), digests=True) == 1
        assert _send(session, settings, now=hanoi(2026, 12, 4, 8, 0), digests=True) == 0  # each once
    digest = inbox.messages[-1]
    assert digest["Subject"] == "[PressGate] Bản tổng hợp hằng ngày: 2 thông báo"
    assert digest["To"] == "spokesperson@syt.example.vn" and digest["Message-ID"].startswith("<digest-")
    text = digest.get_content()
    for s in (first, second):
        assert f"https://pg.vn/statements/{s['id']}" in text and f"#{s['id']}" in text
    assert f"#{late['id']}" not in text and "Bản tin" not in text  # never a statement's text
    assert [state for _, _, state in told(session, first["id"])] == ["sent"]
    assert told(session, late["id"]) == [("spokesperson", "awaits_review", "digest")]


def test_a_digest_the_server_refuses_is_tried_again_later(app, api, session, emails):
    api("spokesperson").patch("/api/v1/notifications/settings", json={"modes": {"awaits_review": "digest"}})
    s = create(api)
    act(api, "author", s["id"], "submit")
    nobody = mail.SmtpSettings("127.0.0.1", 9, "PressGate <noreply@x>", "http://x")
    tomorrow = utcnow() + mail.dt.timedelta(days=1)
    with app.app_context():
        assert _send(session, nobody, now=tomorrow, digests=True) == 0
        row = session.scalar(sa.select(Notification).where(Notification.statement_id == s["id"]))
        assert (row.mail_state, row.mail_attempts) == (Mail.DIGEST, 1)
        assert row.mail_due_at == tomorrow + mail.RETRY_AFTER[0] and row.mail_error
        assert _send(session, nobody, now=tomorrow, digests=True) == 0 and row.mail_attempts == 1  # not yet due


def test_a_units_policy_makes_a_kind_always_emailed_whatever_its_people_chose(app, api, session, emails):
    from workflow.ledger import LedgerEntry

    spokes = api("spokesperson")
    spokes.patch("/api/v1/notifications/settings", json={"modes": {"awaits_review": "off"}})
    api("author").patch("/api/v1/notifications/settings", json={"modes": {"changes_requested": "digest"}})
    leader = api("leader")
    put = {"hours": {}, "days_off": []}
    r = leader.put("/api/v1/units/SYT-HN/deadlines", json=put | {"mandatory_mail": ["awaits_review", "escalated"]})
    assert r.status_code == 200, r.json
    assert r.json["mandatory_mail"] == [
        "awaits_review",
        "emergency_release",
        "emergency_review_overdue",
        "escalated",
        "overdue_escalated",
    ]
    entry = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == "update_deadlines")).all()[-1]
    assert entry.actor == "leader" and entry.data["mandatory_mail"] == ["awaits_review"]  # beyond everyone's
    assert spokes.get("/api/v1/notifications/settings").json["mandatory_in"] == {"awaits_review": ["SYT-HN"]}
    s = create(api)
    act(api, "author", s["id"], "submit")
    assert told(session, s["id"]) == [("spokesperson", "awaits_review", "pending")]  # off, but the unit says always
    act(api, "spokesperson", s["id"], "request_changes", comment="Bổ sung số liệu.")
    assert told(session, s["id"])[-1] == ("author", "changes_requested", "digest")  # the person's choice holds
    # Another unit's policy is its own: SYT-DN's people keep their choices.
    api("dn_spokesperson").patch("/api/v1/notifications/settings", json={"modes": {"awaits_review": "off"}})
    other = create(api, by="outsider", unit="SYT-DN")
    act(api, "outsider", other["id"], "submit")
    assert told(session, other["id"]) == [("dn_spokesperson", "awaits_review", "none")]
    bad = leader.put("/api/v1/units/SYT-HN/deadlines", json=put | {"mandatory_mail": ["gossip"]})
    assert bad.status_code == 422 and "mandatory_mail" in bad.json["errors"], bad.json
    assert api("author").put("/api/v1/units/SYT-HN/deadlines", json=put | {"mandatory_mail": []}).status_code == 403
    # The page: ticked boxes are the policy; what is unticked is no longer mandatory.
    c = login(app.test_client(), "leader")
    form = c.get("/units/SYT-HN/deadlines")
    assert 'name="mandatory_mail" value="awaits_review" checked' in form.text
    saved = c.post(
        "/units/SYT-HN/deadlines",
        data={"mail_policy": "1", "mandatory_mail": ["released"], "days_off": "", "csrf_token": csrf(form)},
    )
    assert saved.status_code == 302
    assert "released" in leader.get("/api/v1/units/SYT-HN/deadlines").json["mandatory_mail"]
    assert "awaits_review" not in leader.get("/api/v1/units/SYT-HN/deadlines").json["mandatory_mail"]
    settings = login(app.test_client(), "author").get("/notifications/settings").text  # "released" is a writer's
    assert "data-unit-mandatory" in settings and '<a href="/units/SYT-HN/deadlines">SYT-HN</a>' in settings


def test_a_disclosure_case_opened_tells_the_units_leaders_and_nobody_who_held_the_text(app, api, session, emails):
    from tests.test_disclosure import investigate

    s = create(
        api, title="Tình hình dịch sởi tuần 48", body="Toàn tỉnh ghi nhận 112 ca sởi mới, tăng so với tuần trước."
    )
    act(api, "author", s["id"], "submit")
    case = investigate(api, "Toàn tỉnh ghi nhận 112 ca sởi mới, tăng so với tuần trước.")
    rows = session.execute(
        sa.select(User.username, Notification.kind, Notification.statement_id, Notification.detail)
        .join(User, User.id == Notification.user_id)
        .where(Notification.kind == "disclosure_opened")
    ).all()
    assert [(r.username, r.statement_id, r.detail) for r in rows] == [("leader", None, {"case": case["id"]})]
    item = api("leader").get("/api/v1/notifications").json["items"][0]
    assert item["case"] == case["id"] and item["statement"] is None
    assert item["text"] == f"Vụ lộ lọt thông tin #{case['id']} về thông tin của SYT-HN đã được mở"
    c = login(app.test_client(), "leader")
    opened = c.get(f"/notifications/{item['id']}")
    assert opened.status_code == 302 and opened.location.endswith(f"/disclosures/{case['id']}")
    with smtp_server() as inbox, app.app_context():
        settings = mail.SmtpSettings(inbox.host, inbox.port, "PressGate <noreply@syt.example.vn>", "https://pg.vn")
        assert _send(session, settings) >= 1
    sent = next(m for m in inbox.messages if m["To"] == "leader@syt.example.vn")
    assert f"https://pg.vn/disclosures/{case['id']}" in sent.get_content() and "112 ca" not in sent.get_content()
    # Opened by the unit's own leader, it goes to the leaders above.
    investigate(api, "Toàn tỉnh ghi nhận 112 ca sởi mới, tăng so với tuần trước.", who="leader")
    told_now = session.scalars(
        sa.select(User.username)
        .join(Notification, Notification.user_id == User.id)
        .where(Notification.kind == "disclosure_opened")
        .order_by(Notification.id)
    ).all()
    assert told_now == ["leader", "ministry_leader"]


def test_the_worker_sends_a_backlog_batch_after_batch_in_one_wake_up(app, api, session, emails, monkeypatch):
    import contextlib

    from statements import jobs

    monkeypatch.setattr(mail, "BATCH", 2)
    for _ in range(5):
        act(api, "author", create(api)["id"], "submit")
    with smtp_server() as inbox, app.app_context():
        settings = mail.SmtpSettings(inbox.host, inbox.port, "PressGate <noreply@x>", "http://x")
        # A worker back from a crash sends what waited at once, not one batch per wake-up.
        assert jobs.send_backlog(lambda: contextlib.nullcontext(session), settings) == 5
    assert len(inbox.messages) == 5


def test_a_worker_killed_mid_batch_leaves_only_the_mail_in_flight_to_be_sent_again(
    app, api, session, emails, monkeypatch
):
    import smtplib

    for _ in range(5):
        act(api, "author", create(api)["id"], "submit")
    real_send = smtplib.SMTP.send_message
    calls = []

    def dies_on_the_third(self, message, *args, **kwargs):
        calls.append(message["Message-ID"])
        if len(calls) == 3:
            raise KeyboardInterrupt  # as SIGKILL would: nothing after this line runs
        return real_send(self, message, *args, **kwargs)

    now = utcnow()
    with smtp_server() as inbox, app.app_context():
        settings = mail.SmtpSettings(inbox.host, inbox.port, "PressGate <noreply@x>", "http://x")
        monkeypatch.setattr(smtplib.SMTP, "send_message", dies_on_the_third)
        with pytest.raises(KeyboardInterrupt):
            _send(session, settings, now=now)
        monkeypatch.setattr(smtplib.SMTP, "send_message", real_send)
        session.rollback()
        states = Counter(session.scalars(sa.select(Notification.mail_state)).all())
        assert states == {"sent": 2, "pending": 3}  # each accepted mail was recorded at once
        assert _send(session, settings, now=now + dt.timedelta(seconds=1)) == 0  # still claimed
        later = now + mail.lease_for(settings) + dt.timedelta(seconds=1)
        assert _send(session, settings, now=later) == 3  # then sent by whoever comes
    assert len(inbox.messages) == 5  # none twice: the third was never handed to the server
