"""A unit's time limits for answering the press: its own (set by its leaders and admins, on the ledger), or defaults."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Unit
from auth.service import get_unit
from statements.pressdesk.models import DEFAULT_DAYS, MAX_DAYS, PressPolicy
from workflow.actor import Actor
from workflow.errors import Invalid
from workflow.guards import require_edit_deadlines, require_read_deadlines
from workflow.settings import save_unit_setting


def days_of(session: Session, unit_id: int) -> dict[str, int]:
    """Return the days the unit gives itself to answer: ordinary and urgent questions."""
    row = session.get(PressPolicy, unit_id)
    return {"normal": row.normal_days, "urgent": row.urgent_days} if row else dict(DEFAULT_DAYS)


def days_by_unit(session: Session, unit_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return `days_of` for several units at once (one query, for the register's page)."""
    rows = session.scalars(sa.select(PressPolicy).where(PressPolicy.unit_id.in_(unit_ids))).all()
    own = {row.unit_id: {"normal": row.normal_days, "urgent": row.urgent_days} for row in rows}
    return {unit_id: own.get(unit_id, dict(DEFAULT_DAYS)) for unit_id in unit_ids}


def read_policy(session: Session, actor: Actor | None, unit_code: str) -> dict:
    """Return the unit's time limits for answering the press, and whether they are its own or the defaults."""
    unit = get_unit(session, unit_code)
    require_read_deadlines(actor, unit.id)
    return _policy_dict(session, unit)


def update_policy(session: Session, actor: Actor, unit_code: str, normal_days: int, urgent_days: int) -> dict:
    """Set the unit's time limits (its leaders and admins); the change goes on the ledger."""
    unit = get_unit(session, unit_code)
    require_edit_deadlines(actor, unit.id)
    errors = {
        name: [f"Between 1 and {MAX_DAYS} days."]
        for name, days in (("normal_days", normal_days), ("urgent_days", urgent_days))
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS
    }
    if not errors and urgent_days > normal_days:
        errors = {"urgent_days": ["An urgent question cannot be given longer than an ordinary one."]}
    if errors:
        raise Invalid("press_policy", "The time limits are not valid.", errors=errors)
    save_unit_setting(
        session,
        actor,
        unit.id,
        unit.code,
        PressPolicy,
        "update_press_policy",
        {"normal_days": normal_days, "urgent_days": urgent_days},
    )
    session.flush()
    return _policy_dict(session, unit)


def _policy_dict(session: Session, unit: Unit) -> dict:
    row = session.get(PressPolicy, unit.id)
    return {"unit": unit.code, **_days_dict(days_of(session, unit.id)), "set_by_unit": row is not None}


def _days_dict(days: dict[str, int]) -> dict[str, int]:
    return {"normal_days": days["normal"], "urgent_days": days["urgent"]}
