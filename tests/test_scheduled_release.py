"""Scheduled release (embargo, issue 28): the worker releases at the set time, on the scheduler's authority.

Nothing is public before; the schedule can be moved or cancelled until then; a reopened statement loses
it; and a schedule whose author may no longer release is cancelled by the system, saying why.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import time_machine

from auth.service import designate_spokesperson
from statements.lifecycle import scheduled
from statements.lifecycle.models import Statement
from statements.notifications.models import Notification
from tests.test_api_statements import act
from tests.test_notifications import told
from tests.test_web import csrf, login
from workflow.ledger import LedgerEntry

HOUR = dt.timedelta(hours=1)


def _schedule(api, sid: int, when: dt.datetime, who="spokesperson", expect=200, **extra):
    body = {"action": "schedule_release", "version": 1, "release_at": when.isoformat(), "channels": ["website"]}
    r = api(who).post(f"/api/v1/statements/{sid}/actions", json=body | extra)
    assert r.status_code == expect, r.json
    return r.json


def _run(session, at: dt.datetime) -> int:
    """Run the worker's pass at `at`, the clock moved there (the ledger stamps its entries with it)."""
    with time_machine.travel(at, tick=False):
        return scheduled.release_due(session)


def _entries(session, sid: int) -> list[LedgerEntry]:
    return list(session.scalars(sa.select(LedgerEntry).where(LedgerEntry.statement_id == sid).order_by(LedgerEntry.id)))


def test_a_scheduled_release_is_public_only_from_its_time(app, api, client, session, statement_in):
    s = statement_in("approved")
    when = dt.datetime.now(dt.UTC) + 2 * HOUR
    answer = _schedule(api, s.id, when)
    assert answer["state"] == "approved" and answer["scheduled_release"]["by"] == "spokesperson"
    assert answer["scheduled_release"]["channels"] == ["website"]
    assert {"release", "schedule_release", "cancel_schedule"} <= set(answer["allowed_actions"])
    assert answer["due_at"] is None  # nobody is late while it waits for its time
    assert _run(session, when - dt.timedelta(minutes=1)) == 0
    assert client.get(f"/api/v1/public/statements/{s.id}").status_code == 404
    assert _run(session, when + dt.timedelta(seconds=1)) == 1
    session.commit()
    assert client.get(f"/api/v1/public/statements/{s.id}").status_code == 200
    release = _entries(session, s.id)[-1]
    assert (release.action, release.actor, release.actor_id, release.to_state) == (
        "release",
        "system",
        None,
        "released",
    )
    assert release.data["on_authority_of"] == "spokesperson" and release.data["channels"] == ["website"]
    ledger_page = login(app.test_client(), "auditor").get(f"/audit/ledger?statement={s.id}").text
    assert "data-authority>theo thẩm quyền của spokesperson<" in ledger_page
    row = session.get(Statement, s.id)
    session.refresh(row)
    assert row.released_by_id == session.scalar(
        sa.select(LedgerEntry.actor_id).where(
            LedgerEntry.statement_id == s.id, LedgerEntry.action == "schedule_release"
        )
    )
    assert row.release_at is None
    assert api("auditor").get("/api/v1/ledger/verify").json["ok"]
    assert _run(session, when + HOUR) == 0  # once


def test_a_schedule_is_moved_cancelled_and_lost_on_reopening(api, session, statement_in):
    s = statement_in("approved")
    first = dt.datetime.now(dt.UTC) + HOUR
    _schedule(api, s.id, first)
    moved = _schedule(api, s.id, first + HOUR)
    assert moved["scheduled_release"]["at"].startswith((first + HOUR).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"))
    assert _entries(session, s.id)[-1].data["moved_from"] is not None
    assert act(api, "spokesperson", s.id, "cancel_schedule", expect=422)["errors"]["comment"]
    before = told(session, s.id)
    cancelled = act(api, "leader", s.id, "cancel_schedule", comment="Chờ số liệu mới.")
    assert cancelled["scheduled_release"] is None and cancelled["due_at"] is not None
    # A leader cancelled it: the spokesperson, who releases, is told it awaits release again.
    assert told(session, s.id)[len(before) :] == [("spokesperson", "awaits_release", "none")]
    assert act(api, "spokesperson", s.id, "cancel_schedule", comment="Lần nữa.", expect=409)["rule"] == "not_scheduled"
    assert _run(session, first + 3 * HOUR) == 0
    _schedule(api, s.id, first)
    before = told(session, s.id)
    act(api, "spokesperson", s.id, "cancel_schedule", comment="Dời lại.")
    assert told(session, s.id) == before  # one who releases cancelled it: nobody is told it was approved again
    _schedule(api, s.id, first)
    reopened = act(api, "spokesperson", s.id, "reopen", comment="Cần sửa số liệu.")
    assert reopened["state"] == "draft" and reopened["scheduled_release"] is None
    assert "cancelled_release_at" in _entries(session, s.id)[-1].data
    assert api("auditor").get("/api/v1/ledger/verify").json["ok"]


def test_a_schedule_whose_author_may_no_longer_release_is_cancelled_with_why(api, session, org, statement_in):
    s = statement_in("approved")
    when = dt.datetime.now(dt.UTC) + HOUR
    _schedule(api, s.id, when)
    designate_spokesperson(session, None, "SYT-HN", "drafter2")  # the scheduler is no longer the spokesperson
    session.commit()
    assert _run(session, when + dt.timedelta(minutes=1)) == 1
    session.commit()
    row = session.get(Statement, s.id)
    session.refresh(row)
    assert row.state == "approved" and row.release_at is None and row.due_at is not None
    cancel = _entries(session, s.id)[-1]
    assert (cancel.action, cancel.actor, cancel.data["why"]) == ("cancel_schedule", "system", "spokesperson_of_unit")
    assert told(session, s.id)[-1][:2] == ("drafter2", "awaits_release")  # whoever releases now
    assert api("auditor").get("/api/v1/ledger/verify").json["ok"]


def test_what_a_schedule_refuses(api, statement_in):
    s = statement_in("approved")
    now = dt.datetime.now(dt.UTC)
    assert _schedule(api, s.id, now - HOUR, expect=422)["errors"]["release_at"]
    assert _schedule(api, s.id, now + 31 * 24 * HOUR, expect=422)["errors"]["release_at"]
    r = api("spokesperson").post(
        f"/api/v1/statements/{s.id}/actions", json={"action": "schedule_release", "version": 1, "channels": ["website"]}
    )
    assert r.status_code == 422 and r.json["errors"]["release_at"]
    naive = {"action": "schedule_release", "version": 1, "release_at": "2030-01-01T09:00:00"}
    assert api("spokesperson").post(f"/api/v1/statements/{s.id}/actions", json=naive).status_code == 422
    r = api("spokesperson").post(
        f"/api/v1/statements/{s.id}/actions",
        json={"action": "reopen", "version": 1, "comment": "x", "release_at": (now + HOUR).isoformat()},
    )
    assert r.status_code == 422 and r.json["errors"]["release_at"]
    assert _schedule(api, s.id, now + HOUR, who="author", expect=403)["rule"] == "spokesperson_of_unit"
    assert _schedule(api, s.id, now + HOUR, who="leader", expect=403)["rule"] == "spokesperson_of_unit"


def test_the_page_schedules_and_shows_it(browser, statement_in, session):
    s = statement_in("approved")
    page = login(browser(), "spokesperson")
    shown = page.get(f"/statements/{s.id}")
    assert 'id="release_at"' in shown.get_data(as_text=True)
    token = csrf(shown)
    base = {"csrf_token": token, "version": "1", "action": "schedule_release", "comment": ""}
    r = page.post(f"/statements/{s.id}/act", data=base)
    assert r.status_code == 422 and 'id="release_at-error"' in r.get_data(as_text=True)
    local = (dt.datetime.now(dt.UTC) + 5 * HOUR).astimezone(dt.timezone(dt.timedelta(hours=7)))
    given = base | {"release_at": local.strftime("%Y-%m-%dT%H:%M"), "channels": "website"}
    r = page.post(f"/statements/{s.id}/act", data=given, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "data-scheduled" in text and local.strftime("%H:%M") in text
    # The writers hear nothing of a schedule; they will of the release.
    assert not session.scalars(
        sa.select(Notification).where(Notification.statement_id == s.id, Notification.kind == "released")
    ).all()
