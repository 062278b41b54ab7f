"""An item seen outside as the API and the pages show it: units and people by name, statements by number."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Unit, User
from statements.lifecycle.models import Statement
from statements.rumours.models import Rumour
from workflow.db import isoformat


def rumour_dicts(session: Session, items: list[Rumour]) -> list[dict]:
    """Return the items as dicts, with their units, people and statements' states in three queries."""
    if not items:
        return []
    unit_ids = {i for r in items for i in (r.unit_id, r.reported_to_id) if i}
    units = dict(session.execute(sa.select(Unit.id, Unit.code).where(Unit.id.in_(unit_ids))).all())
    people_ids = {i for r in items for i in (r.assessed_by_id, r.created_by_id) if i}
    people = dict(session.execute(sa.select(User.id, User.username).where(User.id.in_(people_ids))).all())
    statement_ids = {i for r in items for i in (r.concerns_id, r.correction_id) if i}
    found = session.execute(sa.select(Statement.id, Statement.state).where(Statement.id.in_(statement_ids)))
    states = dict(found.all())

    def statement(statement_id: int | None) -> dict | None:
        return {"statement": statement_id, "state": states.get(statement_id)} if statement_id else None

    return [
        {
            "id": r.id,
            "unit": units[r.unit_id],
            "platform": r.platform,
            "address": r.address,
            "first_seen_at": isoformat(r.first_seen_at),
            "summary": r.summary,
            "reach": r.reach,
            "text": r.text,
            "matched": r.matched,
            "assessment": r.assessment,
            "assessment_note": r.assessment_note,
            "assessed_by": people.get(r.assessed_by_id) if r.assessed_by_id else None,
            "assessed_at": isoformat(r.assessed_at),
            "concerns": statement(r.concerns_id),
            "correction": statement(r.correction_id),
            "reported_to": units.get(r.reported_to_id) if r.reported_to_id else None,
            "reported_at": isoformat(r.reported_at),
            "created_by": people.get(r.created_by_id),
            "created_at": isoformat(r.created_at),
        }
        for r in items
    ]
