"""Sign-in and tokens: passwords checked, bearer tokens and web sessions issued, resolved and revoked."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import ActingAppointment, ApiToken, Membership, User
from auth.passwords import DUMMY_HASH, check_password
from auth.service import resolve_actor
from workflow.actor import Actor
from workflow.db import utcnow


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user with this username and password, else None (in constant-ish time)."""
    user = session.scalar(sa.select(User).where(User.username == username)) if isinstance(username, str) else None
    if user is None:
        check_password(DUMMY_HASH, password or "")
        return None
    if not check_password(user.password_hash, password or "") or not user.active:
        return None
    return user


def token_digest(token: str) -> str:
    """Return the SHA-256 stored for a token's secret (the secret itself is never stored)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, ttl: dt.timedelta, kind: str = "api") -> tuple[str, ApiToken]:
    """Issue a bearer token or web session; return the secret (shown once) and its stored record."""
    secret = secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, kind=kind, token_hash=token_digest(secret), expires_at=utcnow() + ttl)
    session.add(record)
    session.flush()
    return secret, record


def _live(revoked_at: dt.datetime | None, expires_at: dt.datetime, holder_active: bool) -> bool:
    # The one rule for every token and web session: not revoked, not expired, its holder not deactivated.
    return revoked_at is None and expires_at > utcnow() and holder_active


#: A token with its holder, their roles and the acting appointments holding at `now`, one row per
#: membership (and appointment), as plain columns: an API request needs no ORM objects to know who is
#: acting (the token's record is loaded only to revoke it). Appointments are few and rarely more than
#: one a person, so joining them here costs no query of its own.
TOKEN_GRANT = (
    sa.select(
        ApiToken.id, ApiToken.expires_at, ApiToken.revoked_at, User.id.label("user_id"), User.username,
        User.full_name, User.active, Membership.unit_id, Membership.role,
        ActingAppointment.unit_id.label("acting_unit_id"), ActingAppointment.id.label("appointment_id"),
    )
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(Membership, Membership.user_id == User.id)
    .outerjoin(
        ActingAppointment,
        sa.and_(ActingAppointment.user_id == User.id, ActingAppointment.active_at(sa.bindparam("now"))),
    )
    .where(ApiToken.token_hash == sa.bindparam("digest"), ApiToken.kind == sa.bindparam("kind"))
)  # fmt: skip


def grant_params(secret: str, kind: str) -> dict[str, object]:
    """Return the parameters TOKEN_GRANT is run with for a secret."""
    return {"digest": token_digest(secret), "kind": kind, "now": utcnow()}


@dataclass(frozen=True)
class Grant:
    """A live bearer token or web session: its id, its holder's name, and the holder as the guards see them."""

    token_id: int
    full_name: str
    actor: Actor


def resolve_grant(session: Session, secret: str, via: str, kind: str = "api") -> Grant | None:
    """Return the live token of this kind for a secret with its holder, or None (the one resolver of tokens)."""
    rows = session.connection().execute(TOKEN_GRANT, grant_params(secret, kind)).all()
    if not rows:
        return None
    token = rows[0]
    if not _live(token.revoked_at, token.expires_at, token.active):
        return None
    memberships = frozenset((row.unit_id, row.role) for row in rows if row.unit_id is not None)
    appointments = frozenset((row.acting_unit_id, row.appointment_id) for row in rows if row.appointment_id)
    actor = resolve_actor(session, token.user_id, token.username, memberships, appointments, via)
    return Grant(token.id, token.full_name, actor)


def revoke_token(session: Session, token_id: int) -> None:
    """Revoke a token (or web session) now."""
    session.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=utcnow()))
