"""Who is told what when a statement moves, and the in-app list each person reads.

A decision tells whoever must act next (the spokesperson, the leaders, the drafter) and, once it is
final, its author and writers; never the person who decided. Each notification is written in the
deciding transaction (see models), with its email pending when the person takes email of that kind.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.acting import who_acts_next
from auth.models import User
from statements.notifications.models import Kind, Mail, Mode, Notification, NotificationSettings
from workflow.actor import Actor
from workflow.db import UTCDateTime, count_of, newest_first, utcnow
from workflow.errors import Invalid, NotFound
from workflow.states import State

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
#: Kinds that tell the statement's writers an outcome, rather than asking anyone to act.
OUTCOMES = (Kind.RELEASED, Kind.REJECTED, Kind.RETRACTED)
#: Email nobody turns off: an escalation waits on the competent authority, and an urgent item cannot
#: wait for someone to open the app (letters 6006 and of Resolution 128 put "timely" first).
MANDATORY = frozenset({Kind.ESCALATED, Kind.OVERDUE_ESCALATED})


def record_decision(
    session: Session,
    actor: Actor,
    *,
    statement_id: int,
    unit_id: int,
    unit_code: str,
    author_id: int,
    writers: Iterable[int],
    excluded: Iterable[int | None],
    to_state: str,
    urgent: bool,
) -> int:
    """Tell whom a decision concerns, in its transaction; return how many were told."""
    kind = KIND_OF_STATE.get(to_state)
    if kind is None:
        return 0
    if kind in OUTCOMES:
        told = {author_id, *writers}
    elif kind == Kind.CHANGES_REQUESTED:
        told = {author_id}
    else:  # the reviewers, worked out as the statement page names them
        told = {who.user_id for who in who_acts_next(session, to_state, unit_id, author_id, excluded)}
    told.discard(actor.user_id)  # one who decides is not told of their own decision
    if not told:
        return 0
    states = tell(
        session, kind, told, statement_id=statement_id, unit_code=unit_code, actor=actor.username, urgent=urgent
    )
    if Mail.PENDING in states:
        session.info[MAIL_WAITING] = True  # the worker is woken once this commits (statements.jobs)
    return len(states)


def tell(
    connection: Session | sa.Connection,
    kind: str,
    told: set[int],
    *,
    statement_id: int,
    unit_code: str,
    actor: str,
    urgent: bool,
) -> list[str]:
    """Write one notification of `kind` to each active person of `told`; return their mails' states.

    One INSERT … SELECT (`_TELL`, one per kind): each person's address, language and choices are read by the
    statement that writes (the floor benchmark sends it too).
    """
    params = {
        "told": sorted(told),
        "statement_id": statement_id,
        "kind": kind,
        "actor": actor,
        "unit": unit_code,
        "urgent": urgent,
        "forced": urgent or kind in MANDATORY,
        "now": utcnow(),
    }
    return list(connection.execute(_TELL[kind], params).scalars().all())


def _tell_statement(kind: str) -> sa.Insert:
    # Built once, with every value bound: building it afresh for each decision cost more CPU than
    # running it (1.5 ms of Python a decision against 0.3 ms of SQL, measured in process on 2026-12-04).
    chose = NotificationSettings.modes[kind].as_string()  # one statement per kind: a bound JSON key is not portable
    emailed = sa.and_(
        User.email.is_not(None),
        User.email != "",
        sa.or_(sa.bindparam("forced", type_=sa.Boolean), sa.func.coalesce(chose, Mode.IMMEDIATE) != Mode.OFF),
    )
    now = sa.bindparam("now", type_=UTCDateTime())
    rows = (
        sa.select(
            User.id,
            sa.bindparam("statement_id", type_=sa.Integer),
            sa.bindparam("kind", type_=sa.String),
            sa.bindparam("actor", type_=sa.String),
            sa.bindparam("unit", type_=sa.String),
            sa.bindparam("urgent", type_=sa.Boolean),
            now,
            sa.case((emailed, Mail.PENDING), else_=Mail.NONE),
            sa.case((emailed, User.email), else_=None),
            sa.func.coalesce(NotificationSettings.language, "vi"),
            sa.literal(0),
            sa.case((emailed, now), else_=None),
        )
        .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(User.id.in_(sa.bindparam("told", expanding=True)), User.active)
    )
    # The table, not the entity: with a dict of values the ORM would take it for a bulk INSERT of rows.
    table = Notification.__table__
    return sa.insert(table).from_select(_COLUMNS, rows).returning(table.c.mail_state)


_COLUMNS = [
    "user_id",
    "statement_id",
    "kind",
    "actor",
    "unit",
    "urgent",
    "created_at",
    "mail_state",
    "mail_to",
    "mail_language",
    "mail_attempts",
    "mail_due_at",
]
_TELL = {kind: _tell_statement(kind) for kind in Kind.ALL}


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
    }


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
