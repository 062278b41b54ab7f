"""Acting spokespersons: who stands in for a unit's spokesperson, for how long, on whose authority, and why.

A leader of the unit (or above it), or an admin, appoints someone for a period with a written reason
(leave, a crisis team). While it holds, the appointee speaks for the unit as its spokesperson does (the
same guards, four-eyes included), the unit's work waits for them, and each decision they take names the
appointment on the ledger. It ends by itself at its end time, or earlier when a leader ends it. Two
appointments of one unit never overlap, so whom the work waits for is never in doubt.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from auth.models import ActingAppointment, Membership, Unit, User
from auth.service import get_unit, get_user
from workflow import ledger
from workflow.actor import Actor
from workflow.db import MAX_ID, isoformat, utcnow
from workflow.errors import Conflict, Invalid, NotFound
from workflow.guards import require_appoint_acting, require_read_acting
from workflow.states import Role

#: The longest appointment: a leave or a crisis, not a standing designation (that is the admin's).
MAX_DAYS = 90
MAX_REASON = 1000
#: A start this far in the past is read as "now": the form took a while to fill in.
SLACK = dt.timedelta(minutes=10)


def _status(appointment: ActingAppointment, now: dt.datetime) -> str:
    if appointment.ended_at is not None:
        return "ended" if appointment.ended_at > appointment.starts_at else "cancelled"
    if appointment.ends_at <= now:
        return "ended"
    return "active" if appointment.starts_at <= now else "planned"


def appointment_dict(appointment: ActingAppointment, now: dt.datetime | None = None) -> dict:
    """Return an appointment as the API, the page and the CLI show it."""
    now = now or utcnow()
    return {
        "id": appointment.id,
        "unit": appointment.unit.code,
        "username": appointment.user.username,
        "full_name": appointment.user.full_name,
        "appointed_by": appointment.appointed_by.username,
        "reason": appointment.reason,
        "starts_at": isoformat(appointment.starts_at),
        "ends_at": isoformat(appointment.ends_at),
        "ended_at": isoformat(appointment.ended_at),
        "ended_by": appointment.ended_by.username if appointment.ended_by else None,
        "end_reason": appointment.end_reason,
        "status": _status(appointment, now),
    }


def list_appointments(session: Session, actor: Actor | None, unit_code: str) -> list[ActingAppointment]:
    """Return the unit's appointments, those still to come or holding first, then the past, newest first."""
    unit = get_unit(session, unit_code)
    require_read_acting(actor, unit.id)
    now = utcnow()
    current = sa.and_(ActingAppointment.ended_at.is_(None), ActingAppointment.ends_at > now)
    return list(
        session.scalars(
            sa.select(ActingAppointment)
            .options(*_LOADED)
            .where(ActingAppointment.unit_id == unit.id)
            .order_by(sa.case((current, 0), else_=1), ActingAppointment.starts_at.desc(), ActingAppointment.id)
            .limit(200)
        )
    )


_LOADED = (
    joinedload(ActingAppointment.unit),
    joinedload(ActingAppointment.user),
    joinedload(ActingAppointment.appointed_by),
    joinedload(ActingAppointment.ended_by),
)


def _reason(reason: object, field: str = "reason") -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise Invalid("reason_required", "Give the reason in writing.", errors={field: ["A reason is required."]})
    if len(text) > MAX_REASON:
        raise Invalid(
            "reason_too_long", "The reason is too long.", errors={field: [f"Longer than maximum length {MAX_REASON}."]}
        )
    return text


def appoint(
    session: Session,
    actor: Actor,
    unit_code: str,
    username: str,
    reason: str,
    ends_at: dt.datetime,
    starts_at: dt.datetime | None = None,
) -> ActingAppointment:
    """Make someone the unit's acting spokesperson from `starts_at` (now) until `ends_at`, on the ledger."""
    unit = get_unit(session, unit_code)
    require_appoint_acting(actor, unit.id)
    user = get_user(session, username, "username")
    reason = _reason(reason)
    now = utcnow()
    starts = now if starts_at is None or now - SLACK <= starts_at <= now else starts_at
    if starts < now:
        raise Invalid(
            "acting_period",
            "An appointment cannot start in the past.",
            errors={"starts_at": ["The start cannot be in the past."]},
        )
    if ends_at <= starts:
        raise Invalid(
            "acting_period",
            "An appointment must end after it starts.",
            errors={"ends_at": ["The end must come after the start."]},
        )
    if ends_at - starts > dt.timedelta(days=MAX_DAYS):
        raise Invalid(
            "acting_period",
            f"An acting appointment lasts at most {MAX_DAYS} days; for longer, designate a spokesperson.",
            errors={"ends_at": [f"At most {MAX_DAYS} days."]},
        )
    if not user.active:
        raise Invalid(
            "user_inactive", f"{username} is deactivated.", errors={"username": ["This account is deactivated."]}
        )
    if session.scalar(sa.select(Membership.id).where(Membership.user_id == user.id, Membership.role == Role.AUDITOR)):
        raise Conflict(
            "auditor_not_spokesperson",
            "An auditor reads everything and changes nothing, so an auditor cannot speak for a unit.",
        )
    # The unit's row is locked so that two leaders appointing at once cannot both find the period free.
    # NO KEY UPDATE: statements of the unit may still be written meanwhile (their key share is not taken).
    session.execute(sa.select(Unit.id).where(Unit.id == unit.id).with_for_update(key_share=True))
    clash = session.scalar(
        sa.select(ActingAppointment)
        .options(*_LOADED)
        .where(
            ActingAppointment.unit_id == unit.id,
            ActingAppointment.ended_at.is_(None),
            ActingAppointment.starts_at < ends_at,
            ActingAppointment.ends_at > starts,
        )
    )
    if clash is not None:
        raise Conflict(
            "acting_overlap",
            f"{clash.user.full_name} is already acting spokesperson of {unit.code} from"
            f" {isoformat(clash.starts_at)} to {isoformat(clash.ends_at)}; end that appointment first.",
        )
    appointment = ActingAppointment(
        unit_id=unit.id,
        user_id=user.id,
        appointed_by_id=actor.user_id,
        reason=reason,
        starts_at=starts,
        ends_at=ends_at,
    )
    session.add(appointment)
    session.flush()
    _log(session, actor, unit, "appoint_acting_spokesperson", reason, appointment, user.username)
    return _loaded(session, appointment.id)


def end(session: Session, actor: Actor, appointment_id: int, reason: str) -> ActingAppointment:
    """End an appointment now (or cancel one not yet begun), with the reason, on the ledger."""
    if not (actor.leader_scope or actor.is_admin):  # said before looking: which appointments exist is not theirs
        require_appoint_acting(actor, -1)
    found = (
        session.get(ActingAppointment, appointment_id, with_for_update=True) if 0 < appointment_id <= MAX_ID else None
    )
    if found is None:
        raise NotFound("appointment", f"No acting appointment {appointment_id}.")
    unit = session.get(Unit, found.unit_id)
    assert unit is not None  # a foreign key
    require_appoint_acting(actor, unit.id)
    reason = _reason(reason)
    now = utcnow()
    if found.ended_at is not None or found.ends_at <= now:
        raise Conflict("appointment_over", "This appointment has already ended.")
    # Before it began, it is cancelled: ended before its start, it never held.
    found.ended_at, found.ended_by_id, found.end_reason = now, actor.user_id, reason
    session.flush()
    user = session.get(User, found.user_id)
    _log(session, actor, unit, "end_acting_spokesperson", reason, found, user.username if user else None)
    return _loaded(session, found.id)


def _loaded(session: Session, appointment_id: int) -> ActingAppointment:
    return session.scalars(
        sa.select(ActingAppointment)
        .options(*_LOADED)
        .where(ActingAppointment.id == appointment_id)
        .execution_options(populate_existing=True)
    ).one()


def _log(
    session: Session,
    actor: Actor,
    unit: Unit,
    action: str,
    reason: str,
    appointment: ActingAppointment,
    username: str | None,
) -> None:
    ledger.append(
        session,
        kind=ledger.EntryKind.ADMIN,
        action=action,
        actor_id=actor.user_id,
        actor=actor.username,
        role="leader" if actor.is_competent_leader(unit.id) else "admin",
        unit=unit.code,
        comment=reason,
        data={
            "appointment": appointment.id,
            "username": username,
            "starts_at": isoformat(appointment.starts_at),
            "ends_at": isoformat(appointment.ends_at),
            "ended_at": isoformat(appointment.ended_at),
            "via": actor.via,
        },
    )
