"""A notification is both the in-app message and, when the person takes email, the outbox row that sends it.

It is written from the ledger entry of the decision (or deadline) that causes it, itself written in the
deciding transaction, so a decision rolled back tells nobody and a crash loses nothing (see fanout); the
worker sends what is committed and pending, retrying with backoff.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow


class Kind:
    """What a notification tells, from the state the statement reached (see service.KIND_OF_STATE)."""

    AWAITS_REVIEW = "awaits_review"
    ESCALATED = "escalated"
    AWAITS_RELEASE = "awaits_release"
    CHANGES_REQUESTED = "changes_requested"
    RELEASED = "released"
    REJECTED = "rejected"
    RETRACTED = "retracted"
    #: From the deadline sweep: a step half-way through its time, past it, and escalated to leaders above.
    REMINDER = "reminder"
    OVERDUE = "overdue"
    OVERDUE_ESCALATED = "overdue_escalated"
    #: A leader released urgent content in an emergency: told at once to all concerned, a review awaited.
    EMERGENCY_RELEASE = "emergency_release"
    #: Another person's review of an emergency release recorded a finding: its releaser is told.
    EMERGENCY_FINDING = "emergency_finding"
    #: A disclosure case was opened about the unit's information: its leaders are told (statement_id is
    #: None; `detail` names the case).
    DISCLOSURE_OPENED = "disclosure_opened"
    #: An emergency release went unreviewed past its due time: those who may review it are told.
    EMERGENCY_REVIEW_OVERDUE = "emergency_review_overdue"
    #: The registers' (statement_id is None; `detail` names the question or the item): a question from the
    #: press reached the unit, or was given to someone to answer; an item seen outside awaits judgement,
    #: a correction, or the judgement of the unit it was reported up to.
    PRESS_QUESTION = "press_question"
    PRESS_ASSIGNED = "press_assigned"
    WATCH_RECORDED = "watch_recorded"
    WATCH_CORRECTION = "watch_correction"
    WATCH_REPORTED = "watch_reported"
    #: A leader made the person acting spokesperson of a unit (statement_id is None; `detail` names the
    #: appointment and its period): the unit's waiting work is theirs from its start.
    ACTING_APPOINTED = "acting_appointed"
    ALL = (
        AWAITS_REVIEW,
        ESCALATED,
        AWAITS_RELEASE,
        CHANGES_REQUESTED,
        RELEASED,
        REJECTED,
        RETRACTED,
        REMINDER,
        OVERDUE,
        OVERDUE_ESCALATED,
        EMERGENCY_RELEASE,
        EMERGENCY_FINDING,
        DISCLOSURE_OPENED,
        EMERGENCY_REVIEW_OVERDUE,
        PRESS_QUESTION,
        PRESS_ASSIGNED,
        WATCH_RECORDED,
        WATCH_CORRECTION,
        WATCH_REPORTED,
        ACTING_APPOINTED,
    )


class Mail:
    """Where a notification's email is: to be sent, sent, given up on, or not to be sent at all."""

    PENDING = "pending"
    #: Kept for the person's daily digest (mail.send_digests), one mail for everything of the day.
    DIGEST = "digest"
    SENT = "sent"
    FAILED = "failed"
    NONE = "none"


class Mode:
    """How a person takes the email of one kind of notification."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"
    ALL = (IMMEDIATE, DIGEST, OFF)


class Notification(Base):
    """One thing one person is told about one statement."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_id_id", "user_id", "id"),
        # The worker's queue: only what waits to be sent is in this index.
        sa.Index(
            "ix_notifications_mail_due",
            "mail_due_at",
            postgresql_where=sa.text("mail_state = 'pending'"),
            sqlite_where=sa.text("mail_state = 'pending'"),
        ),
        # The daily digest's: only what waits for it.
        sa.Index(
            "ix_notifications_digest",
            "user_id",
            "id",
            postgresql_where=sa.text("mail_state = 'digest'"),
            sqlite_where=sa.text("mail_state = 'digest'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    statement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("statements.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    #: Who caused it, as the ledger names them (the person told reads their name, not their id).
    actor: Mapped[str] = mapped_column(sa.String(64))
    #: The unit's code and the statement's number are all an email carries: never the unreleased text.
    unit: Mapped[str] = mapped_column(sa.String(64))
    urgent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column()
    mail_state: Mapped[str] = mapped_column(sa.String(16), default=Mail.NONE)
    mail_to: Mapped[str | None] = mapped_column(sa.String(254))
    #: The language the person reads their email in, at the time it was written.
    mail_language: Mapped[str] = mapped_column(sa.String(8), default="vi")
    mail_attempts: Mapped[int] = mapped_column(default=0)
    mail_due_at: Mapped[dt.datetime | None] = mapped_column()
    mail_sent_at: Mapped[dt.datetime | None] = mapped_column()
    mail_error: Mapped[str | None] = mapped_column(sa.Text)
    #: What a deadline's notification adds, from its ledger entry: the due time and who is late.
    detail: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class NotificationSettings(Base):
    """A person's choices: the language of their email, and email per kind of notification."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(8), default="vi")
    #: {kind: mode}; a kind not named takes email immediately.
    modes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NotificationCursor(Base):
    """How far along the ledger's chain the notifications have been written (statements.notifications.fanout)."""

    __tablename__ = "notification_cursor"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    #: The last entry whose notifications are written (0: none yet).
    seq: Mapped[int] = mapped_column(sa.BigInteger)
