"""The deadline sweep: remind, say a step is overdue, escalate it; each an entry on the ledger by the system.

Each open step carries `next_check_at`, the next moment the sweep must look at it (set by the decision
that starts the step, at its reminder's time) and `due_stage`, how far it has gone:

0. at the reminder's time (a share of the step's time): whoever must act is reminded;
1. at the due time: they are told it is overdue;
2. past the due time by the unit's grace: the unit's leaders (or, when the leaders are the ones late,
   the leaders of the unit above) are told, as an escalation;
3. past that by the grace again: the leaders one level further up.

Nothing is ever approved or released here: the sweep only tells people, by saying so on the ledger
(kind `deadline`, by the system, naming the rule that fired and whom it tells; the notifications are
written from that entry, as a decision's are). It takes its statements with SKIP
LOCKED, so two workers never handle one, and a statement being decided is left for the next sweep.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.acting import (
    AUTHOR_STATES,
    NextActor,
    Speakers,
    acts_next,
    pick_next,
    read_speakers,
    waiting_rows,
)
from auth.models import User
from statements.lifecycle import snapshots
from statements.lifecycle.models import Statement
from workflow import ledger
from workflow.db import among, isoformat, utcnow
from workflow.deadlines import STEPS, Policy, UnitDeadlines
from workflow.states import State

#: Statements handled per sweep: the rest wait for the next minute's.
BATCH = 200
#: What each stage records on the ledger; whom its entry names are told (statements.notifications.fanout).
STAGES = {0: "deadline_reminder", 1: "deadline_overdue", 2: "deadline_escalation", 3: "deadline_escalation"}


def sweep(session: Session, now: dt.datetime | None = None) -> int:
    """Take the next stage of every statement whose check has come; return how many were handled.

    A fixed number of SQL statements for the batch (the statements, their versions, their units'
    policies, the names told, the entries, the next checks), and one more per unit whose reviewers it asks.
    """
    now = now or utcnow()
    due = session.scalars(
        sa.select(Statement.id)
        .where(
            Statement.next_check_at <= now,
            sa.or_(Statement.state.in_(list(STEPS)), Statement.emergency_review_due_at.is_not(None)),
        )
        .order_by(Statement.next_check_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return 0
    statements = snapshots.several(session, due)
    batch = _Batch(session, statements)
    for statement in statements:
        if statement.state not in STEPS:  # an emergency release whose review is due
            _review_overdue(batch, statement)
        else:
            _next_stage(batch, statement, now)
    batch.write()
    return len(due)


class _Batch:
    """What a sweep reads once for all its statements, and the entries and next checks it writes at the end."""

    def __init__(self, session: Session, statements: list[snapshots.StatementView]) -> None:
        self.session = session
        self.speakers = read_speakers(session)
        dialect = session.get_bind().dialect.name
        units = sorted({s.unit_id for s in statements})
        found = session.scalars(sa.select(UnitDeadlines).where(among(UnitDeadlines.unit_id, units, dialect))).all()
        stored = {row.unit_id: row for row in found}
        self.policies = {unit: Policy.of(stored.get(unit)) for unit in units}
        authors = sorted({s.author_id for s in statements if s.state in AUTHOR_STATES})
        self.authors: dict[int, str] = (
            dict(session.execute(sa.select(User.id, User.full_name).where(among(User.id, authors, dialect))).all())
            if authors
            else {}
        )
        self._waiting: dict[int, list[tuple[int, str, int, str]]] = {}
        self.said: list[tuple[snapshots.StatementView, str, int | None, dict[str, Any], set[int]]] = []
        self.checks: list[dict[str, Any]] = []

    def waiting(self, unit_id: int) -> list[tuple[int, str, int, str]]:
        """Return the unit's `waiting_rows`, read once per sweep."""
        if unit_id not in self._waiting:
            self._waiting[unit_id] = waiting_rows(self.session, unit_id)
        return self._waiting[unit_id]

    def acting(self, statement: snapshots.StatementView, excluded: set[int | None]) -> list[NextActor]:
        """Return who must act next on the statement, from what the batch read (`auth.acting.acts_next`)."""
        return acts_next(
            statement.state,
            lambda: NextActor(statement.author_id, self.authors[statement.author_id], "author"),
            lambda: self.waiting(statement.unit_id),
            excluded,
        )

    def say(
        self, statement: snapshots.StatementView, action: str, version: int | None, data: dict[str, Any], told: set[int]
    ) -> None:
        """Say the system's deadline entry about the statement, naming whom it tells (fanout tells them)."""
        self.said.append((statement, action, version, data, told))

    def check(self, statement_id: int, stage: int, following: dt.datetime | None) -> None:
        """Set the statement's stage and when the sweep looks at it next."""
        self.checks.append({"_id": statement_id, "_stage": stage, "_next": following})

    def write(self) -> None:
        """Append every entry said (with the usernames told) in one insert, and set every next check."""
        told = sorted({who for *_, people in self.said for who in people})
        dialect = self.session.get_bind().dialect.name
        names = (
            dict(self.session.execute(sa.select(User.id, User.username).where(among(User.id, told, dialect))).all())
            if told
            else {}
        )
        entries = [
            {
                "kind": ledger.EntryKind.DEADLINE,
                "action": action,
                "actor_id": None,
                "actor": "system",
                "role": "system",
                "unit": statement.unit.code,
                "statement_id": statement.id,
                "version": version,
                "data": data | {"state": statement.state, "told": sorted(names[who] for who in people if who in names)},
            }
            for statement, action, version, data, people in self.said
        ]
        ledger.append_many(self.session, entries)
        if self.checks:
            self.session.execute(_NEXT_CHECK, self.checks)


#: A statement's stage and next check, for many statements at once (one statement text, executed for each).
_NEXT_CHECK = (
    sa.update(Statement.__table__)
    .where(Statement.__table__.c.id == sa.bindparam("_id"))
    .values(
        due_stage=sa.bindparam("_stage"),
        next_check_at=sa.bindparam("_next", type_=Statement.__table__.c.next_check_at.type),
    )
)


def _next_stage(batch: _Batch, statement: snapshots.StatementView, now: dt.datetime) -> None:
    policy = batch.policies[statement.unit_id]
    stage = statement.due_stage
    excluded = statement.writer_ids | {statement.escalated_by_id}
    waiting = batch.acting(statement, excluded)
    acting = {w.user_id for w in waiting}
    action = STAGES.get(stage)
    if action is None:  # every stage done: nothing more to say
        batch.check(statement.id, stage, None)
        return
    if stage < 2:
        told, level = acting, None
        following = statement.due_at if stage == 0 else policy.escalation(statement.urgency, now)
    else:
        level = stage - 1
        skip = acting | {w for w in excluded if w is not None}
        told = leaders_above(batch.speakers, statement.unit_id, skip, level)
        if not told:  # no leaders that far up: an escalation to nobody says nothing, and the steps end here
            batch.check(statement.id, len(STAGES), None)
            return
        following = policy.escalation(statement.urgency, now) if stage == 2 else None
    batch.say(
        statement,
        action,
        statement.current_version,
        {
            "rule": f"{STEPS[statement.state]}:{action}",
            "due_at": isoformat(statement.due_at),
            "level": level,
            # Whom the step waits for: an escalation's readers are told who is late.
            "late": sorted(w.full_name for w in waiting),
        },
        told,
    )
    batch.check(statement.id, stage + 1, following)


def _review_overdue(batch: _Batch, statement: snapshots.StatementView) -> None:
    """Say once, on the ledger, that an emergency release has gone unreviewed past its due time, to its reviewers."""
    # Whoever may review it: those who speak for the unit and its nearest leaders, never who released it.
    rows = batch.waiting(statement.unit_id)
    released_by = {statement.released_by_id}
    # A unit with no spokesperson is reviewed by its leaders: the two lists then name the same people.
    found = pick_next(rows, State.IN_REVIEW.value, released_by) + pick_next(rows, State.ESCALATED.value, released_by)
    reviewers = list({who.user_id: who for who in found}.values())
    told = {who.user_id for who in reviewers} - released_by
    batch.say(
        statement,
        "emergency_review_overdue",
        statement.released_version,
        {
            "rule": "emergency_review:overdue",
            "due_at": isoformat(statement.emergency_review_due_at),
            "level": None,
            "late": sorted(who.full_name for who in reviewers if who.user_id in told),
        },
        told,
    )
    batch.check(statement.id, statement.due_stage, None)


def leaders_above(speakers: Speakers, unit_id: int, skip: set[int], level: int) -> set[int]:
    """Return the `level`th set of leaders up the tree from the unit (its own first), not counting `skip`."""
    seen: set[int] = set()
    current: int | None = unit_id
    found = 0
    while current is not None and current not in seen:
        seen.add(current)
        if leaders := speakers.leaders.get(current, set()) - skip:
            found += 1
            if found == level:
                return leaders
        current = speakers.parents.get(current)
    return set()
