"""The dashboard's figures, each with the list filters that show the statements behind it.

Every figure is counted with the same SQL condition (`queries.list_filter`) as the statement list it
links to, so a figure and its list always agree: a leader sees the units they lead and those below
(`led`), an auditor who leads nothing sees every unit.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.acting import pick_next
from auth.models import Unit, User
from statements.lifecycle import lateness, queries
from statements.lifecycle.models import Statement
from statements.pressdesk import service as pressdesk
from statements.rumours import service as rumours
from workflow.actor import Actor
from workflow.db import isoformat, utcnow
from workflow.deadlines import STEPS, ZONE
from workflow.guards import require_view_dashboard
from workflow.states import State


def weeks(now: dt.datetime) -> dict[str, tuple[dt.date, dt.date]]:
    """Return this week (Monday to today) and the last (Monday to Sunday), as days in Vietnam."""
    today = now.astimezone(ZONE).date()
    monday = today - dt.timedelta(days=today.weekday())
    return {"this_week": (monday, today), "last_week": (monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))}


def summary(session: Session, actor: Actor, now: dt.datetime | None = None) -> dict[str, Any]:
    """Return the dashboard of the units the actor leads (every unit for an auditor who leads none)."""
    require_view_dashboard(actor)
    now = now or utcnow()
    led = bool(actor.leader_scope)
    scope = {"led": True} if led else {}
    where = queries.list_filter(actor, queries.Filters(led=led))
    units = {
        unit_id: (code, name)
        for unit_id, code, name in session.execute(
            sa.select(Unit.id, Unit.code, Unit.name).where(
                Unit.id.in_(sorted(actor.leader_scope)) if led else sa.true()
            )
        )
    }
    periods = weeks(now)
    # A release scheduled waits on nobody: the worker releases it at its time.
    reviewers: lateness.Reviewers = {}  # each unit's, read once for both tables
    not_scheduled = queries.list_filter(actor, queries.Filters(led=led, scheduled=False))
    waiting = _waiting(session, not_scheduled, units, scope, now, reviewers)
    return {
        "as_of": isoformat(now),
        "units": sorted(code for code, _ in units.values()),
        "weeks": {
            name: {"since": since.isoformat(), "until": until.isoformat()} for name, (since, until) in periods.items()
        },
        "waiting": waiting,
        "overdue_by_unit": _overdue_by_unit(waiting, scope),
        "overdue_by_person": _overdue_by_person(session, where, scope, now, reviewers),
        "draft_to_release": {
            name: _draft_to_release(session, where, scope, since, until) for name, (since, until) in periods.items()
        },
        "escalations": {
            name: {
                "sign_off": _count_of(session, actor, scope | {"event": "escalated", "since": since, "until": until}),
                "deadline": _count_of(
                    session, actor, scope | {"event": "deadline_escalation", "since": since, "until": until}
                ),
            }
            for name, (since, until) in periods.items()
        },
        "emergency_releases": {
            **{
                name: _count_of(session, actor, scope | {"event": "emergency_release", "since": since, "until": until})
                for name, (since, until) in periods.items()
            },
            "awaiting_review": _awaiting_review(session, actor, scope, now),
        },
        # Waiting on nobody, but leaders should know what goes out by itself, and when.
        "scheduled_releases": _count_of(session, actor, scope | {"scheduled": True}),
        "press_questions": _press_questions(session, units, led, now),
        "seen_outside": _seen_outside(session, units, led),
    }


def _seen_outside(session: Session, units: dict[int, tuple[str, str]], led: bool) -> list[dict[str, Any]]:
    """Return, per unit with any: items not judged, false ones without a released correction, reported up to it."""
    counts = rumours.counts_by_unit(session, sorted(units) if led else None)
    rows = [
        {"unit": units[u][0], "unit_name": units[u][1], "unjudged": a, "uncorrected": b, "reported_to_unit": c}
        for u, (a, b, c) in counts.items()
        if u in units and (a or b or c)
    ]
    return sorted(rows, key=lambda row: (-row["uncorrected"], -row["unjudged"], row["unit"]))


def _press_questions(
    session: Session, units: dict[int, tuple[str, str]], led: bool, now: dt.datetime
) -> list[dict[str, Any]]:
    """Return, per unit with any, the questions from the press awaiting an answer and how many are overdue."""
    counts = pressdesk.counts_by_unit(session, sorted(units) if led else None, now)
    rows = [
        {"unit": units[unit_id][0], "unit_name": units[unit_id][1], "waiting": waiting, "overdue": overdue}
        for unit_id, (waiting, overdue) in counts.items()
        if unit_id in units
    ]
    return sorted(rows, key=lambda row: (-row["overdue"], -row["waiting"], row["unit"]))


def _count_of(session: Session, actor: Actor, filters: dict[str, Any]) -> dict[str, Any]:
    """Count the statements a list with these filters shows, and say which filters show them."""
    where = queries.list_filter(actor, queries.Filters(**filters))
    count = session.scalar(sa.select(sa.func.count()).select_from(Statement).where(where)) or 0
    return {"count": count, "filters": filters}


def _waiting(
    session: Session,
    where: sa.ColumnElement[bool],
    units: dict[int, tuple[str, str]],
    scope: dict,
    now: dt.datetime,
    reviewers: lateness.Reviewers,
) -> list[dict[str, Any]]:
    """Return, per unit and open step, how many wait, how many are overdue, since when, and on whom."""
    rows = session.execute(
        sa.select(
            Statement.unit_id,
            Statement.state,
            sa.func.count(),
            sa.func.sum(sa.case((lateness.overdue_condition(now), 1), else_=0)),
            sa.func.min(Statement.updated_at),
        )
        .where(where, Statement.state.in_(list(STEPS)))
        .group_by(Statement.unit_id, Statement.state)
    ).all()
    authors: dict[int, list[tuple[str, str]]] = defaultdict(list)
    revising = (
        sa.select(Statement.unit_id, User.username, User.full_name)
        .join(User, User.id == Statement.author_id)
        .where(where, Statement.state == State.CHANGES_REQUESTED.value)
        .distinct()
        .order_by(User.full_name)
    )
    for unit_id, username, full_name in session.execute(revising):
        authors[unit_id].append((username, full_name))
    reviewing = sorted({row[0] for row in rows if row[1] != State.CHANGES_REQUESTED.value})
    names = _usernames(
        session, {r[2] for unit_id in reviewing for r in lateness.reviewers_of(session, reviewers, unit_id)}
    )
    out = []
    for unit_id, state, count, overdue, since in rows:
        code, unit_name = units[unit_id]
        if state == State.CHANGES_REQUESTED.value:
            people = [{"username": u, "full_name": n, "role": "author"} for u, n in authors[unit_id]]
        else:
            people = [
                {"username": names[p.user_id], "full_name": p.full_name, "role": p.role}
                for p in pick_next(lateness.reviewers_of(session, reviewers, unit_id), state, ())
            ]
        filters = scope | {"unit": code, "state": state}
        if state == State.APPROVED.value:
            filters |= {"scheduled": False}
        out.append(
            {
                "unit": code,
                "unit_name": unit_name,
                "state": state,
                "step": STEPS[state],
                "count": count,
                "overdue": overdue or 0,
                "waiting_since": isoformat(since),
                "waits_on": people,
                "filters": filters,
                "overdue_filters": scope | {"unit": code, "state": state, "overdue": True},
            }
        )
    # What has waited longest first.
    return sorted(out, key=lambda row: (-row["overdue"], row["waiting_since"] or "", row["unit"]))


def _overdue_by_unit(waiting: list[dict[str, Any]], scope: dict) -> list[dict[str, Any]]:
    """Return the overdue steps per unit, most first (from the waiting rows: counted once)."""
    per_unit: dict[tuple[str, str], int] = defaultdict(int)
    for row in waiting:
        per_unit[(row["unit"], row["unit_name"])] += row["overdue"]
    return [
        {"unit": code, "unit_name": name, "overdue": n, "filters": scope | {"unit": code, "overdue": True}}
        for (code, name), n in sorted(per_unit.items(), key=lambda item: (-item[1], item[0][0]))
        if n
    ]


def _overdue_by_person(
    session: Session, where: sa.ColumnElement[bool], scope: dict, now: dt.datetime, reviewers: lateness.Reviewers
) -> list[dict[str, Any]]:
    """Return, per person whom overdue steps wait on, how many and since when the oldest was due."""
    counts: dict[int, int] = defaultdict(int)
    oldest: dict[int, dt.datetime] = {}
    full_names: dict[int, str] = {}
    for step in lateness.late_steps(session, where, now, reviewers):
        for person in step.people:
            counts[person.user_id] += 1
            oldest.setdefault(person.user_id, step.due_at)  # the steps come most overdue first
            full_names[person.user_id] = person.full_name
    names = _usernames(session, set(counts))
    people = [
        {
            "username": names[user_id],
            "full_name": full_names[user_id],
            "overdue": n,
            "due_since": isoformat(oldest[user_id]),
            "filters": scope | {"late": names[user_id]},
        }
        for user_id, n in counts.items()
    ]
    return sorted(people, key=lambda person: (-person["overdue"], person["due_since"], person["full_name"]))


def _draft_to_release(
    session: Session, where: sa.ColumnElement[bool], scope: dict, since: dt.date, until: dt.date
) -> dict[str, Any]:
    """Return how long the statements released in a period took from their draft: median and 90th percentile."""
    rows = session.execute(
        sa.select(Statement.created_at, Statement.released_at).where(where, queries.happened("released", since, until))
    ).all()
    return hours_spread([(released - created).total_seconds() / 3600 for created, released in rows]) | {
        "filters": scope | {"event": "released", "since": since, "until": until}
    }


def hours_spread(hours: list[float]) -> dict[str, Any]:
    """Return how many durations there are, their median and their 90th percentile, in hours to a tenth."""
    ordered = sorted(hours)
    return {
        "count": len(ordered),
        # Nearest ranks, the lower middle for the median: each a time some statement really took.
        "median_hours": round(statistics.median_low(ordered), 1) if ordered else None,
        "p90_hours": round(ordered[max(0, -(-9 * len(ordered) // 10) - 1)], 1) if ordered else None,
    }


def _awaiting_review(session: Session, actor: Actor, scope: dict, now: dt.datetime) -> dict[str, Any]:
    """Return how many emergency releases await their review, and how many of those are past its due time."""
    filters = scope | {"review_pending": True}
    where = queries.list_filter(actor, queries.Filters(**filters))
    count, overdue = session.execute(
        sa.select(sa.func.count(), sa.func.sum(sa.case((Statement.emergency_review_due_at < now, 1), else_=0))).where(
            where
        )
    ).one()
    return {"count": count, "overdue": overdue or 0, "filters": filters}


def _usernames(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(session.execute(sa.select(User.id, User.username).where(User.id.in_(sorted(user_ids)))).all())


def query_args(filters: dict[str, Any]) -> dict[str, str]:
    """Return a figure's filters as the statement list's query arguments (the page's and the API's alike)."""
    args = {}
    for name, value in filters.items():
        if isinstance(value, bool):
            args[name] = "1" if value else "0"
        elif isinstance(value, dt.date):
            args[name] = value.isoformat()
        else:
            args[name] = str(value)
    return args
