"""What the press room reads: released statements only, and what is said beside one (corrections, answers)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from statements.lifecycle import snapshots
from statements.lifecycle.models import Statement, StatementVersion, release_recorded
from statements.lifecycle.queries import holding_words
from statements.lifecycle.snapshots import STATEMENT_COLUMNS, WITH_UNIT, StatementView
from statements.pressdesk.models import PressRequest
from statements.rumours.models import Rumour
from workflow.db import count_of
from workflow.errors import NotFound
from workflow.states import PUBLIC_STATES, State

PUBLIC = [s.value for s in PUBLIC_STATES]


def released_page(
    session: Session,
    page: int,
    per_page: int,
    q: str | None = None,
    *,
    count: bool = True,
    count_up_to: int | None = None,
) -> tuple[list[StatementView], int | None]:
    """Return one page of released (and retracted) statements, newest release first, holding every word of `q`.

    With the page, how many there are (the API's exact total), counted only up to `count_up_to` past the
    page when given (the public page: anyone may ask, so nobody makes it count 100,000), or not at all.
    """
    where = sa.and_(
        Statement.state.in_(PUBLIC),
        release_recorded(Statement.id, Statement.released_hash, Statement.released_version),
        *holding_words(q or ""),
    )
    total = session.scalar(count_of(sa.select(Statement.id).where(where), count_up_to)) if count else None
    rows = session.execute(
        sa.select(*STATEMENT_COLUMNS)
        .select_from(WITH_UNIT)
        .where(where)
        .order_by(Statement.released_at.desc(), Statement.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return snapshots.page_of(session, rows), total


def released_one(session: Session, statement_id: int) -> StatementView:
    """Return a released statement, or 404 for anything else (unreleased ones do not exist here)."""
    statement = snapshots.one(session, statement_id)
    if statement is None or statement.state not in PUBLIC or not statement.release_recorded:
        raise NotFound("statement", f"No released statement {statement_id}.")
    return statement


def rebuttals(session: Session, statement_id: int) -> tuple[list[dict], list[dict]]:
    """Return the released answers to false items about a statement, and the statements a correction answers for.

    An item seen outside that distorts a statement is answered by a correction of the item, not of the
    statement: the press room says the false version was answered, whichever was linked first.
    """
    answer, about = aliased(Statement), aliased(Statement)
    released = [
        sa.and_(s.state == State.RELEASED.value, release_recorded(s.id, s.released_hash, s.released_version))
        for s in (answer, about)
    ]
    rows = session.execute(
        sa.select(Rumour.concerns_id, Rumour.correction_id, answer.released_at, about.released_at)
        .join(answer, answer.id == Rumour.correction_id)
        .join(about, about.id == Rumour.concerns_id)
        .where(sa.or_(Rumour.concerns_id == statement_id, Rumour.correction_id == statement_id), *released)
        .order_by(answer.released_at.desc())
        .limit(20)
    ).all()
    titles = dict(
        session.execute(
            sa.select(StatementVersion.statement_id, StatementVersion.title)
            .join(Statement, Statement.id == StatementVersion.statement_id)
            .where(
                StatementVersion.statement_id.in_({i for r in rows for i in r[:2]}),
                StatementVersion.number == Statement.released_version,
            )
        ).all()
    ) if rows else {}  # fmt: skip
    answered_by = [
        {"id": c, "title": titles.get(c), "at": at} for about_id, c, at, _ in rows if about_id == statement_id
    ]
    answers = [{"id": a, "title": titles.get(a), "at": at} for a, c, _, at in rows if c == statement_id]
    return answered_by, answers


def is_public(statement: StatementView) -> bool:
    """Say whether a statement is in the press room: released (or retracted) with its release on the ledger."""
    return statement.state in PUBLIC and bool(statement.release_recorded)


def corrections_of(session: Session, statement_id: int) -> list[StatementView]:
    """Return the released corrections of a statement, newest first (the press room shows them beside it)."""
    ids = session.scalars(
        sa.select(Statement.id)
        .where(
            Statement.corrects_id == statement_id,
            Statement.state.in_(PUBLIC),
            release_recorded(Statement.id, Statement.released_hash, Statement.released_version),
        )
        .order_by(Statement.released_at.desc())
        .limit(20)
    ).all()
    return [s for i in ids if (s := snapshots.one(session, i)) is not None]


def question_of(session: Session, statement_id: int) -> dict | None:
    """Return the question from the press a released answer answers: its outlet and words, never who asked."""
    row = session.execute(
        sa.select(PressRequest.outlet, PressRequest.question, PressRequest.received_at).where(
            PressRequest.answer_id == statement_id
        )
    ).first()
    return {"outlet": row.outlet, "question": row.question, "received_at": row.received_at} if row else None
