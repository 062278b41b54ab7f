"""A unit's deadline policy: read by the unit's people, set by its leaders and admins, every change on the ledger."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from auth.models import Unit
from auth.service import get_unit
from statements.notifications.models import Kind
from statements.notifications.service import MANDATORY
from workflow import ledger
from workflow.actor import Actor
from workflow.db import utcnow
from workflow.deadlines import DEFAULT_REMIND_PERCENT, SOURCE, Policy, UnitDeadlines, check_hours, holiday_name
from workflow.errors import Invalid
from workflow.guards import require_edit_deadlines, require_read_deadlines

#: How many days off a unit keeps in its policy (a year's worth and more).
MAX_DAYS_OFF = 100


def policy_of(session: Session, unit: Unit) -> tuple[Policy, UnitDeadlines | None]:
    """Return the unit's policy (the defaults where it set nothing) and its stored row, if any."""
    row = session.get(UnitDeadlines, unit.id)
    return Policy.of(row), row


def read_policy(session: Session, actor: Actor | None, unit_code: str) -> dict:
    """Return the unit's deadlines as the API and the page show them."""
    unit = get_unit(session, unit_code)
    require_read_deadlines(actor, unit.id)
    return policy_dict(session, unit)


def policy_dict(session: Session, unit: Unit) -> dict:
    """Return a unit's deadlines: hours by urgency, step and kind, its days off, and where the defaults come from."""
    policy, row = policy_of(session, unit)
    return {
        "remind_percent": policy.remind_percent,
        "grace_minutes": dict(policy.grace_minutes),
        "unit": unit.code,
        "hours": {u: {s: dict(k) for s, k in steps.items()} for u, steps in policy.hours.items()},
        "set_by_unit": row.hours if row else {},
        "days_off": sorted(d.isoformat() for d in policy.days_off),
        "source": SOURCE,
        # What the unit's people are always emailed at once: everyone's, and what the unit adds.
        "mandatory_mail": sorted(MANDATORY | set(row.mandatory_mail or ()) if row else MANDATORY),
        "mandatory_everywhere": sorted(MANDATORY),
        "updated_at": row.updated_at if row else None,
    }


def update_policy(
    session: Session,
    actor: Actor,
    unit_code: str,
    hours: dict,
    days_off: list[dt.date],
    remind_percent: int | None = None,
    grace_minutes: dict[str, int] | None = None,
    mandatory_mail: list[str] | None = None,
) -> dict:
    """Set what the unit sets over the default hours, its days off, and (when given) its reminder, grace and mail.

    `mandatory_mail` names the kinds of notification its people are always emailed at once, whatever
    they chose, beyond those always emailed everywhere.

    The change goes on the ledger.
    """
    unit = get_unit(session, unit_code)
    require_edit_deadlines(actor, unit.id)
    checked = check_hours(hours)
    if len(days_off) > MAX_DAYS_OFF:
        raise Invalid("days_off", "Too many days off.", errors={"days_off": [f"At most {MAX_DAYS_OFF} days."]})
    row = session.get(UnitDeadlines, unit.id)
    if row is None:
        row = UnitDeadlines(unit_id=unit.id)
        session.add(row)
    row.hours = checked
    row.days_off = sorted({d.isoformat() for d in days_off})
    if remind_percent is not None:
        row.remind_percent = remind_percent
    if grace_minutes is not None:
        row.grace_minutes = {**(row.grace_minutes or {}), **grace_minutes}
    if mandatory_mail is not None:
        unknown = sorted(set(mandatory_mail) - set(Kind.ALL))
        if unknown:
            raise Invalid(
                "mandatory_mail",
                "Unknown kind of notification.",
                errors={"mandatory_mail": [f"Unknown kind '{unknown[0]}'."]},
            )
        row.mandatory_mail = sorted(set(mandatory_mail) - MANDATORY)
    row.updated_at = utcnow()
    session.flush()
    ledger.append_unit_change(
        session,
        actor,
        unit.id,
        unit.code,
        "update_deadlines",
        # Minutes, not hours: the ledger's canonical form holds integers, never floats. Public holidays
        # among the days off already counted as such: named, so that the entry says what the change added.
        {
            "minutes": _minutes(checked),
            "days_off": row.days_off,
            "public_holidays": _holidays_among(row.days_off),
            "remind_percent": row.remind_percent if row.remind_percent is not None else DEFAULT_REMIND_PERCENT,
            "grace_minutes": row.grace_minutes or {},
            "mandatory_mail": row.mandatory_mail or [],
        },
    )
    return policy_dict(session, unit)


def _minutes(hours: dict[str, dict[str, dict[str, float]]]) -> dict:
    return {
        u: {s: {k: round(h * 60) for k, h in kinds.items()} for s, kinds in steps.items()} for u, steps in hours.items()
    }


def _holidays_among(days: list[str]) -> list[str]:
    return [day for day in days if holiday_name(dt.date.fromisoformat(day))]
