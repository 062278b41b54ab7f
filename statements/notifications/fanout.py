"""Whom each decision concerns, told from the ledger: a decision's entry is the outbox of its notifications.

A decision writes its ledger entry in its own transaction, so a decision rolled back tells nobody and
one committed is never lost. Its notifications (and their mail) are written from that entry once it
has its place in the chain, in the order of the chain, each exactly once: a cursor row holds the last
entry told, and moves in the transaction that writes them. The deadline sweep's entries name whom
they remind or escalate to, and are told the same way.

Where the chain is extended inside the writing transaction (SQLite, and PostgreSQL in mode "inline"),
the notifications are written in that transaction too. Elsewhere the sealer writes them, right after
each pass that sealed a decision, in a transaction of its own and for every decision of the pass at
once: a decision's request then carries none of it (on the benchmark's two CPUs, notifications
written by each decision cost a quarter of its throughput, measured on 2026-12-04; see bench/README.md).
The worker's minute sweep (statements.jobs) catches up whatever a pass could not.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.acting import pick_next, waiting_rows
from auth.models import Unit, User
from statements.lifecycle.models import Statement, StatementVersion
from statements.notifications import registers
from statements.notifications.models import Kind, Mail, Mode, Notification, NotificationCursor, NotificationSettings
from statements.notifications.service import KIND_OF_DEADLINE, KIND_OF_STATE, MAIL_WAITING, MANDATORY, OUTCOMES
from workflow import ledger
from workflow.db import among, constant, insert_from_json, naive_utc, utcnow
from workflow.deadlines import UnitDeadlines
from workflow.ledger import EntryKind, LedgerEntry, sealing
from workflow.ledger.canonical import json_text
from workflow.states import State, Urgency

#: The kinds of entries that tell anyone.
TOLD = frozenset({EntryKind.DECISION, EntryKind.DEADLINE, EntryKind.DISCLOSURE, *registers.KINDS})
#: Decisions that tell nobody: a release scheduled (its release, or its cancellation, will), and a review
#: that agrees with an emergency release (it is on the statement's page and the ledger).
UNTOLD = ("schedule_release", "emergency_agree")
#: Entries one transaction tells at most.
BATCH = 500
#: The cursor's row: the last decision told.
DECISIONS = "decisions"

_wakers: weakref.WeakKeyDictionary[sa.Engine, Callable[[], Any]] = weakref.WeakKeyDictionary()


def wake_with(engine: sa.Engine, wake: Callable[[], Any]) -> None:
    """Call `wake` (the worker's "mail to send") after a sealer's pass wrote mail to send for `engine`."""
    _wakers[engine] = wake


@ledger.on_chained
def _chained(session: Session, kinds: frozenset[str]) -> None:
    # The entries are in their place inside the writing transaction: tell in it, before it commits.
    if kinds & TOLD:
        _, mail = tell_sealed(session.connection())
        if mail:
            session.info[MAIL_WAITING] = True  # the worker is woken once this commits (statements.jobs)


def catch_up(engine: sa.Engine) -> int:
    """Tell whom every decision sealed and not yet told concerns, a batch per transaction; return how many."""
    total = 0
    while True:
        with engine.begin() as connection:
            told, mail = tell_sealed(connection)
        if mail and (wake := _wakers.get(engine)) is not None:
            wake()
        total += told
        if told < BATCH:
            return total


@sealing.after_sealing
def _sealed(engine: sa.Engine, kinds: frozenset[str]) -> None:
    if kinds & TOLD:
        catch_up(engine)


def tell_sealed(connection: sa.Connection, limit: int = BATCH) -> tuple[int, bool]:
    """Write the notifications of the decisions sealed since the cursor (up to `limit`) and move it.

    Return how many decisions it read, and whether any mail waits to be sent. The cursor's row is
    locked for the transaction, so two processes never tell the same decision. A few statements,
    however many decisions: the cursor with the chain's head, the entries with their statements, the
    reviewers of each unit concerned, the people, the notifications, the cursor; and only when they
    are needed, the cases opened and the units' mandatory kinds.
    """
    cursor, last, cases_opened, register_steps = connection.execute(_CURSOR_AND_HEAD).one()
    if last is None or last <= cursor:
        return 0, False
    found = connection.execute(_ENTRIES, {"after": cursor, "upto": last, "limit": limit}).all()
    entries = list({row.seq: row for row in found}.values())  # a row per version's writer: one per entry
    writers: dict[int, set[int]] = {}
    for row in found:
        writers.setdefault(row.seq, {row.author_id}).add(row.writer_id)
    upto = entries[-1].seq if len(entries) == limit else last
    cases = _cases_opened(connection, cursor, upto) if cases_opened else []
    steps = registers.steps(connection, cursor, upto) if register_steps else []
    rows = _notifications(connection, entries, writers, cases, steps)
    if rows and connection.dialect.name == "postgresql":
        connection.execute(_INSERT, {"rows": json_text([_as_json(row) for row in rows])})
    elif rows:
        connection.execute(sa.insert(Notification.__table__), rows)
    connection.execute(sa.update(NotificationCursor).where(NotificationCursor.name == DECISIONS).values(seq=upto))
    return len(entries), any(row["mail_state"] == Mail.PENDING for row in rows)


#: The notifications of a pass in one statement whose text never changes (on PostgreSQL): the sealer's
#: pass tells a different number of people each time, and a multi-row VALUES was new SQL every time for
#: psycopg to convert and the server to plan (a third of the pass's CPU by sampling, 2026-12-06).
_COLUMNS = {
    "user_id": "integer",
    "statement_id": "integer",
    "kind": "varchar",
    "actor": "varchar",
    "unit": "varchar",
    "urgent": "boolean",
    "created_at": "timestamp",
    "mail_state": "varchar",
    "mail_to": "varchar",
    "mail_language": "varchar",
    "mail_attempts": "integer",
    "mail_due_at": "timestamp",
    "detail": "json",
}
_INSERT = insert_from_json(Notification.__tablename__, _COLUMNS, "rows")


def _as_json(row: dict[str, Any]) -> dict[str, Any]:
    """Return a notification row as JSON values: times as the naive UTC the columns store."""
    return row | {key: naive_utc(row[key]).isoformat() for key in ("created_at", "mail_due_at") if row[key]}


_CURSOR_AND_HEAD = (
    sa.select(
        NotificationCursor.seq,
        sa.select(sa.func.max(LedgerEntry.seq)).scalar_subquery(),
        # Whether a disclosure case was opened since: rare, so its own query runs only then.
        sa.select(LedgerEntry.id)
        .where(
            LedgerEntry.kind == EntryKind.DISCLOSURE,
            LedgerEntry.action == constant("open_case"),
            LedgerEntry.seq > NotificationCursor.seq,
        )
        .exists(),
        # And whether a register's step that tells someone was written: as rare.
        sa.select(LedgerEntry.id)
        .where(
            LedgerEntry.kind.in_(registers.KINDS),
            LedgerEntry.action.in_(list(registers.KIND_OF_STEP)),
            LedgerEntry.seq > NotificationCursor.seq,
        )
        .exists(),
    )
    .where(NotificationCursor.name == DECISIONS)
    .with_for_update(of=NotificationCursor)
)
_TOLD_ENTRIES = (
    sa.select(LedgerEntry.seq)
    .where(
        LedgerEntry.seq > sa.bindparam("after"),
        LedgerEntry.seq <= sa.bindparam("upto"),
        sa.or_(
            sa.and_(
                LedgerEntry.kind == EntryKind.DECISION,
                LedgerEntry.to_state.in_(list(KIND_OF_STATE)),
                LedgerEntry.action.not_in([constant(action) for action in UNTOLD]),
            ),
            sa.and_(LedgerEntry.kind == EntryKind.DEADLINE, LedgerEntry.action.in_(list(KIND_OF_DEADLINE))),
        ),
    )
    .order_by(LedgerEntry.seq)
    .limit(sa.bindparam("limit"))
    .subquery()
)
#: The entries to tell, each with its statement and once per writer of one of its versions.
_ENTRIES = (
    sa.select(
        LedgerEntry.seq,
        LedgerEntry.at,
        LedgerEntry.statement_id,
        LedgerEntry.action,
        LedgerEntry.to_state,
        LedgerEntry.actor_id,
        LedgerEntry.actor,
        LedgerEntry.unit,
        LedgerEntry.data,
        Statement.unit_id,
        Statement.author_id,
        Statement.escalated_by_id,
        Statement.released_by_id,
        Statement.urgency,
        StatementVersion.author_id.label("writer_id"),
    )
    .join(_TOLD_ENTRIES, _TOLD_ENTRIES.c.seq == LedgerEntry.seq)
    .join(Statement, Statement.id == LedgerEntry.statement_id)
    .join(StatementVersion, StatementVersion.statement_id == Statement.id)
    .order_by(LedgerEntry.seq)
)


def _cases_opened(connection: sa.Connection, after: int, upto: int) -> list[sa.Row[Any]]:
    """Return the disclosure cases opened in the chain's stretch being told, each with its unit's id."""
    return connection.execute(
        sa.select(
            LedgerEntry.seq,
            LedgerEntry.at,
            LedgerEntry.action,
            LedgerEntry.actor_id,
            LedgerEntry.actor,
            LedgerEntry.unit,
            LedgerEntry.data,
            LedgerEntry.statement_id,
            Unit.id.label("unit_id"),
            sa.null().label("urgency"),
        )
        .join(Unit, Unit.code == LedgerEntry.unit)
        .where(
            LedgerEntry.seq > after,
            LedgerEntry.seq <= upto,
            LedgerEntry.kind == EntryKind.DISCLOSURE,
            LedgerEntry.action == "open_case",
        )
        .order_by(LedgerEntry.seq)
    ).all()


def _notifications(
    connection: sa.Connection,
    entries: list[sa.Row[Any]],
    writers: dict[int, set[int]],
    cases: list[sa.Row[Any]],
    steps: list[registers.Step],
) -> list[dict[str, Any]]:
    """Return the notification rows the entries call for: whom each concerns, but not its actor."""
    waiting: dict[int, list[tuple[int, str, int, str]]] = {}
    told: list[tuple[Any, str, set[int] | list[str]]] = []
    for step in steps:
        kind, whom = registers.whom(connection, step)
        if isinstance(whom, set):
            whom.discard(step.actor_id)  # one who acts is not told of their own step
        elif step.actor in whom:
            whom = [name for name in whom if name != step.actor]
        if whom:
            told.append((step, kind, whom))
    for case in cases:
        # A case is told to the unit's leaders (the competent authority for what was leaked), never to
        # the others who held the text: the case may be about any of them, and must not warn them.
        if case.unit_id not in waiting:
            waiting[case.unit_id] = waiting_rows(connection, case.unit_id)
        leaders = pick_next(waiting[case.unit_id], State.ESCALATED.value, {case.actor_id})
        if people := {who.user_id for who in leaders}:
            told.append((case, Kind.DISCLOSURE_OPENED, people))
    for entry in entries:
        if entry.action in KIND_OF_DEADLINE:  # the sweep worked out whom, and wrote it on its entry
            told.append((entry, KIND_OF_DEADLINE[entry.action], list(entry.data.get("told", ()))))
            continue
        kind = KIND_OF_STATE[entry.to_state]
        if entry.action == "emergency_finding":  # the leader who released it hears what was found
            kind, people = Kind.EMERGENCY_FINDING, {entry.released_by_id}
        elif entry.action == "emergency_release":
            # Everyone concerned, at once: the writers, and whoever speaks for the unit or leads it.
            kind = Kind.EMERGENCY_RELEASE
            if entry.unit_id not in waiting:
                waiting[entry.unit_id] = waiting_rows(connection, entry.unit_id)
            speakers = pick_next(waiting[entry.unit_id], State.IN_REVIEW.value, ())
            leaders = pick_next(waiting[entry.unit_id], State.ESCALATED.value, ())
            people = set(writers[entry.seq]) | {who.user_id for who in (*speakers, *leaders)}
        elif kind in OUTCOMES:
            people = set(writers[entry.seq])
        elif kind == Kind.CHANGES_REQUESTED:
            people = {entry.author_id}
        else:  # whoever must act next, as the statement page names them
            if entry.unit_id not in waiting:
                waiting[entry.unit_id] = waiting_rows(connection, entry.unit_id)
            # The escalator may not clear their own escalation; the row says who that was, or this entry
            # does (the row holds the last escalation, which this one may be).
            escalator = {entry.actor_id} if entry.action == "escalate" else set()
            excluded = writers[entry.seq] | {entry.escalated_by_id} | escalator
            people = {who.user_id for who in pick_next(waiting[entry.unit_id], entry.to_state, excluded)}
            if entry.action == "cancel_schedule" and entry.actor_id in people:
                continue  # one who releases cancelled it and releases it; a leader's cancelling is told
        people.discard(entry.actor_id)  # one who decides is not told of their own decision
        if people:
            told.append((entry, kind, people))
    return _rows(connection, told)


def _rows(connection: sa.Connection, told: list[tuple[Any, str, set[int] | list[str]]]) -> list[dict[str, Any]]:
    """Return a row per person told (by id, or by username for the sweep's), mail pending if they take it."""
    ids = sorted({who for _, _, people in told for who in people if isinstance(who, int)})
    names = sorted({who for _, _, people in told for who in people if isinstance(who, str)})
    if not ids and not names:
        return []
    dialect = connection.dialect.name
    found = connection.execute(
        sa.select(User.id, User.username, User.email, NotificationSettings.language, NotificationSettings.modes)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(sa.or_(among(User.id, ids, dialect), among(User.username, names, dialect)), User.active)
    ).all()
    people = {row.id: row for row in found} | {row.username: row for row in found}
    # What each unit adds to the kinds always emailed at once (its deadline policy): it only overrides
    # a choice, so it is read only when someone told chose anything but email at once.
    added: dict[int, list[str]] = {}
    if any(mode != Mode.IMMEDIATE for person in found for mode in (person.modes or {}).values()):
        added = dict(
            connection.execute(
                sa.select(UnitDeadlines.unit_id, UnitDeadlines.mandatory_mail).where(
                    among(UnitDeadlines.unit_id, sorted({entry.unit_id for entry, _, _ in told}), dialect),
                    UnitDeadlines.mandatory_mail.is_not(None),
                )
            ).all()
        )
    now = utcnow()
    rows = []
    for entry, kind, whom in told:
        urgent = entry.urgency == Urgency.URGENT
        for person in sorted({people[who].id: people[who] for who in whom if who in people}.values()):
            # Urgent items and mandatory kinds (everywhere, or by the unit's policy) go at once, whatever the
            # person chose.
            forced = urgent or kind in MANDATORY or kind in (added.get(entry.unit_id) or ())
            mode = Mode.IMMEDIATE if forced else (person.modes or {}).get(kind, Mode.IMMEDIATE)
            emailed = bool(person.email) and mode != Mode.OFF
            state = (Mail.DIGEST if mode == Mode.DIGEST else Mail.PENDING) if emailed else Mail.NONE
            rows.append(
                {
                    "user_id": person.id,
                    "statement_id": entry.statement_id,
                    "kind": kind,
                    "actor": entry.actor,
                    "unit": entry.unit,
                    "urgent": urgent,
                    "created_at": entry.at,
                    "mail_state": state,
                    "mail_to": person.email if emailed else None,
                    "mail_language": person.language or "vi",
                    "mail_attempts": 0,
                    "mail_due_at": now if state == Mail.PENDING else None,
                    "detail": _detail(entry),
                }
            )
    return rows


def _detail(entry: Any) -> dict[str, Any] | None:
    """Return what a notification holds beyond its line: a deadline's due time and who is late, a case's number."""
    if isinstance(entry, registers.Step):
        return registers.detail(entry)
    if entry.action in KIND_OF_DEADLINE:
        return {"due_at": entry.data.get("due_at"), "late": list(entry.data.get("late", ()))}
    if entry.action == "open_case":
        return {"case": entry.data["case"]}
    return None
