"""Who is late: the overdue open steps, and whom each waits on as the statement page names them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.acting import NextActor, pick_next, waiting_rows
from auth.models import User
from statements.lifecycle.models import Statement, StatementVersion
from workflow.deadlines import STEPS
from workflow.states import State


@dataclass(frozen=True)
class Late:
    """An overdue step: its statement, and who must act on it (the author, its spokespersons or leaders)."""

    statement_id: int
    unit_id: int
    state: str
    due_at: dt.datetime
    people: tuple[NextActor, ...]


def overdue_condition(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Return the SQL condition of a statement whose open step is past its due time."""
    return sa.and_(Statement.state.in_(list(STEPS)), Statement.due_at < now)


#: Each unit's reviewers (`auth.acting.waiting_rows`), read once per unit and shared by whoever asks.
Reviewers = dict[int, list[tuple[int, str, int, str]]]


def reviewers_of(session: Session, reviewers: Reviewers, unit_id: int) -> list[tuple[int, str, int, str]]:
    """Return the unit's reviewers from `reviewers`, reading them the first time."""
    if unit_id not in reviewers:
        reviewers[unit_id] = waiting_rows(session, unit_id)
    return reviewers[unit_id]


def late_steps(
    session: Session, where: sa.ColumnElement[bool], now: dt.datetime, reviewers: Reviewers | None = None
) -> list[Late]:
    """Return the overdue steps among the statements `where` selects, most overdue first, with whom each waits on.

    Whom is decided as on the statement page (`auth.acting.pick_next`): its writers and whoever escalated
    it are never whom it waits on. One query for the steps, one for their writers, one per unit they are in.
    """
    rows = session.execute(
        sa.select(
            Statement.id,
            Statement.unit_id,
            Statement.state,
            Statement.due_at,
            Statement.author_id,
            User.full_name,
            Statement.escalated_by_id,
        )
        .join(User, User.id == Statement.author_id)
        .where(overdue_condition(now), where)
        .order_by(Statement.due_at, Statement.id)
    ).all()
    writers: dict[int, set[int | None]] = {}
    if ids := [row.id for row in rows]:
        versions = sa.select(StatementVersion.statement_id, StatementVersion.author_id).where(
            StatementVersion.statement_id.in_(ids)
        )
        for statement_id, author_id in session.execute(versions):
            writers.setdefault(statement_id, set()).add(author_id)
    reviewers = {} if reviewers is None else reviewers
    late = []
    for row in rows:
        if row.state == State.CHANGES_REQUESTED.value:
            people = (NextActor(row.author_id, row.full_name, "author"),)
        else:
            excluded = writers.get(row.id, set()) | {row.author_id, row.escalated_by_id}
            people = tuple(pick_next(reviewers_of(session, reviewers, row.unit_id), row.state, excluded))
        late.append(Late(row.id, row.unit_id, row.state, row.due_at, people))
    return late


def late_for(session: Session, username: str, where: sa.ColumnElement[bool], now: dt.datetime) -> list[int]:
    """Return the ids of the overdue steps among `where` that wait on this person (none for an unknown name)."""
    user_id = session.scalar(sa.select(User.id).where(User.username == username))
    if user_id is None:
        return []
    steps = late_steps(session, where, now)
    return [step.statement_id for step in steps if any(person.user_id == user_id for person in step.people)]
