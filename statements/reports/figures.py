"""The figures of a unit's report for a period, read with a fixed number of SQL statements.

However many units, statements and ledger entries there are, a report runs the same ten statements: each
groups or lists the period's rows for the units the report covers (a unit alone, or its whole subtree).
Decisions, steps and deadlines are read from the ledger, which says what happened when; the statements'
own columns say what they are (kind, channels, the emergency review). Figures are as of when the report
is made: an answer released after the period still counts as the answer to a question asked in it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Unit
from statements.dashboard.service import hours_spread
from statements.disclosure.models import Disclosure, Outcome, Violation
from statements.lifecycle.models import Statement
from statements.lifecycle.queries import local_day_start
from statements.pressdesk.models import GROUNDS, PressRequest
from statements.record.models import Commendation
from statements.rumours.models import ASSESSMENTS, Rumour
from workflow.db import isoformat, utcnow
from workflow.deadlines import STEPS, ZONE
from workflow.ledger import EntryKind, LedgerEntry
from workflow.states import Channel, Kind, State, values

#: What a decision can end a statement's road with, in the order the report lists them.
OUTCOMES = (State.RELEASED.value, State.REJECTED.value, State.WITHDRAWN.value, State.RETRACTED.value)
#: How an emergency release's review can end (workflow.effects.review_emergency).
REVIEWS = ("agrees", "finding")


@dataclass(frozen=True)
class Scope:
    """The units a report covers: the unit first, then those below it when rolled up."""

    ids: list[int]
    codes: list[str]
    names: dict[int, tuple[str, str]]  # id -> (code, name)
    everything: bool  # every unit there is: no filter by unit is needed


def scope_of(session: Session, unit_id: int, rolled_up: bool) -> Scope:
    """Return the unit alone, or the unit and every unit below it, each under its parent (one query, any depth)."""
    rows = session.execute(sa.select(Unit.id, Unit.code, Unit.name, Unit.parent_id)).all()
    children: dict[int | None, list[int]] = defaultdict(list)
    names = {}
    for id_, code, name, parent in rows:
        children[parent].append(id_)
        names[id_] = (code, name)
    ordered, stack = [], [unit_id]
    while stack:  # depth first, each unit before those below it, brothers by code
        current = stack.pop()
        ordered.append(current)
        if rolled_up:
            stack.extend(sorted(children.get(current, []), key=lambda i: names[i][0], reverse=True))
    return Scope(ordered, [names[i][0] for i in ordered], {i: names[i] for i in ordered}, len(ordered) == len(rows))


def gather(session: Session, scope: Scope, since: dt.date, until: dt.date, now: dt.datetime | None = None) -> dict:
    """Return the report's figures for the scope's units from day `since` to day `until` (Vietnam's days)."""
    now = now or utcnow()
    start, end = local_day_start(since), local_day_start(until + dt.timedelta(days=1))

    def within(column: Any) -> sa.ColumnElement[bool]:
        return sa.and_(column >= start, column < end)

    def of_units(column: Any, codes: bool = False) -> list[sa.ColumnElement[bool]]:
        return [] if scope.everything else [column.in_(scope.codes if codes else scope.ids)]

    drafted = session.execute(
        sa.select(Statement.unit_id, Statement.kind, sa.func.count())
        .where(within(Statement.created_at), *of_units(Statement.unit_id))
        .group_by(Statement.unit_id, Statement.kind)
    ).all()
    released = session.execute(
        sa.select(
            Statement.unit_id,
            Statement.kind,
            Statement.channels,
            Statement.created_at,
            Statement.released_at,
            Statement.released_via,
            Statement.emergency_review_outcome,
            Statement.emergency_review_due_at,
        ).where(within(Statement.released_at), *of_units(Statement.unit_id))
    ).all()
    entries = session.execute(
        sa.select(
            LedgerEntry.unit,
            LedgerEntry.kind,
            LedgerEntry.action,
            LedgerEntry.from_state,
            LedgerEntry.to_state,
            sa.func.count(),
        )
        .where(
            within(LedgerEntry.at),
            LedgerEntry.kind.in_([EntryKind.DECISION, EntryKind.DEADLINE]),
            *of_units(LedgerEntry.unit, codes=True),
        )
        .group_by(LedgerEntry.unit, LedgerEntry.kind, LedgerEntry.action, LedgerEntry.from_state, LedgerEntry.to_state)
    ).all()
    units = _by_unit(scope)
    for unit_id, _kind, n in drafted:
        units[unit_id]["drafted"] += n
    for row in released:
        units[row.unit_id]["released"] += 1
    ids_of = {code: i for i, (code, _) in scope.names.items()}
    outcomes: Counter[str] = Counter()
    escalations: Counter[str] = Counter()
    overdue = 0
    for code, kind, action, from_state, to_state, n in entries:
        # An emergency release's review is a decision that leaves the statement released: not a release.
        if kind == EntryKind.DECISION and to_state in OUTCOMES and from_state != to_state:
            outcomes[to_state] += n
        if kind == EntryKind.DECISION and action == "escalate":
            escalations["sign_off"] += n
        if kind == EntryKind.DEADLINE and action == "deadline_escalation":
            escalations["deadline"] += n
        if kind == EntryKind.DEADLINE and action == "deadline_overdue" and code in ids_of:
            units[ids_of[code]]["overdue"] += n
            overdue += n
    press = _press(session, within, of_units(PressRequest.unit_id), units, now)
    watch = _watch(session, within, of_units(Rumour.unit_id), units)
    disclosure = _disclosure(session, within, scope)
    record = _record(session, within, of_units(Violation.unit_id), of_units(Commendation.unit_id), units)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "as_of": isoformat(now),
        "statements": {
            "drafted": sum(n for _, _, n in drafted),
            "released": len(released),
            "by_kind": _by_kind(drafted, released),
            "outcomes": [{"outcome": o, "count": outcomes[o]} for o in OUTCOMES],
            "by_channel": _by_channel(released),
            "draft_to_release": hours_spread([(r.released_at - r.created_at).total_seconds() / 3600 for r in released]),
            "weekly": _weekly(released, since, until),
            "steps": _steps(session, within, of_units(LedgerEntry.unit, codes=True)),
            "overdue_steps": overdue,
            "escalations": {"sign_off": escalations["sign_off"], "deadline": escalations["deadline"]},
            "emergency": _emergency(released, now),
            "corrections_released": sum(1 for r in released if r.kind == Kind.CORRECTION.value),
        },
        "press": press,
        "watch": watch,
        "disclosure": disclosure,
        "record": record,
        "by_unit": list(units.values()),
    }


def _by_unit(scope: Scope) -> dict[int, dict[str, Any]]:
    """Return a row per unit of the scope, every figure at nought, in the scope's order."""
    figures = ("drafted", "released", "overdue", "press_received", "press_late", "rumours", "violations",
               "commendations")  # fmt: skip
    return {i: {"unit": code, "name": name} | dict.fromkeys(figures, 0) for i, (code, name) in scope.names.items()}


def _by_kind(drafted: Sequence[sa.Row], released: Sequence[sa.Row]) -> list[dict[str, Any]]:
    made: Counter[str] = Counter()
    for _unit, kind, n in drafted:
        made[kind] += n
    out: Counter[str] = Counter(r.kind for r in released)
    return [{"kind": k, "drafted": made[k], "released": out[k]} for k in values(Kind)]


def _by_channel(released: Sequence[sa.Row]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter(c for r in released for c in set(r.channels or ()))
    return [{"channel": c, "count": counts[c]} for c in values(Channel)]


def _weekly(released: Sequence[sa.Row], since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """Return, for each week the period touches (from Monday), the releases and their time from the draft."""
    first = since - dt.timedelta(days=since.weekday())
    hours: dict[dt.date, list[float]] = {
        first + dt.timedelta(weeks=w): [] for w in range((until - first).days // 7 + 1)
    }
    for r in released:
        day = r.released_at.astimezone(ZONE).date()
        hours[day - dt.timedelta(days=day.weekday())].append((r.released_at - r.created_at).total_seconds() / 3600)
    return [{"week": monday.isoformat()} | hours_spread(h) for monday, h in hours.items()]


def _steps(session: Session, within: Any, of_units: list[sa.ColumnElement[bool]]) -> list[dict[str, Any]]:
    """Return how long each step took, for the steps that ended in the period (entered whenever)."""
    changed = sa.and_(LedgerEntry.to_state.is_not(None), LedgerEntry.from_state.is_distinct_from(LedgerEntry.to_state))
    # The statements a step of which ended in the period: only their decisions are ordered, not the whole ledger.
    ended = sa.select(LedgerEntry.statement_id).where(
        within(LedgerEntry.at), LedgerEntry.kind == EntryKind.DECISION, changed,
        LedgerEntry.from_state.in_(list(STEPS)), *of_units,
    )  # fmt: skip
    changes = (
        sa.select(
            LedgerEntry.at,
            LedgerEntry.from_state,
            sa.func.lag(LedgerEntry.at, type_=LedgerEntry.at.type)
            .over(partition_by=LedgerEntry.statement_id, order_by=LedgerEntry.id)
            .label("entered"),
        )
        .where(changed, LedgerEntry.kind == EntryKind.DECISION, LedgerEntry.statement_id.in_(ended))
        .subquery()
    )
    rows = session.execute(
        sa.select(changes.c.from_state, changes.c.at, changes.c.entered).where(
            within(changes.c.at), changes.c.from_state.in_(list(STEPS)), changes.c.entered.is_not(None)
        )
    ).all()
    hours: dict[str, list[float]] = {step: [] for step in STEPS.values()}
    for state, left, entered in rows:
        hours[STEPS[state]].append((left - entered).total_seconds() / 3600)
    return [{"step": step} | hours_spread(h) for step, h in hours.items()]


def _emergency(released: Sequence[sa.Row], now: dt.datetime) -> dict[str, Any]:
    emergency = [r for r in released if r.released_via == "emergency"]
    pending = [r for r in emergency if r.emergency_review_outcome is None]
    return {
        "releases": len(emergency),
        "reviewed": {
            outcome: sum(1 for r in emergency if r.emergency_review_outcome == outcome) for outcome in REVIEWS
        },
        "awaiting_review": len(pending),
        "review_overdue": sum(1 for r in pending if r.emergency_review_due_at and r.emergency_review_due_at < now),
    }


def _press(
    session: Session, within: Any, of_units: list[sa.ColumnElement[bool]], units: dict, now: dt.datetime
) -> dict[str, Any]:
    """Return the questions from the press received in the period and how each was dealt with."""
    rows = session.execute(
        sa.select(
            PressRequest.unit_id,
            PressRequest.due_at,
            PressRequest.status,
            PressRequest.refusal_ground,
            Statement.state,
            Statement.released_at,
        )
        .outerjoin(Statement, Statement.id == PressRequest.answer_id)
        .where(within(PressRequest.received_at), *of_units)
    ).all()
    counts: Counter[str] = Counter()
    grounds: Counter[str] = Counter()
    for unit_id, due_at, status, ground, state, released_at in rows:
        units[unit_id]["press_received"] += 1
        if status == "refused":
            counts["refused"] += 1
            grounds[ground] += 1
        elif state in (State.RELEASED.value, State.RETRACTED.value) and released_at is not None:
            late = released_at > due_at
            counts["answered_late" if late else "answered_on_time"] += 1
            units[unit_id]["press_late"] += late
        else:
            counts["open_overdue" if due_at < now else "open"] += 1
            units[unit_id]["press_late"] += due_at < now
    return {
        "received": len(rows),
        **{name: counts[name] for name in ("answered_on_time", "answered_late", "refused", "open", "open_overdue")},
        "refused_by_ground": [{"ground": g, "count": grounds[g]} for g in GROUNDS],
    }


def _watch(session: Session, within: Any, of_units: list[sa.ColumnElement[bool]], units: dict) -> dict[str, Any]:
    """Return the items seen outside recorded in the period, by how they were judged."""
    rows = session.execute(
        sa.select(Rumour.unit_id, Rumour.assessment, sa.func.count(), sa.func.count(Rumour.correction_id))
        .where(within(Rumour.created_at), *of_units)
        .group_by(Rumour.unit_id, Rumour.assessment)
    ).all()
    judged: Counter[str] = Counter()
    for unit_id, assessment, n, _ in rows:
        units[unit_id]["rumours"] += n
        judged[assessment] += n
    return {
        "recorded": sum(judged.values()),
        "by_assessment": [{"assessment": a, "count": judged[a]} for a in ASSESSMENTS],
        "with_correction": sum(c for *_, c in rows),
    }


def _disclosure(session: Session, within: Any, scope: Scope) -> dict[str, Any]:
    """Return the disclosure cases opened in the period and those closed in it, by what they found."""
    # A case whose text matched no unit belongs to the whole organisation: a report over every unit counts it.
    where = [] if scope.everything else [Disclosure.unit_id.in_(scope.ids)]
    opened = session.scalar(sa.select(sa.func.count()).where(within(Disclosure.opened_at), *where)) or 0
    closed = dict(
        session.execute(
            sa.select(Disclosure.outcome, sa.func.count())
            .where(within(Disclosure.closed_at), *where)
            .group_by(Disclosure.outcome)
        ).all()
    )
    return {
        "opened": opened,
        "closed": sum(closed.values()),
        "by_outcome": [{"outcome": o, "count": closed.get(o, 0)} for o in Outcome.ALL],
    }


def _record(
    session: Session,
    within: Any,
    violations_of: list[sa.ColumnElement[bool]],
    commendations_of: list[sa.ColumnElement[bool]],
    units: dict,
) -> dict[str, int]:
    """Return the violations and commendations recorded in the period."""
    totals = {}
    for model, where, name in ((Violation, violations_of, "violations"),
                               (Commendation, commendations_of, "commendations")):  # fmt: skip
        rows = _grouped(session, model, within, where)
        for unit_id, n in rows:
            if unit_id in units:
                units[unit_id][name] += n
        totals[name] = sum(n for _, n in rows)
    return totals


def _grouped(session: Session, model: Any, within: Any, where: Iterable[sa.ColumnElement[bool]]) -> list[sa.Row]:
    return list(
        session.execute(
            sa.select(model.unit_id, sa.func.count()).where(within(model.recorded_at), *where).group_by(model.unit_id)
        ).all()
    )
