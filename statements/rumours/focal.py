"""A unit's focal officer for the watch (cán bộ đầu mối): named by its leaders or an admin, on the ledger."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Unit, User
from auth.service import actor_for, get_unit
from statements.rumours.models import WatchFocal
from workflow import ledger
from workflow.actor import Actor
from workflow.db import isoformat, utcnow
from workflow.errors import Invalid, NotFound, Refusal
from workflow.guards import require_keep_watch, require_name_focal


def focal_id(session: Session, unit_id: int) -> int | None:
    """Return the user id of the unit's focal officer for the watch, if it named one."""
    return session.scalar(sa.select(WatchFocal.user_id).where(WatchFocal.unit_id == unit_id))


def read_focal(session: Session, actor: Actor | None, unit_code: str) -> dict:
    """Return who keeps the unit's watch as its focal officer (readable by whoever reads the unit's register)."""
    unit = get_unit(session, unit_code)
    if actor is None or not (actor.is_auditor or actor.can_read_unit(unit.id)):
        raise NotFound("unit", f"No unit {unit_code}.")
    return _focal_dict(session, unit)


def appoint_focal(session: Session, actor: Actor, unit_code: str, username: str | None) -> dict:
    """Name one of the unit's press desk its focal officer for the watch, or nobody (leaders, admins); on the ledger."""
    unit = get_unit(session, unit_code)
    require_name_focal(actor, unit.id)
    row = session.get(WatchFocal, unit.id)
    if username:
        user = session.scalar(sa.select(User).where(User.username == username))
        if user is None or not _keeps_watch(session, user, unit.id):
            raise Invalid(
                "watch_focal",
                "The focal officer is one of the unit's drafters, spokesperson or leaders.",
                errors={"username": ["Not one of the unit's press desk."]},
            )
        row = row or WatchFocal(unit_id=unit.id)
        row.user_id, row.appointed_by_id, row.appointed_at = user.id, actor.user_id, utcnow()
        session.add(row)
    elif row is not None:
        session.delete(row)
    ledger.append_unit_change(session, actor, unit.id, unit.code, "appoint_watch_focal", {"focal": username or None})
    session.flush()
    return _focal_dict(session, unit)


def _keeps_watch(session: Session, user: User, unit_id: int) -> bool:
    try:
        require_keep_watch(actor_for(session, user), unit_id)
    except Refusal:
        return False
    return True


def _focal_dict(session: Session, unit: Unit) -> dict:
    row = session.execute(
        sa.select(User.username, User.full_name, WatchFocal.appointed_at)
        .join(WatchFocal, WatchFocal.user_id == User.id)
        .where(WatchFocal.unit_id == unit.id)
    ).first()
    return {
        "unit": unit.code,
        "focal": {"username": row.username, "name": row.full_name, "since": isoformat(row.appointed_at)}
        if row
        else None,
    }
