"""The organisation: units in a tree, users, their roles per unit, and API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, utcnow
from workflow.states import Role, check_in


class Unit(Base):
    """A unit of the health sector: the ministry, a department, a provincial DoH, a hospital."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class User(Base):
    """A person who signs in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    #: argon2id encoded hash (parameters included).
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # flask-login's user protocol, kept here so the web layer needs no wrapper class.
    @property
    def is_active(self) -> bool:
        """Inactive users cannot sign in."""
        return self.active

    @property
    def is_authenticated(self) -> bool:
        """A loaded user is an authenticated one."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """Never anonymous."""
        return False

    def get_id(self) -> str:
        """Return the id flask-login keeps in the session."""
        return str(self.id)


class Membership(Base):
    """A role a user holds in a unit."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "unit_id", "role", name="uq_memberships_user_unit_role"),
        sa.CheckConstraint(check_in("role", Role), name="role_valid"),
        # One designated spokesperson per unit, enforced by the database itself.
        sa.Index(
            "uq_memberships_one_spokesperson",
            "unit_id",
            unique=True,
            sqlite_where=sa.text("role = 'spokesperson'"),
            postgresql_where=sa.text("role = 'spokesperson'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    unit: Mapped[Unit] = relationship()


class ActingAppointment(Base):
    """Someone a unit's leader made its acting spokesperson for a period, with a written reason.

    The appointee speaks for the unit from `starts_at` until `ends_at` (or until it is ended early); it
    ends by itself. Several never overlap in one unit. Every appointment and early end is on the ledger.
    """

    __tablename__ = "acting_appointments"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_it_starts"),
        sa.Index("ix_acting_appointments_user_id_ends_at", "user_id", "ends_at"),
        sa.Index("ix_acting_appointments_unit_id_ends_at", "unit_id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    appointed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    starts_at: Mapped[dt.datetime]
    #: When it ends by itself.
    ends_at: Mapped[dt.datetime]
    #: When someone ended it early (or cancelled it before it began), who, and why.
    ended_at: Mapped[dt.datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    appointed_by: Mapped[User] = relationship(foreign_keys=[appointed_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    @classmethod
    def active_at(cls, now: sa.ColumnElement[dt.datetime] | dt.datetime, alias: Any = None) -> sa.ColumnElement[bool]:
        """Return the SQL condition that an appointment (of `alias`, if given) holds at `now`."""
        of = cls if alias is None else alias
        return sa.and_(of.starts_at <= now, of.ends_at > now, of.ended_at.is_(None))


class ApiToken(Base):
    """A bearer token (API) or a signed-in browser session (web); only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (sa.CheckConstraint("kind IN ('api', 'web')", name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "api" for bearer tokens, "web" for browser sessions; neither is accepted as the other.
    kind: Mapped[str] = mapped_column(sa.String(8), default="api", server_default="api")
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()


class SignInThrottle(Base):
    """A sign-in counter: failed attempts under one key since a moment, or when an address last signed in."""

    __tablename__ = "sign_in_throttle"

    #: "pair:<username> <address>", "address:<address>", "user:<username>" or "known:<username> <address>".
    key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    #: When the counted window began (for "known:", the last successful sign-in from that address).
    since: Mapped[dt.datetime] = mapped_column(index=True)
    count: Mapped[int]
