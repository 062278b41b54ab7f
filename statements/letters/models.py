"""What a letter keeps: its unit's letterhead, the letters issued with their numbers, and each year's last number."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow


class Letterhead(Base):
    """A unit's letterhead over the defaults (its name, its parent's, its code): set by admins, on the ledger."""

    __tablename__ = "letterheads"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True, autoincrement=False)
    #: The issuing body's name as the letter prints it (ND 30 appendix I: in capitals, bold).
    full_name: Mapped[str] = mapped_column(sa.String(300))
    #: The body it answers to, printed above it ("" for none: the ministry).
    parent_name: Mapped[str] = mapped_column(sa.String(300), default="")
    #: The letters' symbol after the number: "SYT-NV" in "123/SYT-NV".
    symbol: Mapped[str] = mapped_column(sa.String(40))
    #: Where the letters are issued: "An Hòa" in "An Hòa, ngày 12 tháng 3 năm 2026".
    place: Mapped[str] = mapped_column(sa.String(100))
    #: "Kính gửi" by default, and "Nơi nhận" before its last line ("Lưu: VT, <archive>.").
    recipients: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    copies_to: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: The drafting office's code in the archive line: "NV" in "Lưu: VT, NV.".
    archive: Mapped[str] = mapped_column(sa.String(40), default="")
    #: Who may sign: [{"mark": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "name": "Nguyễn Văn A"}], the first by default.
    signers: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LetterCounter(Base):
    """The last number a unit gave a letter in a year: moved in the transaction that issues the letter."""

    __tablename__ = "letter_counters"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int]


class Letter(Base):
    """A statement issued as an official letter: numbered, bound to the content it was issued with, kept for ever."""

    __tablename__ = "letters"
    __table_args__ = (
        # A number belongs to one letter for ever, cancelled or not (ND 30 Art. 15: numbers are not reused).
        sa.UniqueConstraint("unit_id", "year", "number", name="uq_letters_unit_year_number"),
        sa.CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    year: Mapped[int]
    number: Mapped[int]
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("statements.id"), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    #: The letter as issued, so that a later change of the letterhead never changes a letter already sent.
    symbol: Mapped[str] = mapped_column(sa.String(40))
    place: Mapped[str] = mapped_column(sa.String(100))
    unit_full_name: Mapped[str] = mapped_column(sa.String(300))
    parent_name: Mapped[str] = mapped_column(sa.String(300))
    #: The "V/v" line: what the letter is about.
    subject: Mapped[str] = mapped_column(sa.String(300))
    recipients: Mapped[list[str]] = mapped_column(sa.JSON)
    copies_to: Mapped[list[str]] = mapped_column(sa.JSON)
    archive: Mapped[str] = mapped_column(sa.String(40))
    signing_mark: Mapped[str] = mapped_column(sa.String(200))
    signer_name: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    cancelled_at: Mapped[dt.datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def number_text(self) -> str:
        """Return the number and symbol as the letter prints them: "05/SYT-NV" (ND 30 Art. 15: from 01)."""
        return f"{self.number:02d}/{self.symbol}"
