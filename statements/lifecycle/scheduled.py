"""Scheduled releases (embargo): the worker releases what a spokesperson scheduled when its time comes.

The release goes through the same service and guards as one taken by hand, for the person who scheduled
it: if they may no longer release it (they lost the role, were deactivated, or signed it off themselves
since), or the approved content is no longer the content the schedule was set for, nothing is released.
The schedule is then cancelled by the system with the reason on the ledger, and the statement waits for
its release again, so whoever releases is told. Nothing is ever approved automatically.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import User
from auth.service import actor_for
from statements.lifecycle import snapshots
from statements.lifecycle.models import Statement
from statements.lifecycle.service import SYSTEM, decide, start_step
from workflow import effects, ledger
from workflow.db import utcnow
from workflow.errors import Conflict, Forbidden, Refusal
from workflow.guards import is_unit_spokesperson
from workflow.states import State

#: Statements released in one pass; the next pass (a minute later) takes the rest.
BATCH = 100


def release_due(session: Session, now: dt.datetime | None = None) -> int:
    """Release every statement whose scheduled time has come (or cancel its schedule, saying why); return how many."""
    now = now or utcnow()
    due = session.scalars(
        sa.select(Statement.id)
        .where(Statement.release_at <= now, Statement.state == State.APPROVED.value)
        .order_by(Statement.release_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)  # another worker's pass takes the others
    ).all()
    for statement_id in due:
        with session.begin_nested():  # one statement's trouble does not undo another's release
            _release_one(session, statement_id, now)
    return len(due)


def _release_one(session: Session, statement_id: int, now: dt.datetime) -> None:
    statement = snapshots.one(session, statement_id)
    if statement is None or statement.release_at is None or statement.release_at > now:
        return  # cancelled or moved since the pass looked
    user = session.get(User, statement.release_scheduled_by_id) if statement.release_scheduled_by_id else None
    try:
        if user is None or not user.active:
            raise Forbidden("scheduler_gone", "Whoever scheduled the release can no longer release it.")
        if statement.release_scheduled_hash != statement.approved_hash:
            raise Conflict("approved_content_changed", "The approved content is not what the schedule was set for.")
        authority = actor_for(session, user, via="worker")
        is_unit_spokesperson(statement, authority)  # said as such, rather than as a statement they cannot read
        with session.begin_nested():
            decide(
                session,
                statement_id,
                authority,
                "release",
                version=statement.current_version,
                channels=list(statement.release_channels or []),
                on_schedule=True,
            )
    except Refusal as refusal:
        _cancel(session, statement_id, refusal, now)


def _cancel(session: Session, statement_id: int, refusal: Refusal, now: dt.datetime) -> None:
    """Cancel the schedule as the system, with why, and start the release step afresh."""
    statement = snapshots.one(session, statement_id, for_update=True)
    assert statement is not None  # locked by the pass
    before = {key: getattr(statement, key) for key in snapshots.WRITABLE}
    data = {"cancelled_release_at": effects.unschedule(statement)}
    statement.updated_at = now
    data |= start_step(statement, now) | {"why": refusal.rule, "via": "worker"}
    entry = {
        "kind": ledger.EntryKind.DECISION,
        "action": "cancel_schedule",
        "statement_id": statement.id,
        "version": statement.current_version,
        "content_hash": statement.current.content_hash,
        "from_state": statement.state,
        "to_state": statement.state,
        "actor_id": None,
        "actor": SYSTEM,
        "role": SYSTEM,
        "unit": statement.unit.code,
        "comment": refusal.message,
        "data": data,
    }
    snapshots.write_back(session, statement, before, entry)
