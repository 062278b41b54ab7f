"""The ledger: one hash-chained, append-only log of every decision, content change and admin act.

hash = SHA-256(prev_hash || RFC 8785 canonical JSON of the entry). The database refuses UPDATE
and DELETE on the table (triggers in the migration); `verify` recomputes the chain from the
stored columns and names the first entry that does not hold.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import rfc8785
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from workflow.db import Base, isoformat, utcnow

GENESIS_HASH = "0" * 64
#: The advisory lock key that serialises appends on PostgreSQL ("PGLEDGER" in ASCII).
ADVISORY_LOCK_KEY = 0x50474C4544474552


class EntryKind:
    """Named groups of what an entry records."""

    CONTENT = "content"  # a statement created or a version written
    DECISION = "decision"  # a lifecycle action
    ADMIN = "admin"  # units, users, roles, designations, rules
    ACCESS = "access"  # a read or export of unreleased content
    DISCLOSURE = "disclosure"  # a disclosure case opened or closed, a violation recorded


class LedgerEntry(Base):
    """One link of the chain; written once, never changed."""

    __tablename__ = "ledger_entries"

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(sa.String(16))
    action: Mapped[str] = mapped_column(sa.String(64))
    statement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("statements.id"), index=True)
    version: Mapped[int | None]
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))
    from_state: Mapped[str | None] = mapped_column(sa.String(32))
    to_state: Mapped[str | None] = mapped_column(sa.String(32))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The actor's username as it was, so the entry reads on its own.
    actor: Mapped[str | None] = mapped_column(sa.String(64))
    #: The role the actor acted in (e.g. "spokesperson").
    role: Mapped[str | None] = mapped_column(sa.String(32))
    #: The code of the unit concerned.
    unit: Mapped[str | None] = mapped_column(sa.String(64))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    #: Anything else the action records (channels, changed fields); integers and text only.
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (
        sa.Index("ix_ledger_entries_kind_action", "kind", "action"),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
    )


#: The columns the hash covers, in the canonical document's keys.
HASHED_FIELDS = (
    "seq",
    "at",
    "kind",
    "action",
    "statement_id",
    "version",
    "content_hash",
    "from_state",
    "to_state",
    "actor_id",
    "actor",
    "role",
    "unit",
    "comment",
    "data",
)


def canonical_bytes(fields: dict) -> bytes:
    """Return the RFC 8785 canonical JSON of an entry's hashed fields (text kept as written)."""
    doc = {name: fields.get(name) for name in HASHED_FIELDS}
    at = doc["at"]
    if isinstance(at, dt.datetime):
        doc["at"] = isoformat(at)
    doc["data"] = doc["data"] or {}
    if _plain(doc):
        # For ASCII keys, JSON-safe integers, text and null, sorted compact JSON *is* RFC 8785, and much
        # faster than the general implementation (tests/test_ledger.py checks the two agree).
        with contextlib.suppress(UnicodeEncodeError):
            return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return rfc8785.dumps(doc)


def _plain(value: object) -> bool:
    if value is None or isinstance(value, str | bool):
        return True
    if isinstance(value, int):
        return -_JSON_SAFE < value < _JSON_SAFE
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return False


#: Integers RFC 8785 writes exactly (IEEE 754 doubles hold every integer below 2**53).
_JSON_SAFE = 2**53


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """Return SHA-256(prev_hash || canonical) as hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def _lock_head(session: Session) -> None:
    """Serialise appends: on PostgreSQL an advisory lock held to commit; SQLite writes are already serial."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))


def head(session: Session) -> tuple[int, str]:
    """Return the (seq, hash) at the head of the chain, (0, GENESIS_HASH) when empty."""
    row = session.execute(
        sa.select(LedgerEntry.seq, LedgerEntry.hash).order_by(LedgerEntry.seq.desc()).limit(1)
    ).first()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def _check_data(value: object, path: str = "data") -> None:
    # Canonical JSON has no stable float form, so the ledger refuses floats outright.
    if isinstance(value, float):
        raise TypeError(f"{path} holds a float; the ledger records integers and text only")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_data(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_data(item, f"{path}[{i}]")


def append(
    session: Session,
    *,
    kind: str,
    action: str,
    actor_id: int | None = None,
    actor: str | None = None,
    role: str | None = None,
    unit: str | None = None,
    statement_id: int | None = None,
    version: int | None = None,
    content_hash: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> LedgerEntry:
    """Append one entry in the caller's transaction and return it (flushed, not committed)."""
    fields = {name: value for name, value in locals().items() if name != "session"}
    return append_many(session, [fields])[0]


def append_many(session: Session, entries: list[dict]) -> list[LedgerEntry]:
    """Append entries (dicts of `append`'s keywords) in order, under one lock, with one insert."""
    if not entries:
        return []
    now = utcnow()
    documents = []
    for given in entries:
        fields = {name: given.get(name) for name in HASHED_FIELDS if name != "seq"}
        fields["data"] = fields["data"] or {}
        fields["at"] = fields["at"] or now
        _check_data(fields["data"])
        documents.append(fields)
    _lock_head(session)
    seq, prev_hash = head(session)
    added = []
    for fields in documents:
        seq += 1
        fields["seq"] = seq
        entry_hash = chain_hash(prev_hash, canonical_bytes(fields))
        added.append(LedgerEntry(**fields, prev_hash=prev_hash, hash=entry_hash))
        prev_hash = entry_hash
    session.add_all(added)
    session.flush()
    return added


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of recomputing the chain (and holding it to signed checkpoints, when given)."""

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str | None = None
    checkpoints: int = 0

    def as_dict(self) -> dict:
        """Return the result as the API and CLI report it."""
        if self.ok:
            out = {"ok": True, "entries": self.entries, "head": {"seq": self.head_seq, "hash": self.head_hash}}
            return out | ({"checkpoints": self.checkpoints} if self.checkpoints else {})
        return {"ok": False, "entries": self.entries, "first_bad_seq": self.first_bad_seq, "reason": self.reason}


def iter_rows(session: Session, batch: int = 5000) -> Iterator[sa.Row]:
    """Stream every entry's columns in seq order without building ORM objects."""
    columns = [LedgerEntry.__table__.c[name] for name in (*HASHED_FIELDS, "prev_hash", "hash")]
    result = session.execute(
        sa.select(*columns).order_by(LedgerEntry.seq).execution_options(yield_per=batch, stream_results=True)
    )
    yield from result


def verify(session: Session, checkpoints: Iterable[dict] = ()) -> VerifyResult:
    """Recompute the chain from the stored columns; name the first seq that does not hold."""
    return verify_rows((row._mapping for row in iter_rows(session)), checkpoints)


def verify_rows(rows: Iterable[Mapping], checkpoints: Iterable[dict] = ()) -> VerifyResult:
    """Recompute a chain from its entries in seq order, then hold it to signed checkpoints (size, head_hash, at)."""
    marks = sorted(checkpoints, key=lambda c: c["size"])
    wanted = {c["size"] for c in marks}
    hash_at: dict[int, str] = {0: GENESIS_HASH}
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0

    def broken(reason: str) -> VerifyResult:
        return VerifyResult(False, count, expected_seq - 1, prev_hash, expected_seq, reason)

    for fields in rows:
        if fields["seq"] != expected_seq:
            return broken(f"entry {expected_seq} is missing (next stored entry is {fields['seq']})")
        if fields["prev_hash"] != prev_hash:
            return broken("prev_hash does not match the hash of the entry before it")
        if chain_hash(prev_hash, canonical_bytes(fields)) != fields["hash"]:
            return broken("stored hash does not match the entry's content (the entry was altered)")
        prev_hash, count = fields["hash"], count + 1
        if count in wanted:
            hash_at[count] = prev_hash
        expected_seq += 1
    good = 0  # the size of the last checkpoint the chain still agrees with
    for mark in marks:
        size, at = mark["size"], mark["at"]
        if size > count:
            return VerifyResult(
                False,
                count,
                count,
                prev_hash,
                count + 1,
                f"the ledger ends at entry {count}, but the checkpoint signed at {at} records {size} entries:"
                f" entries {count + 1} to {size} were removed",
            )
        if hash_at[size] != mark["head_hash"]:
            return VerifyResult(
                False,
                count,
                count,
                prev_hash,
                good + 1,
                f"entry {size} differs from the checkpoint signed at {at}: the chain was rewritten"
                f" from an entry between {good + 1} and {size}",
            )
        good = size
    return VerifyResult(True, count, expected_seq - 1, prev_hash, checkpoints=len(marks))
