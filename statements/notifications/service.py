"""Who is told what when a statement moves, and the in-app list each person reads.

A decision tells whoever must act next (the spokesperson, the leaders, the drafter) and, once it is
final, its author and writers; never the person who decided. The notifications are written from the
decision's ledger entry (fanout), with their email pending when the person takes email of that kind.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Unit
from statements.notifications.models import Kind, Mode, Notification, NotificationSettings
from workflow.actor import Actor
from workflow.db import count_of, newest_first, utcnow
from workflow.deadlines import UnitDeadlines
from workflow.errors import Invalid, NotFound
from workflow.states import Role, State

#: Set on a session that wrote mail to send; statements.jobs wakes the worker when it commits.
MAIL_WAITING = "pressgate.mail_waiting"

#: What reaching each state tells: the states where someone must act next, and the final ones.
KIND_OF_STATE = {
    State.IN_REVIEW.value: Kind.AWAITS_REVIEW,
    State.ESCALATED.value: Kind.ESCALATED,
    State.APPROVED.value: Kind.AWAITS_RELEASE,
    State.CHANGES_REQUESTED.value: Kind.CHANGES_REQUESTED,
    State.RELEASED.value: Kind.RELEASED,
    State.REJECTED.value: Kind.REJECTED,
    State.RETRACTED.value: Kind.RETRACTED,
}
#: What each step of the deadline sweep (statements.lifecycle.timeliness) tells those its entry names.
KIND_OF_DEADLINE = {
    "deadline_reminder": Kind.REMINDER,
    "deadline_overdue": Kind.OVERDUE,
    "deadline_escalation": Kind.OVERDUE_ESCALATED,
    "emergency_review_overdue": Kind.EMERGENCY_REVIEW_OVERDUE,
}
#: Kinds that tell the statement's writers an outcome, rather than asking anyone to act.
OUTCOMES = (Kind.RELEASED, Kind.REJECTED, Kind.RETRACTED)
#: Email nobody turns off: an escalation waits on the competent authority, and an urgent item cannot
#: wait for someone to open the app (letters 6006 and of Resolution 128 put "timely" first).
MANDATORY = frozenset({Kind.ESCALATED, Kind.OVERDUE_ESCALATED, Kind.EMERGENCY_RELEASE, Kind.EMERGENCY_REVIEW_OVERDUE})


def page_for(
    session: Session, actor: Actor, page: int, per_page: int, *, unread: bool = False
) -> tuple[list[Notification], int]:
    """Return a page of the person's notifications (or only the unread), newest first, and how many there are."""
    mine = sa.and_(Notification.user_id == actor.user_id, Notification.read_at.is_(None) if unread else sa.true())
    return newest_first(session, Notification, mine, page, per_page)


def unread_rows(actor: Actor) -> sa.Select:
    """Return the SQL that selects the person's unread notifications, to count them."""
    return sa.select(Notification.id).where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))


def unread_count(session: Session, actor: Actor, up_to: int) -> int:
    """Return how many notifications the person has not read, counting no further than one past `up_to`."""
    return session.scalar(count_of(unread_rows(actor), up_to)) or 0


def one(session: Session, actor: Actor, notification_id: int) -> Notification:
    """Return one of the person's notifications (another person's does not exist for them)."""
    found = session.get(Notification, notification_id)
    if found is None or found.user_id != actor.user_id:
        raise NotFound("notification", f"No notification {notification_id}.")
    return found


def mark_read(session: Session, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one of the person's notifications read (or all of them); return how many changed."""
    where = [Notification.user_id == actor.user_id, Notification.read_at.is_(None)]
    if notification_id is not None:
        where.append(Notification.id == one(session, actor, notification_id).id)
    result = session.execute(sa.update(Notification).where(*where).values(read_at=utcnow()))
    return result.rowcount or 0


def settings_of(session: Session, actor: Actor) -> dict:
    """Return the person's email language and their mode for every kind (immediate unless they chose)."""
    found = session.get(NotificationSettings, actor.user_id)
    modes = (found.modes if found else None) or {}
    return {
        "language": found.language if found else "vi",
        "modes": {kind: Mode.IMMEDIATE if kind in MANDATORY else modes.get(kind, Mode.IMMEDIATE) for kind in Kind.ALL},
        "mandatory": sorted(MANDATORY),
        "mandatory_in": _mandatory_in(session, actor),
    }


#: What can reach a person in each role, so that their settings offer only that: a statement's writers (its
#: drafters) hear of its outcomes and its returns; whoever speaks for a unit (its spokesperson, someone
#: appointed, or a leader standing in for a unit without one) of what awaits review or release and of the
#: unit's press questions and items seen outside; leaders of sign-offs, escalations, disclosure cases and
#: emergency releases. Reminders and overdue notices go to whoever must act; a question may be given to anyone.
_WRITERS = {
    Kind.CHANGES_REQUESTED,
    *OUTCOMES,
    Kind.REMINDER,
    Kind.OVERDUE,
    Kind.EMERGENCY_RELEASE,
    Kind.WATCH_CORRECTION,
    Kind.PRESS_ASSIGNED,
    Kind.ACTING_APPOINTED,
}
_SPEAKERS = {
    Kind.AWAITS_REVIEW,
    Kind.AWAITS_RELEASE,
    Kind.REMINDER,
    Kind.OVERDUE,
    Kind.EMERGENCY_RELEASE,
    Kind.EMERGENCY_REVIEW_OVERDUE,
    Kind.PRESS_QUESTION,
    Kind.PRESS_ASSIGNED,
    Kind.WATCH_RECORDED,
    Kind.WATCH_REPORTED,
    Kind.ACTING_APPOINTED,
}
_LEADERS = {
    Kind.ESCALATED,
    Kind.OVERDUE_ESCALATED,
    Kind.REMINDER,
    Kind.OVERDUE,
    Kind.EMERGENCY_RELEASE,
    Kind.EMERGENCY_FINDING,
    Kind.EMERGENCY_REVIEW_OVERDUE,
    Kind.DISCLOSURE_OPENED,
    Kind.PRESS_ASSIGNED,
    Kind.ACTING_APPOINTED,
}
KINDS_OF_ROLE = {Role.DRAFTER: _WRITERS, Role.SPOKESPERSON: _SPEAKERS, Role.LEADER: _LEADERS}


def kinds_for(session: Session, actor: Actor) -> list[str]:
    """Return the kinds of notification that can reach the person, in their usual order.

    Those of their roles, of speaking for a unit (appointed, or a leader standing in for a unit without a
    spokesperson), and any they have received: a role since given up, or a register's focal officer,
    still sees what came.
    """
    reach = {kind for _unit, role in actor.memberships for kind in KINDS_OF_ROLE.get(role, ())}
    if actor.acting_for:
        reach |= _SPEAKERS
    reach.update(session.scalars(sa.select(Notification.kind).where(Notification.user_id == actor.user_id).distinct()))
    return [kind for kind in Kind.ALL if kind in reach]


def _mandatory_in(session: Session, actor: Actor) -> dict[str, list[str]]:
    """Return, per kind, the person's units whose policy emails it at once whatever they chose."""
    units = sorted({unit_id for unit_id, _role in actor.memberships} | actor.acting_for)
    rows = session.execute(
        sa.select(Unit.code, UnitDeadlines.mandatory_mail)
        .join(Unit, Unit.id == UnitDeadlines.unit_id)
        .where(UnitDeadlines.unit_id.in_(units), UnitDeadlines.mandatory_mail.is_not(None))
        .order_by(Unit.code)
    )
    found: dict[str, list[str]] = {}
    for code, kinds in rows:
        for kind in kinds:
            found.setdefault(kind, []).append(code)
    return found


def change_settings(session: Session, actor: Actor, language: str | None, modes: dict[str, str]) -> dict:
    """Change the person's email language and modes; a mandatory kind cannot be turned off."""
    errors: dict[str, list[str]] = {}
    if language is not None and language not in ("vi", "en"):
        errors["language"] = ["Must be one of: vi, en."]
    for kind, mode in modes.items():
        if kind not in Kind.ALL:
            errors.setdefault("modes", []).append(f"Unknown kind '{kind}'.")
        elif mode not in Mode.ALL:
            errors.setdefault("modes", []).append(f"Must be one of: {', '.join(Mode.ALL)}.")
        elif kind in MANDATORY and mode != Mode.IMMEDIATE:
            errors.setdefault("modes", []).append("Escalations are always sent by email.")
    if errors:
        raise Invalid("notification_settings", "The settings are not valid.", errors=errors)
    found = session.get(NotificationSettings, actor.user_id)
    if found is None:
        found = NotificationSettings(user_id=actor.user_id, language="vi", modes={})
        session.add(found)
    if language is not None:
        found.language = language
    found.modes = {**(found.modes or {}), **modes}
    found.updated_at = utcnow()
    session.flush()
    return settings_of(session, actor)
