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
from auth.models import User
from statements.lifecycle.models import Statement, StatementVersion
from statements.notifications.models import Kind, Mail, Mode, Notification, NotificationCursor, NotificationSettings
from statements.notifications.service import KIND_OF_DEADLINE, KIND_OF_STATE, MAIL_WAITING, MANDATORY, OUTCOMES
from workflow import ledger
from workflow.db import utcnow
from workflow.ledger import EntryKind, LedgerEntry, head, sealing
from workflow.states import Urgency

#: The kinds of entries that tell anyone.
TOLD = frozenset({EntryKind.DECISION, EntryKind.DEADLINE})
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
    locked for the transaction, so two processes never tell the same decision.
    """
    cursor = connection.execute(
        sa.select(NotificationCursor.seq).where(NotificationCursor.name == DECISIONS).with_for_update()
    ).scalar_one()
    last, _ = head(connection)
    if last <= cursor:
        return 0, False
    entries = connection.execute(
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
        )
        .where(
            LedgerEntry.seq > cursor,
            LedgerEntry.seq <= last,
            sa.or_(
                sa.and_(LedgerEntry.kind == EntryKind.DECISION, LedgerEntry.to_state.in_(list(KIND_OF_STATE))),
                sa.and_(LedgerEntry.kind == EntryKind.DEADLINE, LedgerEntry.action.in_(list(KIND_OF_DEADLINE))),
            ),
        )
        .order_by(LedgerEntry.seq)
        .limit(limit)
    ).all()
    rows = _notifications(connection, entries)
    mail = False
    if rows:
        # With RETURNING, SQLAlchemy sends the rows as one multi-row INSERT rather than an INSERT per row.
        table = Notification.__table__
        mail = Mail.PENDING in connection.execute(sa.insert(table).returning(table.c.mail_state), rows).scalars().all()
    upto = entries[-1].seq if len(entries) == limit else last
    connection.execute(sa.update(NotificationCursor).where(NotificationCursor.name == DECISIONS).values(seq=upto))
    return len(entries), mail


def _notifications(connection: sa.Connection, entries: list[sa.Row[Any]]) -> list[dict[str, Any]]:
    """Return the notification rows the entries' decisions call for: whom each concerns, but not its actor."""
    ids = sorted({entry.statement_id for entry in entries})
    if not ids:
        return []
    statements = {
        row.id: row
        for row in connection.execute(
            sa.select(
                Statement.id, Statement.unit_id, Statement.author_id, Statement.escalated_by_id, Statement.urgency
            ).where(Statement.id.in_(ids))
        )
    }
    writers: dict[int, set[int]] = {}
    versions = sa.select(StatementVersion.statement_id, StatementVersion.author_id).where(
        StatementVersion.statement_id.in_(ids)
    )
    for statement_id, author_id in connection.execute(versions.distinct()):
        writers.setdefault(statement_id, set()).add(author_id)
    waiting: dict[int, list[tuple[int, str, int, str]]] = {}
    told: list[tuple[sa.Row[Any], str, set[int]]] = []
    named = _named(connection, entries)
    for entry in entries:
        statement = statements[entry.statement_id]
        if entry.action in KIND_OF_DEADLINE:  # the sweep worked out whom, and wrote it on its entry
            people = {named[name] for name in entry.data.get("told", ()) if name in named}
            told.append((entry, KIND_OF_DEADLINE[entry.action], people))
            continue
        kind = KIND_OF_STATE[entry.to_state]
        wrote = {statement.author_id, *writers.get(statement.id, ())}
        if kind in OUTCOMES:
            people = wrote
        elif kind == Kind.CHANGES_REQUESTED:
            people = {statement.author_id}
        else:  # whoever must act next, as the statement page names them
            if statement.unit_id not in waiting:
                waiting[statement.unit_id] = waiting_rows(connection, statement.unit_id)
            # The escalator may not clear their own escalation; the row already says who that was, or this
            # entry does (the row holds the last escalation, which this one may be).
            excluded = wrote | {statement.escalated_by_id} | ({entry.actor_id} if entry.action == "escalate" else set())
            people = {who.user_id for who in pick_next(waiting[statement.unit_id], entry.to_state, excluded)}
        people.discard(entry.actor_id)  # one who decides is not told of their own decision
        if people:
            told.append((entry, kind, people))
    return _rows(connection, told, statements)


def _named(connection: sa.Connection, entries: list[sa.Row[Any]]) -> dict[str, int]:
    """Return the ids of the people the deadline entries name."""
    names = {name for entry in entries if entry.action in KIND_OF_DEADLINE for name in entry.data.get("told", ())}
    if not names:
        return {}
    return dict(connection.execute(sa.select(User.username, User.id).where(User.username.in_(sorted(names)))).all())


def _rows(
    connection: sa.Connection, told: list[tuple[sa.Row[Any], str, set[int]]], statements: dict[int, sa.Row[Any]]
) -> list[dict[str, Any]]:
    """Return a row per person told, with their mail pending when they take email of its kind."""
    everyone = sorted({user_id for _, _, people in told for user_id in people})
    if not everyone:
        return []
    people = {
        row.id: row
        for row in connection.execute(
            sa.select(User.id, User.email, NotificationSettings.language, NotificationSettings.modes)
            .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
            .where(User.id.in_(everyone), User.active)
        )
    }
    now = utcnow()
    rows = []
    for entry, kind, ids in told:
        urgent = statements[entry.statement_id].urgency == Urgency.URGENT
        for user_id in sorted(ids):
            person = people.get(user_id)
            if person is None:  # no longer active
                continue
            emailed = bool(person.email) and (
                urgent or kind in MANDATORY or (person.modes or {}).get(kind, Mode.IMMEDIATE) != Mode.OFF
            )
            rows.append(
                {
                    "user_id": user_id,
                    "statement_id": entry.statement_id,
                    "kind": kind,
                    "actor": entry.actor,
                    "unit": entry.unit,
                    "urgent": urgent,
                    "created_at": entry.at,
                    "mail_state": Mail.PENDING if emailed else Mail.NONE,
                    "mail_to": person.email if emailed else None,
                    "mail_language": person.language or "vi",
                    "mail_attempts": 0,
                    "mail_due_at": now if emailed else None,
                }
            )
    return rows
