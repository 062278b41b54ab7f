"""A report issued as an official report: numbered in its unit's yearly sequence, its figures kept as issued."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow


class IssuedReport(Base):
    """A unit's report for a period, issued under a number: never changed, never removed (evidence)."""

    __tablename__ = "issued_reports"
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "year", "number", name="uq_issued_reports_unit_year_number"),
        sa.CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    year: Mapped[int]
    #: From the same yearly sequence as the unit's letters (ND 30/2020 Art. 15: one sequence a year).
    number: Mapped[int]
    #: "BC-SYT-NV" in "05/BC-SYT-NV": the type's abbreviation before the letterhead's symbol.
    symbol: Mapped[str] = mapped_column(sa.String(44))
    period: Mapped[str] = mapped_column(sa.String(30))
    rolled_up: Mapped[bool]
    #: The report as issued, letterhead included, and the SHA-256 of its canonical form (on the ledger).
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    figures_hash: Mapped[str] = mapped_column(sa.String(64))
    signing_mark: Mapped[str] = mapped_column(sa.String(200))
    signer_name: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
