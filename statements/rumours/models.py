"""What the watch keeps: items seen outside, how they were judged, what corrects them and whom they went up to."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow

#: How an item seen outside is judged (letter 6006 §2; the Resolution-128 letter §3).
ASSESSMENTS = ("unassessed", "true", "misleading", "false", "beyond_authority")


class WatchFocal(Base):
    """A unit's focal officer for the watch (cán bộ đầu mối): one of its press desk, who keeps and triages it."""

    __tablename__ = "watch_focals"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    appointed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    appointed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Rumour(Base):
    """An item seen outside: where and when, what it says, how it was judged, what answers it."""

    __tablename__ = "rumours"
    __table_args__ = (
        sa.CheckConstraint(
            "assessment IN ('unassessed', 'true', 'misleading', 'false', 'beyond_authority')", name="assessment_valid"
        ),
        sa.CheckConstraint("reach IS NULL OR reach >= 0", name="reach_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    platform: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(1000))
    first_seen_at: Mapped[dt.datetime]
    summary: Mapped[str] = mapped_column(sa.Text)
    #: How many people it reached as far as one can tell (views, shares), if known.
    reach: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: Its words, when pasted: matched against released statements when registered.
    text: Mapped[str | None] = mapped_column(sa.Text)
    #: What the match found then: the verdict, the statement it follows and the differences.
    matched: Mapped[dict | None] = mapped_column(sa.JSON)
    assessment: Mapped[str] = mapped_column(sa.String(32), default="unassessed")
    assessment_note: Mapped[str | None] = mapped_column(sa.Text)
    assessed_at: Mapped[dt.datetime | None]
    assessed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: The unit's statement the item is about, if any.
    concerns_id: Mapped[int | None] = mapped_column(sa.ForeignKey("statements.id"))
    #: The correction statement that answers it (a `correction`, through the lifecycle).
    correction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("statements.id"), unique=True)
    #: The unit above it was last reported to (beyond this unit's authority); the chain is on the ledger.
    reported_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    reported_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
