"""Statements and their immutable, numbered versions."""

from __future__ import annotations

import datetime as dt
import hashlib

import rfc8785
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from auth.models import Unit, User
from workflow.db import Base, constant, utcnow
from workflow.ledger import RELEASE_ACTIONS, LedgerEntry
from workflow.states import Kind, State, Urgency, check_in

CONTENT_SCHEMA = "pressgate.content/1"


def content_hash(title: str, body: str, kind: str, topics: list[str], figures: dict | None = None) -> str:
    """Return the SHA-256 of the canonical form of what would be released (text kept as written).

    The figures block is part of what is approved and released; content without one hashes as it always has.
    """
    doc = {"schema": CONTENT_SCHEMA, "title": title, "body": body, "kind": kind, "topics": list(topics)}
    if figures:
        doc["figures"] = figures
    return hashlib.sha256(rfc8785.dumps(doc)).hexdigest()


def username_of(user_id: sa.ColumnElement[int] | Mapped[int]) -> sa.ScalarSelect[str]:
    """Return the username behind a user id column, as a subquery correlated to the row that names it."""
    users = User.__table__.c  # Core columns: a query of plain rows stays plain (no ORM compile step)
    return sa.select(users.username).where(users.id == user_id).scalar_subquery()


def release_recorded(
    statement_id: sa.ColumnElement[int], released_hash: sa.ColumnElement[str], released_version: sa.ColumnElement[int]
) -> sa.Exists:
    """Say in SQL whether the ledger holds the release of exactly this content and version (its release index)."""
    # The press room trusts the ledger, not the `state` column: a row set to 'released' by hand, with no
    # release entry for its content, is served to nobody (issue 25). The version too: the text served is
    # the released version's, so a row pointed by hand at another version (one never approved) is not.
    return sa.exists(_release_of(statement_id, released_hash, released_version))


def release_recorded_row_by_row(
    statement_id: sa.ColumnElement[int], released_hash: sa.ColumnElement[str], released_version: sa.ColumnElement[int]
) -> sa.ColumnElement[bool]:
    """Ask release_recorded's question one row at a time, for a condition OR'ed with others."""
    # Under an OR, PostgreSQL answers an EXISTS by hashing every release entry first, whatever the LIMIT:
    # at 100,000 releases that is 12-19 ms before a drafter's list shows its first row (49 ms a page, two
    # hashes). Asked as a scalar subquery it probes the index per row: 7-9 ms for the bounded count, and
    # an exact count of 100,000 statements takes 105 ms where the hash took 83 plus the page's own hash.
    return _release_of(statement_id, released_hash, released_version).limit(1).scalar_subquery().is_not(None)


def _release_of(
    statement_id: sa.ColumnElement[int], released_hash: sa.ColumnElement[str], released_version: sa.ColumnElement[int]
) -> sa.Select:
    e = LedgerEntry.__table__.c
    return sa.select(sa.literal(1)).where(
        # Written as the index's predicate is, so that PostgreSQL proves the partial index applies.
        e.action.in_([constant(action) for action in RELEASE_ACTIONS]),
        e.statement_id == statement_id,
        e.content_hash == released_hash,
        e.version == released_version,
    )


#: The deferred group of the `*_name` columns: queries that build answers undefer it.
PEOPLE_GROUP = "people"
#: Who did what: each `<name>_id` column of a statement has its `<name>_name`.
PEOPLE = (
    "author",
    "escalated_by",
    "approved_by",
    "released_by",
    "retracted_by",
    "sensitivity_cleared_by",
    "release_scheduled_by",
    "emergency_reviewed_by",
    "privacy_basis_by",
)


def _name_of(user_id: Mapped[int] | Mapped[int | None]) -> Mapped[str | None]:
    # Answers name people by username only: a column in the statement's own row, deferred until a
    # query that builds answers asks for the PEOPLE_GROUP, costs less than a User object per person.
    # Not expired by every flush of the row: no ORM flush changes who is named (a decision writes
    # through statements.lifecycle.snapshots.write_back, which expires the session's ORM copy whole).
    return column_property(username_of(user_id), deferred=True, group=PEOPLE_GROUP, expire_on_flush=False)


class StatementVersion(Base):
    """One written version of a statement; never changed once written (database triggers refuse it)."""

    __tablename__ = "statement_versions"
    __table_args__ = (
        sa.UniqueConstraint("statement_id", "number", name="uq_statement_versions_statement_number"),
        sa.CheckConstraint(check_in("kind", Kind), name="kind_valid"),
        sa.CheckConstraint(check_in("urgency", Urgency), name="urgency_valid"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("statements.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(16))
    urgency: Mapped[str] = mapped_column(sa.String(16))
    topics: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: The drafter's own "this is sensitive" flag for this version.
    sensitive_flag: Mapped[bool] = mapped_column(default=False)
    #: The figures block (workflow.figures): period, area, measures with source and previous figure, analysis.
    figures: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))  # no figures: SQL NULL, not "null"
    content_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    author_name: Mapped[str] = _name_of(author_id)

    def recompute_hash(self) -> str:
        """Return the content hash recomputed from the stored columns."""
        return content_hash(self.title, self.body, self.kind, self.topics, self.figures)


class FiguresPolicy(Base):
    """A unit's own rules for figures (letter 6006 §2), over the defaults of workflow.figures."""

    __tablename__ = "figures_policies"
    __table_args__ = (
        sa.CheckConstraint("min_analysis_words BETWEEN 0 AND 500", name="min_analysis_words_range"),
        sa.CheckConstraint("raw_share_percent BETWEEN 5 AND 100", name="raw_share_percent_range"),
    )

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True, autoincrement=False)
    #: The words an analysis needs before a statement with figures may be submitted (0: none needed).
    min_analysis_words: Mapped[int]
    #: The share of numbers among a body's words from which the spokesperson is told it reads as raw figures.
    raw_share_percent: Mapped[int]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def figures_policy_of(unit_id: sa.ColumnElement[int] | Mapped[int], column: str) -> sa.ScalarSelect[int]:
    """Return the unit's own figures policy value (None: the default), as a subquery of the row naming the unit."""
    policy = FiguresPolicy.__table__.c
    return sa.select(policy[column]).where(policy.unit_id == unit_id).scalar_subquery()


class WithVersions:
    """What a statement derives from its loaded versions: the ORM row and its snapshot share it."""

    @property
    def current(self) -> StatementVersion:  # a snapshot's: its VersionView, shaped alike
        """The newest version (from the loaded versions: no query per statement in a list)."""
        return next(v for v in reversed(self.versions) if v.number == self.current_version)

    @property
    def writer_ids(self) -> set[int]:
        """Everyone who authored the statement or wrote one of its versions (for four-eyes)."""
        return {self.author_id, *(v.author_id for v in self.versions)}


class Statement(WithVersions, Base):
    """A press statement of one unit, moving through the lifecycle."""

    __tablename__ = "statements"
    __table_args__ = (
        sa.CheckConstraint(check_in("state", State), name="state_valid"),
        sa.CheckConstraint(check_in("kind", Kind), name="kind_valid"),
        sa.CheckConstraint(check_in("urgency", Urgency), name="urgency_valid"),
        # A state's companion columns must be there: no approval without the approved hash, etc.
        sa.CheckConstraint(
            "state NOT IN ('approved', 'released', 'retracted')"
            " OR (approved_hash IS NOT NULL AND approved_version IS NOT NULL AND approved_by_id IS NOT NULL)",
            name="approved_has_hash",
        ),
        sa.CheckConstraint(
            "state NOT IN ('released', 'retracted') OR (released_at IS NOT NULL AND released_hash IS NOT NULL)",
            name="released_has_time",
        ),
        sa.CheckConstraint("state != 'retracted' OR retraction_reason IS NOT NULL", name="retracted_has_reason"),
        sa.CheckConstraint("state != 'escalated' OR escalated_by_id IS NOT NULL", name="escalated_has_escalator"),
        sa.CheckConstraint("release_at IS NULL OR state = 'approved'", name="scheduled_only_when_approved"),
        sa.Index("ix_statements_unit_state", "unit_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    state: Mapped[str] = mapped_column(sa.String(32), default=State.DRAFT.value, index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    urgency: Mapped[str] = mapped_column(sa.String(16))
    #: Number of the newest version; clients send it back with every action.
    current_version: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The statement this one corrects (Press Law 2016 Art. 42).
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("statements.id"))
    #: The unit's own minimum for a figures analysis, and its raw-figures share (None: the defaults).
    analysis_min_words: Mapped[int | None] = column_property(figures_policy_of(unit_id, "min_analysis_words"))
    raw_share_percent: Mapped[int | None] = column_property(figures_policy_of(unit_id, "raw_share_percent"))

    #: Recomputed on every change: drafter's flag, escalation, or a matched rule, unless cleared.
    sensitive: Mapped[bool] = mapped_column(default=False)
    sensitivity_reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: A leader's clearance holds only for the exact content hash it was given for.
    sensitivity_cleared_hash: Mapped[str | None] = mapped_column(sa.String(64))
    sensitivity_cleared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    sensitivity_cleared_reason: Mapped[str | None] = mapped_column(sa.Text)
    sensitivity_cleared_at: Mapped[dt.datetime | None]

    escalated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    escalated_at: Mapped[dt.datetime | None] = mapped_column(index=True)

    #: The legal basis a leader recorded for publishing the identifying details of this exact content:
    #: "consent" or "legal_duty" (Luật Khám bệnh, chữa bệnh 2023 Art. 10; docs/privacy.md).
    privacy_basis: Mapped[str | None] = mapped_column(sa.String(16))
    privacy_basis_hash: Mapped[str | None] = mapped_column(sa.String(64))
    privacy_basis_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    privacy_basis_reason: Mapped[str | None] = mapped_column(sa.Text)
    privacy_basis_at: Mapped[dt.datetime | None]

    approved_version: Mapped[int | None]
    approved_hash: Mapped[str | None] = mapped_column(sa.String(64))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None]
    #: "approve" or "sign_off": how the approval was given.
    approved_via: Mapped[str | None] = mapped_column(sa.String(16))

    released_version: Mapped[int | None] = mapped_column()
    released_hash: Mapped[str | None] = mapped_column(sa.String(64))
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    released_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    channels: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: "release" (by the spokesperson, or the worker on their schedule) or "emergency" (a leader's).
    released_via: Mapped[str | None] = mapped_column(sa.String(16))
    #: An emergency release awaits another person's review until then (None: none awaited).
    emergency_review_due_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    emergency_reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    emergency_reviewed_at: Mapped[dt.datetime | None]
    #: "agrees" or "finding", with the reviewer's words.
    emergency_review_outcome: Mapped[str | None] = mapped_column(sa.String(16))
    emergency_review_note: Mapped[str | None] = mapped_column(sa.Text)

    #: A scheduled release (embargo): when the worker releases the approved content, on which channels, on
    #: whose authority, and the approved content it was set for (a schedule never releases anything else).
    release_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    release_channels: Mapped[list | None] = mapped_column(sa.JSON)
    release_scheduled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    release_scheduled_hash: Mapped[str | None] = mapped_column(sa.String(64))

    retracted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    retracted_at: Mapped[dt.datetime | None]
    retraction_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: When the open step (review, sign-off, release, revision) is due, by the unit's policy; None without one.
    due_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    #: How far the deadline sweep has gone with the open step: 0 nothing yet, 1 reminded, 2 told it is
    #: overdue, 3 and 4 escalated one and two levels up (statements.lifecycle.timeliness).
    due_stage: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When the sweep next looks at the statement (None: nothing left to do); indexed, the sweep's only key.
    next_check_at: Mapped[dt.datetime | None] = mapped_column(index=True)

    #: Case-folded title and body without diacritics, so search finds "tu vong" and "tử vong" alike.
    #: Deferred: only search reads it, in SQL; loading it with every statement moved the text twice.
    search_text: Mapped[str] = mapped_column(sa.Text, default="", deferred=True)

    unit: Mapped[Unit] = relationship(lazy="joined", innerjoin=True)
    versions: Mapped[list[StatementVersion]] = relationship(order_by=StatementVersion.number, viewonly=True)
    author_name: Mapped[str] = _name_of(author_id)
    escalated_by_name: Mapped[str | None] = _name_of(escalated_by_id)
    approved_by_name: Mapped[str | None] = _name_of(approved_by_id)
    released_by_name: Mapped[str | None] = _name_of(released_by_id)
    retracted_by_name: Mapped[str | None] = _name_of(retracted_by_id)
    sensitivity_cleared_by_name: Mapped[str | None] = _name_of(sensitivity_cleared_by_id)
    release_scheduled_by_name: Mapped[str | None] = _name_of(release_scheduled_by_id)
    emergency_reviewed_by_name: Mapped[str | None] = _name_of(emergency_reviewed_by_id)
    privacy_basis_by_name: Mapped[str | None] = _name_of(privacy_basis_by_id)
    #: Whether the ledger records the release of the released content (see `release_recorded`).
    release_recorded: Mapped[bool] = column_property(
        release_recorded(id, released_hash, released_version),
        deferred=True,
        group=PEOPLE_GROUP,
        expire_on_flush=False,
    )


class RequestKey(Base):
    """An idempotency key (the API's Idempotency-Key, the web form's one-time token) and what it created."""

    __tablename__ = "request_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_request_keys_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Keys are the sender's own: two people may pick the same key without meeting.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(sa.String(255))
    #: SHA-256 of the request the key first came with: the same key with another request is refused.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    statement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("statements.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class VersionBand(Base):
    """One locality-sensitive bucket of a version's text: versions sharing a bucket with a leak are candidates."""

    __tablename__ = "version_bands"
    __table_args__ = (sa.Index("ix_version_bands_bucket", "band", "bucket"),)

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("statement_versions.id"), primary_key=True)
    band: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    bucket: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
