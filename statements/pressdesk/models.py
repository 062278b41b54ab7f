"""What the press desk keeps: journalists' questions, their deadlines and answers, and each unit's time limits."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow

#: The grounds the Press Law (2016, Art. 38) gives for not providing information, as the register records them.
GROUNDS = ("state_secret", "private_secret", "under_investigation", "inspection_or_complaint", "draft_policy")
#: Where the grounds come from, shown beside them.
GROUNDS_SOURCE = "Press Law 2016 (Luật Báo chí), Art. 38"
#: Days to answer, calendar days from receipt: PressGate's defaults, which each unit sets for itself.
DEFAULT_DAYS = {"normal": 30, "urgent": 3}
DAYS_SOURCE = "PressGate's defaults; the unit sets its own time limits for answering the press"
MAX_DAYS = 90


class PressRequest(Base):
    """A journalist's question to a unit: who asked, what, when, by when, and how it ended."""

    __tablename__ = "press_requests"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'refused')", name="status_valid"),
        sa.CheckConstraint(
            "refusal_ground IS NULL OR refusal_ground IN ('state_secret', 'private_secret', 'under_investigation',"
            " 'inspection_or_complaint', 'draft_policy')",
            name="ground_valid",
        ),
        # A refusal always has its ground and reason; an open question never has them.
        sa.CheckConstraint(
            "(status = 'refused') = (refusal_ground IS NOT NULL AND refusal_reason IS NOT NULL)", name="refusal_whole"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    outlet: Mapped[str] = mapped_column(sa.String(200))
    journalist: Mapped[str] = mapped_column(sa.String(200))
    contact: Mapped[str] = mapped_column(sa.String(200))
    question: Mapped[str] = mapped_column(sa.Text)
    received_at: Mapped[dt.datetime]
    urgent: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    assigned_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: Open until refused; answered once its answer statement is released (read from the statement).
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("statements.id"), unique=True)
    refusal_ground: Mapped[str | None] = mapped_column(sa.String(32))
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    refused_at: Mapped[dt.datetime | None]
    refused_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PressPolicy(Base):
    """How many days a unit gives itself to answer the press, ordinary and urgent questions."""

    __tablename__ = "press_policies"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True)
    normal_days: Mapped[int]
    urgent_days: Mapped[int]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
