"""Emergency release (issue 28): a leader releases urgent approved content, and another person reviews it.

Everyone concerned is told at once, by email whatever their settings; until the review the statement
says so; the one who released it never reviews it; sensitive content still needs its sign-off first
(only approved content can be released at all).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from auth.models import User
from statements.notifications.models import Notification, NotificationSettings
from tests.test_api_statements import act
from tests.test_web import csrf, login
from workflow.ledger import LedgerEntry

REASON = "Người phát ngôn không liên lạc được; tin đồn đang lan."


def _emergency(api, sid: int, who="leader", expect=200, **extra):
    body = {"action": "emergency_release", "version": 1, "comment": REASON, "channels": ["website"]} | extra
    r = api(who).post(f"/api/v1/statements/{sid}/actions", json=body)
    assert r.status_code == expect, r.json
    return r.json


def test_a_leader_releases_in_an_emergency_and_everyone_concerned_is_told(api, client, session, statement_in):
    s = statement_in("approved", urgency="urgent")
    author = session.scalar(sa.select(User).where(User.username == "author"))
    author.email = "author@syt-hn.example"
    session.add(NotificationSettings(user_id=author.id, language="vi", modes={"emergency_release": "off"}))
    session.commit()
    out = _emergency(api, s.id)
    assert out["state"] == "released" and out["emergency"]["released_by"] == "leader"
    assert out["emergency"]["review_due_at"] and out["emergency"]["reviewed_by"] is None
    assert client.get(f"/api/v1/public/statements/{s.id}").status_code == 200
    entry = session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.statement_id == s.id).order_by(LedgerEntry.id.desc())
    ).first()
    assert (entry.action, entry.actor, entry.role, entry.comment) == ("emergency_release", "leader", "leader", REASON)
    told = dict(
        session.execute(
            sa.select(User.username, Notification.kind)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.statement_id == s.id, Notification.kind == "emergency_release")
        ).all()
    )
    assert {"author", "spokesperson"} <= told.keys() and "leader" not in told
    # Email nobody turns off: the author asked for none, and is written to all the same.
    mail = session.scalar(
        sa.select(Notification.mail_state)
        .join(User, User.id == Notification.user_id)
        .where(Notification.statement_id == s.id, Notification.kind == "emergency_release", User.username == "author")
    )
    assert mail == "pending"


def test_what_an_emergency_release_refuses(api, statement_in):
    normal = statement_in("approved")
    assert _emergency(api, normal.id, expect=409)["rule"] == "not_urgent"
    s = statement_in("approved", urgency="urgent")
    assert _emergency(api, s.id, who="spokesperson", expect=403)["rule"] == "competent_leader"
    assert _emergency(api, s.id, who="author", expect=403)["rule"] == "competent_leader"
    assert _emergency(api, s.id, comment=None, expect=422)["errors"]["comment"]
    escalated = statement_in("escalated", urgency="urgent")
    act(api, "ministry_leader", escalated.id, "sign_off")
    # Who signed it off does not release it too, not even in an emergency.
    assert _emergency(api, escalated.id, who="ministry_leader", expect=403)["rule"] == "four_eyes_release"


def test_another_person_reviews_it_once(api, session, statement_in):
    s = statement_in("approved", urgency="urgent")
    _emergency(api, s.id)
    assert act(api, "leader", s.id, "emergency_agree", expect=403)["rule"] == "four_eyes_emergency_review"
    assert act(api, "spokesperson", s.id, "emergency_finding", expect=422)["errors"]["comment"]
    reviewed = act(api, "spokesperson", s.id, "emergency_finding", comment="Đúng quy trình, nhưng cần báo trước.")
    review = reviewed["emergency"]
    assert (review["reviewed_by"], review["outcome"], review["review_due_at"]) == ("spokesperson", "finding", None)
    # The leader who released it hears of the finding; nobody else is told anything new.
    found = (
        session.execute(
            sa.select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.statement_id == s.id, Notification.kind == "emergency_finding")
        )
        .scalars()
        .all()
    )
    assert found == ["leader"]
    again = act(api, "ministry_leader", s.id, "emergency_agree", expect=409)
    assert again["rule"] == "no_emergency_review"
    assert api("auditor").get("/api/v1/ledger/verify").json["ok"]


def test_the_page_offers_it_confirms_it_and_flags_it_until_reviewed(browser, statement_in):
    s = statement_in("approved", urgency="urgent")
    leader = login(browser(), "leader")
    page = leader.get(f"/statements/{s.id}")
    assert 'data-action="emergency_release"' in page.get_data(as_text=True)
    form = {"csrf_token": csrf(page), "version": "1", "action": "emergency_release", "comment": REASON}
    r = leader.post(f"/statements/{s.id}/act", data=form)
    assert r.status_code == 422  # no channel chosen
    r = leader.post(f"/statements/{s.id}/act", data=form | {"channels": "website"})
    assert r.status_code == 200 and 'data-confirm="emergency_release"' in r.get_data(as_text=True)
    r = leader.post(
        f"/statements/{s.id}/act", data=form | {"channels": "website", "confirmed": "1"}, follow_redirects=True
    )
    text = r.get_data(as_text=True)
    assert "data-emergency" in text and 'class="flash error"' in text
    spokesperson = login(browser(), "spokesperson")
    page = spokesperson.get(f"/statements/{s.id}")
    assert 'data-action="emergency_agree"' in page.get_data(as_text=True)
    review = {"csrf_token": csrf(page), "version": "1", "action": "emergency_agree", "comment": ""}
    text = spokesperson.post(f"/statements/{s.id}/act", data=review, follow_redirects=True).get_data(as_text=True)
    assert "data-emergency" in text and 'data-emergency class="flash error"' not in text


def test_a_scheduled_release_is_not_overridden_and_a_review_awaits_in_the_inbox(app, api, session, statement_in):
    import datetime as dt

    s = statement_in("approved", urgency="urgent")
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    scheduled = {"action": "schedule_release", "version": 1, "release_at": when, "channels": ["website"]}
    assert api("spokesperson").post(f"/api/v1/statements/{s.id}/actions", json=scheduled).status_code == 200
    mine = api("spokesperson").get("/api/v1/statements?awaiting_me=true").json["items"]
    assert s.id not in [i["id"] for i in mine]  # the worker releases it: nobody is waited on
    assert _emergency(api, s.id, expect=409)["rule"] == "release_scheduled"
    act(api, "spokesperson", s.id, "cancel_schedule", comment="Phải công bố ngay.")
    _emergency(api, s.id)
    told_before = session.scalar(sa.select(sa.func.count()).select_from(Notification))
    mine = api("spokesperson").get("/api/v1/statements?awaiting_me=true").json["items"]
    assert s.id in [i["id"] for i in mine]  # its review awaits the spokesperson...
    theirs = api("leader").get("/api/v1/statements?awaiting_me=true").json["items"]
    assert s.id not in [i["id"] for i in theirs]  # ...not the leader who released it
    inbox = login(app.test_client(), "spokesperson").get("/inbox").text  # the row says why, and until when
    assert "Phát hành khẩn cấp: chờ rà soát" in inbox and "data-review-due" in inbox
    act(api, "spokesperson", s.id, "emergency_agree")
    assert session.scalar(sa.select(sa.func.count()).select_from(Notification)) == told_before  # nobody re-told


def test_a_review_left_past_its_due_time_is_said_once_on_the_ledger_to_those_who_may_review(api, session, statement_in):
    import time_machine

    from statements.lifecycle import timeliness
    from workflow.db import utcnow
    from workflow.effects import EMERGENCY_REVIEW

    s = statement_in("approved", urgency="urgent")
    _emergency(api, s.id)
    start = utcnow()
    assert timeliness.sweep(session, start + EMERGENCY_REVIEW / 2) == 0  # not yet due
    assert timeliness.sweep(session, start + EMERGENCY_REVIEW + dt.timedelta(minutes=1)) == 1
    assert timeliness.sweep(session, start + EMERGENCY_REVIEW + dt.timedelta(hours=1)) == 0  # said once
    entry = session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.statement_id == s.id).order_by(LedgerEntry.id.desc())
    ).first()
    assert (entry.kind, entry.action, entry.actor) == ("deadline", "emergency_review_overdue", "system")
    # Who may review it: the spokesperson, and the nearest leaders but the one who released it (those above).
    assert entry.data["rule"] == "emergency_review:overdue"
    assert entry.data["told"] == ["ministry_leader", "spokesperson"]
    told = session.execute(
        sa.select(User.username, Notification.mail_state)
        .join(Notification, Notification.user_id == User.id)
        .where(Notification.statement_id == s.id, Notification.kind == "emergency_review_overdue")
    ).all()
    # The seed gives nobody an address: they are told in the app.
    assert sorted(tuple(r) for r in told) == [("ministry_leader", "none"), ("spokesperson", "none")]
    # Retracted later, it is not said again.
    act(api, "spokesperson", s.id, "retract", comment="Thông tin đã được cập nhật.")
    assert timeliness.sweep(session, start + EMERGENCY_REVIEW + dt.timedelta(hours=2)) == 0  # not again
    # Reviewed in time, nothing is said.
    other = statement_in("approved", urgency="urgent")
    _emergency(api, other.id)
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        r = api("spokesperson").post(
            f"/api/v1/statements/{other.id}/actions", json={"action": "emergency_agree", "version": 1}
        )
        assert r.status_code == 200, r.json
    assert timeliness.sweep(session, start + EMERGENCY_REVIEW * 2) == 0
