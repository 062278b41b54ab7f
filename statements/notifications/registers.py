"""Whom the steps beside the lifecycle concern: questions from the press, items seen outside, appointments.

The press desk's and the watch's steps and the appointments are on the ledger like decisions (kinds
`press`, `watch` and `admin`), and are told from there the same way (fanout), so a step rolled back tells
nobody. They are rare beside decisions: the cursor's query says whether any is in the stretch being told,
and only then are they read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from auth.acting import pick_next, waiting_rows
from auth.models import Membership, Unit, User
from statements.notifications.models import Kind
from statements.rumours.models import WatchFocal
from workflow.ledger import EntryKind, LedgerEntry
from workflow.states import Role, State, Urgency

#: The registers' steps that ask someone to act, by the kind of notification each makes.
KIND_OF_STEP = {
    "register_press_request": Kind.PRESS_QUESTION,
    "assign_press_request": Kind.PRESS_ASSIGNED,
    "record_rumour": Kind.WATCH_RECORDED,
    "assess_rumour": Kind.WATCH_CORRECTION,
    "report_rumour": Kind.WATCH_REPORTED,
    "appoint_acting_spokesperson": Kind.ACTING_APPOINTED,
}
#: Judgements that call for a correction statement (rumours.service.link).
ANSWERED_BY_CORRECTION = ("false", "misleading")

#: The ledger's kinds of these steps' entries.
KINDS = (EntryKind.PRESS, EntryKind.WATCH, EntryKind.ADMIN)


@dataclass(frozen=True)
class Step:
    """A register's step as the fanout tells it: the same fields as a decision's entry."""

    seq: int
    at: dt.datetime
    action: str
    actor_id: int | None
    actor: str
    unit: str
    unit_id: int
    data: dict[str, Any]
    urgency: str | None
    statement_id: None = None


def steps(connection: sa.Connection, after: int, upto: int) -> list[Step]:
    """Return the registers' steps in the stretch being told that may concern someone, in the chain's order."""
    rows = connection.execute(
        sa.select(
            LedgerEntry.seq,
            LedgerEntry.at,
            LedgerEntry.action,
            LedgerEntry.actor_id,
            LedgerEntry.actor,
            LedgerEntry.unit,
            LedgerEntry.data,
            Unit.id.label("unit_id"),
        )
        .join(Unit, Unit.code == LedgerEntry.unit)
        .where(
            LedgerEntry.seq > after,
            LedgerEntry.seq <= upto,
            LedgerEntry.kind.in_(KINDS),
            LedgerEntry.action.in_(list(KIND_OF_STEP)),
        )
        .order_by(LedgerEntry.seq)
    ).all()
    return [
        Step(
            seq=row.seq,
            at=row.at,
            action=row.action,
            actor_id=row.actor_id,
            actor=row.actor,
            unit=row.unit,
            unit_id=row.unit_id,
            data=dict(row.data or {}),
            urgency=Urgency.URGENT.value if (row.data or {}).get("urgent") else None,
        )
        for row in rows
    ]


def whom(connection: sa.Connection, step: Step) -> tuple[str, set[int] | list[str]]:
    """Return the kind of notification a step makes and whom it tells (ids, or usernames), before its actor."""
    kind = KIND_OF_STEP[step.action]
    data = step.data
    if step.action == "appoint_acting_spokesperson":  # the appointee: the unit's waiting work is theirs now
        return kind, [data["username"]]
    if step.action in ("register_press_request", "assign_press_request"):
        if data.get("assigned_to"):  # given to someone: they prepare the answer
            return Kind.PRESS_ASSIGNED, [data["assigned_to"]]
        if step.action == "assign_press_request":
            return kind, set()
        # Nobody given it yet: whoever speaks for the unit sees it arrive and gives it to someone.
        return kind, _speakers(connection, step.unit_id)
    if step.action == "record_rumour":
        return kind, _focal(connection, step.unit_id) or _speakers(connection, step.unit_id)
    if step.action == "assess_rumour":
        if data.get("assessment") not in ANSWERED_BY_CORRECTION:
            return kind, set()
        # A correction is a statement: the unit's drafters write it.
        return kind, _drafters(connection, step.unit_id)
    # Reported up: the focal officer of the unit it went to, and whoever speaks for it (or its leaders,
    # or the leaders above it when it has nobody: report_up refuses a unit with nobody above at all).
    to = connection.execute(sa.select(Unit.id).where(Unit.code == data.get("to"))).scalar()
    if to is None:
        return kind, set()
    return kind, _focal(connection, to) | _speakers(connection, to)


def detail(step: Step) -> dict[str, Any]:
    """Return what a register's notification holds: the question's or the item's number (and a question's due time)."""
    if "appointment" in step.data:
        return {key: step.data[key] for key in ("appointment", "starts_at", "ends_at")}
    if "request" in step.data:
        return {"request": step.data["request"], "due_at": step.data.get("due_at")}
    return {"rumour": step.data["rumour"]}


def _speakers(connection: sa.Connection, unit_id: int) -> set[int]:
    """Return whom the unit's work waits for first: its spokespersons (acting too), else its nearest leaders."""
    return {who.user_id for who in pick_next(waiting_rows(connection, unit_id), State.IN_REVIEW.value, ())}


def _focal(connection: sa.Connection, unit_id: int) -> set[int]:
    return set(connection.execute(sa.select(WatchFocal.user_id).where(WatchFocal.unit_id == unit_id)).scalars())


def _drafters(connection: sa.Connection, unit_id: int) -> set[int]:
    return set(
        connection.execute(
            sa.select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.unit_id == unit_id, Membership.role == Role.DRAFTER.value, User.active)
        ).scalars()
    )
