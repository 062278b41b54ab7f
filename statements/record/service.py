"""Record commendations of a unit's people and read them beside the violations (auditors all, leaders their units')."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Unit, User
from auth.service import get_unit
from statements.lifecycle.models import Statement
from statements.record.models import Commendation
from workflow import ledger
from workflow.actor import Actor
from workflow.db import isoformat, newest_first
from workflow.errors import Invalid
from workflow.guards import require_commend, require_investigate

MAX_DESCRIPTION = 4000
MAX_STATEMENTS = 50


def commend(
    session: Session, actor: Actor, unit_code: str, person: str, description: str, statements: list[int] | None = None
) -> Commendation:
    """Record that one of the unit's people did well, for what and on which statements (its leaders); on the ledger."""
    unit = get_unit(session, unit_code, "unit")
    require_commend(actor, unit.id)
    errors: dict[str, list[str]] = {}
    user = session.scalar(sa.select(User).where(User.username == person)) if isinstance(person, str) else None
    if user is None or not any(m.unit_id == unit.id for m in user.memberships):
        errors["person"] = ["One of the unit's people."]
    if not isinstance(description, str) or not 0 < len(description.strip()) <= MAX_DESCRIPTION:
        errors["description"] = [f"Say what for, in at most {MAX_DESCRIPTION} characters."]
    ids = list(dict.fromkeys(statements or []))
    if len(ids) > MAX_STATEMENTS or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        errors["statements"] = [f"At most {MAX_STATEMENTS} statement numbers."]
    elif ids:
        found = set(session.scalars(sa.select(Statement.id).where(Statement.id.in_(ids), Statement.unit_id == unit.id)))
        if missing := [i for i in ids if i not in found]:
            errors["statements"] = [f"Not statements of the unit: {', '.join(map(str, missing))}."]
    if errors:
        raise Invalid("commendation", "The commendation is not valid.", errors=errors)
    assert user is not None  # errors were raised otherwise
    row = Commendation(
        unit_id=unit.id, user_id=user.id, description=description.strip(), statements=ids, recorded_by_id=actor.user_id
    )
    session.add(row)
    session.flush()
    ledger.append(
        session,
        kind=ledger.EntryKind.ADMIN,
        action="record_commendation",
        actor_id=actor.user_id,
        actor=actor.username,
        role="leader",
        unit=unit.code,
        comment=row.description,
        data={"commendation": row.id, "person": user.username, "statements": ids},
    )
    return row


def listed(session: Session, actor: Actor | None, page: int = 1, per_page: int = 50) -> tuple[list[Commendation], int]:
    """Return the commendations the actor may read (auditors all, leaders their units'), newest first."""
    reader = require_investigate(actor)
    where = sa.true() if reader.is_auditor else Commendation.unit_id.in_(sorted(reader.leader_scope))
    return newest_first(session, Commendation, where, page, per_page)


def commendation_dicts(session: Session, rows: list[Commendation]) -> list[dict]:
    """Return commendations as the API and the pages give them (their people and units in two queries)."""
    if not rows:
        return []
    people = {
        row.id: row
        for row in session.execute(
            sa.select(User.id, User.username, User.full_name).where(
                User.id.in_({r.user_id for r in rows} | {r.recorded_by_id for r in rows})
            )
        )
    }
    units = dict(session.execute(sa.select(Unit.id, Unit.code).where(Unit.id.in_({r.unit_id for r in rows}))).all())
    return [
        {
            "id": r.id,
            "unit": units[r.unit_id],
            "person": people[r.user_id].username,
            "full_name": people[r.user_id].full_name,
            "description": r.description,
            "statements": list(r.statements),
            "recorded_at": isoformat(r.recorded_at),
            "recorded_by": people[r.recorded_by_id].username,
            "recorded_by_name": people[r.recorded_by_id].full_name,
        }
        for r in rows
    ]
