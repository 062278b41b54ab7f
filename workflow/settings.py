"""A unit's own settings: one row a unit over the defaults, changed by its leaders or admins, on the ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workflow import ledger
from workflow.actor import Actor
from workflow.db import utcnow


def save_unit_setting(
    session: Session, actor: Actor, unit_id: int, unit_code: str, model: type, action: str, values: dict[str, Any]
) -> None:
    """Write the unit's row of a settings table (`model`, keyed by `unit_id`) and its ledger entry together."""
    row = session.get(model, unit_id) or model(unit_id=unit_id)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.add(row)
    ledger.append_unit_change(session, actor, unit_id, unit_code, action, values)
