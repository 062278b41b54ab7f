"""A question from the press as the API and the pages show it: names, not ids; its status read from its answer."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Unit, User
from statements.lifecycle.models import Statement
from statements.pressdesk.models import PressRequest
from statements.pressdesk.service import status_of
from workflow.db import isoformat, utcnow


def request_dicts(session: Session, requests: list[PressRequest]) -> list[dict]:
    """Return the questions as dicts, with their units, people and answers in three queries."""
    if not requests:
        return []
    units = dict(session.execute(sa.select(Unit.id, Unit.code).where(Unit.id.in_({r.unit_id for r in requests}))).all())
    people_ids = {i for r in requests for i in (r.assigned_to_id, r.refused_by_id, r.created_by_id) if i}
    people = dict(session.execute(sa.select(User.id, User.username).where(User.id.in_(people_ids))).all())
    answers = {
        row.id: row
        for row in session.execute(
            sa.select(Statement.id, Statement.state, Statement.released_at).where(
                Statement.id.in_({r.answer_id for r in requests if r.answer_id})
            )
        )
    }
    now = utcnow()
    out = []
    for r in requests:
        answer = answers.get(r.answer_id) if r.answer_id else None
        out.append(
            {
                "id": r.id,
                "unit": units[r.unit_id],
                "outlet": r.outlet,
                "journalist": r.journalist,
                "contact": r.contact,
                "question": r.question,
                "received_at": isoformat(r.received_at),
                "urgent": r.urgent,
                "due_at": isoformat(r.due_at),
                "status": status_of(r, answer.state if answer else None, now),
                "assigned_to": people.get(r.assigned_to_id) if r.assigned_to_id else None,
                "answer": {"statement": answer.id, "state": answer.state, "released_at": isoformat(answer.released_at)}
                if answer
                else None,
                "refusal": {
                    "ground": r.refusal_ground,
                    "reason": r.refusal_reason,
                    "at": isoformat(r.refused_at),
                    "by": people.get(r.refused_by_id) if r.refused_by_id else None,
                }
                if r.status == "refused"
                else None,
                "created_by": people.get(r.created_by_id),
                "created_at": isoformat(r.created_at),
            }
        )
    return out
