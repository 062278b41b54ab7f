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

from auth.acting import Speakers, pick_next, read_speakers, waiting_rows, who_acts_next
from auth.models import User
from statements.lifecycle import snapshots
from statements.lifecycle.models import Statement
from workflow import ledger
from workflow.db import isoformat, utcnow
from workflow.deadlines import STEPS, Policy, UnitDeadlines
from workflow.states import State

#: Statements handled per sweep: the rest wait for the next minute's.
BATCH = 200
#: What each stage records on the ledger; whom its entry names are told (statements.notifications.fanout).
STAGES = {0: "deadline_reminder", 1: "deadline_overdue", 2: "deadline_escalation", 3: "deadline_escalation"}


def sweep(session: Session, now: dt.datetime | None = None) -> int:
    """Take the next stage of every statement whose check has come; return how many were handled."""
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
    speakers = read_speakers(session)
    policies: dict[int, Policy] = {}
    for statement_id in due:
        statement = snapshots.one(session, statement_id)
        if statement is None:
            continue
        if statement.state not in STEPS:  # an emergency release whose review is due
            _review_overdue(session, statement, now)
            continue
        if statement.unit_id not in policies:
            policies[statement.unit_id] = Policy.of(session.get(UnitDeadlines, statement.unit_id))
        _next_stage(session, statement, policies[statement.unit_id], speakers, now)
    return len(due)


def _next_stage(
    session: Session, statement: snapshots.StatementView, policy: Policy, speakers: Speakers, now: dt.datetime
) -> None:
    stage = statement.due_stage
    excluded = statement.writer_ids | {statement.escalated_by_id}
    waiting = who_acts_next(session, statement.state, statement.unit_id, statement.author_id, excluded)
    acting = {w.user_id for w in waiting}
    action = STAGES.get(stage)
    if action is None:  # every stage done: nothing more to say
        _set(session, statement.id, stage, None)
        return
    if stage < 2:
        told, level = acting, None
        following = statement.due_at if stage == 0 else policy.escalation(statement.urgency, now)
    else:
        level = stage - 1
        told = leaders_above(speakers, statement.unit_id, acting | {w for w in excluded if w is not None}, level)
        following = policy.escalation(statement.urgency, now) if stage == 2 else None
    _say(
        session,
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
    _set(session, statement.id, stage + 1, following)


def _review_overdue(session: Session, statement: snapshots.StatementView, now: dt.datetime) -> None:
    """Say once, on the ledger, that an emergency release has gone unreviewed past its due time, to its reviewers."""
    # Whoever may review it: those who speak for the unit and its nearest leaders, never who released it.
    rows = waiting_rows(session, statement.unit_id)
    released_by = {statement.released_by_id}
    # A unit with no spokesperson is reviewed by its leaders: the two lists then name the same people.
    found = pick_next(rows, State.IN_REVIEW.value, released_by) + pick_next(rows, State.ESCALATED.value, released_by)
    reviewers = list({who.user_id: who for who in found}.values())
    told = {who.user_id for who in reviewers} - released_by
    _say(
        session,
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
    _set(session, statement.id, statement.due_stage, None)


def _say(
    session: Session,
    statement: snapshots.StatementView,
    action: str,
    version: int | None,
    data: dict[str, Any],
    told: set[int],
) -> None:
    """Append the system's deadline entry about the statement, naming whom it tells (fanout tells them)."""
    names = session.scalars(sa.select(User.username).where(User.id.in_(sorted(told)))).all() if told else []
    ledger.append(
        session,
        kind=ledger.EntryKind.DEADLINE,
        action=action,
        actor_id=None,
        actor="system",
        role="system",
        unit=statement.unit.code,
        statement_id=statement.id,
        version=version,
        data=data | {"state": statement.state, "told": sorted(names)},
    )


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


def _set(session: Session, statement_id: int, stage: int, following: dt.datetime | None) -> None:
    session.execute(
        sa.update(Statement)
        .where(Statement.id == statement_id)
        .values(due_stage=stage, next_check_at=following)
        .execution_options(synchronize_session=False)
    )
