"""What disclosure tracing keeps: exports with their fingerprints, the match index, cases and violations."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from workflow.db import Base, utcnow


class Export(Base):
    """One fingerprinted copy of an unreleased version, as given to one person (append-only)."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(8), unique=True)
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("statements.id"), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    format: Mapped[str] = mapped_column(sa.String(8))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The copy's form at each variant site of its version: the site rules' version, ":", and the choices in
    #: `variants.site_keys` order as hex (`variants.choices`); None for copies made before it was kept.
    variant_bits: Mapped[str | None] = mapped_column(sa.Text)


class CaseStatus:
    """Where a disclosure case stands."""

    OPEN = "open"
    CLOSED = "closed"


class Outcome:
    """What a closed case found."""

    NOT_A_LEAK = "not_a_leak"  # the text was released content, public when seen
    LEAK_ATTRIBUTED = "leak_attributed"  # unreleased content, and who disclosed it is established
    LEAK_UNATTRIBUTED = "leak_unattributed"  # unreleased content, source not established
    INCONCLUSIVE = "inconclusive"  # the text matches nothing PressGate holds, or the evidence is too thin

    ALL = (NOT_A_LEAK, LEAK_ATTRIBUTED, LEAK_UNATTRIBUTED, INCONCLUSIVE)


class Disclosure(Base):
    """A case: text found outside, where and when it was seen, what it matches, and what was found."""

    __tablename__ = "disclosures"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'closed')", name="status_valid"),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('not_a_leak', 'leak_attributed', 'leak_unattributed', 'inconclusive')",
            name="outcome_valid",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    text_hash: Mapped[str] = mapped_column(sa.String(64))
    seen_where: Mapped[str] = mapped_column(sa.String(500))
    seen_at: Mapped[dt.datetime]
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: The unit whose statements the case concerns (its best match), for leaders' visibility.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: The units the opener could search (None: the whole organisation).
    scope: Mapped[list | None] = mapped_column(sa.JSON)
    #: The analysis as it stood when the case was opened: released, matches, export, suspects.
    analysis: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), default=CaseStatus.OPEN)
    outcome: Mapped[str | None] = mapped_column(sa.String(32))
    finding: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[dt.datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    opened_by: Mapped[User] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    violations: Mapped[list[Violation]] = relationship(back_populates="case", order_by="Violation.id")


class Violation(Base):
    """A finding that one person disclosed unreleased information, from a closed case (append-only)."""

    __tablename__ = "violations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("disclosures.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    case: Mapped[Disclosure] = relationship(back_populates="violations")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
