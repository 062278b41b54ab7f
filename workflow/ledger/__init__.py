"""The ledger: one hash-chained, append-only log of every decision, content change and admin act.

hash = SHA-256(prev_hash || RFC 8785 canonical JSON of the entry). On SQLite, whose writes are
serial anyway, an entry is chained as it is written. On PostgreSQL an entry is written unsealed in
the decision's own transaction (no global lock) and sealed into the chain shortly after its commit
(`workflow.ledger.sealing`). The database refuses every UPDATE and DELETE except sealing an entry once
(triggers in the migrations); `workflow.ledger.verification` recomputes the chain from the stored columns,
names the first entry that does not hold, and reports entries left unsealed too long.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from workflow.actor import Actor
from workflow.db import Base, insert_from_json, naive_utc, psycopg_connection, utcnow
from workflow.ledger.canonical import (
    GENESIS_HASH,
    HASHED_FIELDS,
    READABLE_AT,
    canonical_bytes,
    chain_hash,
    json_text,
    naive_utc_iso,
)

#: The advisory lock key that serialises sealing on PostgreSQL ("PGLEDGER" in ASCII).
ADVISORY_LOCK_KEY = 0x50474C4544474552


#: The actions whose entries publish a statement, and the partial index's predicate that finds them.
RELEASE_ACTIONS = ("release", "emergency_release")
RELEASE_PREDICATE = "action IN ('release', 'emergency_release')"


class EntryKind:
    """Named groups of what an entry records."""

    CONTENT = "content"  # a statement created or a version written
    DECISION = "decision"  # a lifecycle action
    ADMIN = "admin"  # units, users, roles, designations, rules
    ACCESS = "access"  # a read or export of unreleased content
    DISCLOSURE = "disclosure"  # a disclosure case opened or closed, a violation recorded
    DEADLINE = "deadline"  # the system reminded, said a step is overdue, or escalated it
    PRESS = "press"  # a question from the press registered, assigned, linked to its answer or refused
    WATCH = "watch"  # an item seen outside recorded, judged, linked to what answers it, or reported up
    LETTER = "letter"  # a statement issued as an official letter under its number, or the letter cancelled


class LedgerEntry(Base):
    """One link of the chain; written once, never changed."""

    __tablename__ = "ledger_entries"

    #: The row's identity, given at insert; its place in the chain is `seq`, given when sealed.
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), sa.Identity(), primary_key=True)
    seq: Mapped[int | None] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), unique=True)
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
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    @property
    def sealed(self) -> bool:
        """Whether the entry has its place in the chain yet."""
        return self.seq is not None

    __table_args__ = (
        sa.Index("ix_ledger_entries_kind_action", "kind", "action"),
        # The sealer's queue: only unsealed rows are in it, so it stays tiny.
        sa.Index(
            "ix_ledger_entries_unsealed",
            "id",
            postgresql_where=sa.text("seq IS NULL"),
            sqlite_where=sa.text("seq IS NULL"),
        ),
        # The press room's proof of release: the release entry of a statement's released content (a
        # spokesperson's, the worker's on their schedule, or a leader's in an emergency).
        sa.Index(
            "ix_ledger_entries_release",
            "statement_id",
            "content_hash",
            postgresql_where=sa.text(RELEASE_PREDICATE),
            sqlite_where=sa.text(RELEASE_PREDICATE),
        ),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
        sa.CheckConstraint(
            "(seq IS NULL AND prev_hash IS NULL AND hash IS NULL)"
            " OR (seq IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL)",
            name="sealed_whole",
        ),
    )


#: Chain order; entries not yet sealed come last, in the order they were written.
CHAIN_ORDER = (LedgerEntry.seq.asc().nulls_last(), LedgerEntry.id)


def head(session: Session | sa.Connection) -> tuple[int, str]:
    """Return the (seq, hash) at the head of the sealed chain, (0, GENESIS_HASH) when empty."""
    row = session.execute(
        sa.select(LedgerEntry.seq, LedgerEntry.hash)
        .where(LedgerEntry.seq.is_not(None))
        .order_by(LedgerEntry.seq.desc())
        .limit(1)
    ).first()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def chain(documents: list[dict[str, Any]], seq: int, prev_hash: str) -> list[dict[str, Any]]:
    """Give documents (hashed fields without seq) their seq, prev_hash and hash after (seq, prev_hash)."""
    sealed = []
    for fields in documents:
        seq += 1
        entry_hash = chain_hash(prev_hash, canonical_bytes(fields | {"seq": seq}))
        sealed.append({"seq": seq, "prev_hash": prev_hash, "hash": entry_hash})
        prev_hash = entry_hash
    return sealed


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
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one entry in the caller's transaction (written, not committed)."""
    fields = {name: value for name, value in locals().items() if name != "session"}
    append_many(session, [fields])


def append_unit_change(
    session: Session, actor: Actor, unit_id: int, unit: str, action: str, data: dict[str, Any]
) -> None:
    """Append a change of a unit's own settings by one of its leaders (or above) or an admin, named as which."""
    append(
        session,
        kind=EntryKind.ADMIN,
        action=action,
        actor_id=actor.user_id,
        actor=actor.username,
        role="leader" if actor.is_competent_leader(unit_id) else "admin",
        unit=unit,
        data=data,
    )


def append_many(session: Session, entries: list[dict[str, Any]]) -> None:
    """Append entries (dicts of `append`'s keywords) in order, with one insert; chained now or sealed soon."""
    if not entries:
        return
    documents = _documents(entries)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(INSERT_UNSEALED, as_json_params(documents))
        _written(session)
        return
    # SQLite: BEGIN IMMEDIATE already serialises writers, so the chain head cannot move under us.
    links = chain(documents, *head(session))
    session.execute(sa.insert(LedgerEntry), [fields | link for fields, link in zip(documents, links, strict=True)])
    chained(session, frozenset(document["kind"] for document in documents))


def append_with_update(
    session: Session, update: sa.Update, params: dict[str, Any], entry: dict[str, Any]
) -> sa.CursorResult[Any]:
    """Append one entry (a dict of `append`'s keywords) and run `update` with `params`; return the update's result."""
    # Session.execute types its result as the general Result; an UPDATE's is a CursorResult (its rowcount).
    if session.get_bind().dialect.name != "postgresql":
        append_many(session, [entry])
        return cast("sa.CursorResult[Any]", session.execute(update, params))
    # One statement, one round trip: a decision's entry and its statement's new state are written together
    # (PostgreSQL runs a data-modifying WITH to completion whether or not the UPDATE reads it).
    result = session.execute(update.add_cte(INSERTED_CTE), params | as_json_params(_documents([entry])))
    _written(session)
    return cast("sa.CursorResult[Any]", result)


#: Told of each session that wrote unsealed entries (PostgreSQL). `workflow.ledger.sealing` subscribes when it
#: is imported (the `workflow` package imports it), so that the ledger never needs to import its sealer.
_on_written: list[Callable[[Session], None]] = []


def on_written(hook: Callable[[Session], None]) -> Callable[[Session], None]:
    """Subscribe `hook` to every session that wrote unsealed entries; return it (a decorator)."""
    _on_written.append(hook)
    return hook


def _written(session: Session) -> None:
    if not _on_written:  # an entry nothing will ever seal: refuse to write it rather than lose its place
        raise RuntimeError("workflow.ledger.sealing is not loaded: nothing would seal this ledger entry")
    for hook in _on_written:
        hook(session)


#: Told of entries chained inside the writing transaction (SQLite; PostgreSQL in mode "inline"), with their
#: kinds, before it commits: statements.notifications subscribes, as it does to the sealer's passes.
_on_chained: list[Callable[[Session, frozenset[str]], None]] = []


def on_chained(hook: Callable[[Session, frozenset[str]], None]) -> Callable[[Session, frozenset[str]], None]:
    """Subscribe `hook(session, kinds)` to every transaction that chains entries as it writes them; return it."""
    _on_chained.append(hook)
    return hook


def chained(session: Session, kinds: frozenset[str]) -> None:
    """Tell the subscribers that the session's transaction chained entries of these kinds."""
    for hook in _on_chained:
        hook(session, kinds)


def _documents(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    now = utcnow()
    documents = []
    for given in entries:
        fields = {name: given.get(name) for name in HASHED_FIELDS if name != "seq"}
        fields["data"] = fields["data"] or {}
        fields["at"] = fields["at"] or now
        _check_data(fields["data"])
        documents.append(fields)
    return documents


#: Unsealed entries of one transaction in one statement and one round trip, in the order given (their ids
#: follow it, and sealing follows the ids), whatever their number: a list page logs a read of each
#: unreleased statement on it. They travel as one canonical JSON array, which PostgreSQL takes apart
#: (`workflow.db.insert_from_json`). Each entry's `data` arrives as its canonical text (json keeps text as
#: given), which is what verify in SQL expects.
_UNSEALED_COLUMNS = {
    "at": "timestamp",
    "kind": "varchar",
    "action": "varchar",
    "statement_id": "integer",
    "version": "integer",
    "content_hash": "varchar",
    "from_state": "varchar",
    "to_state": "varchar",
    "actor_id": "integer",
    "actor": "varchar",
    "role": "varchar",
    "unit": "varchar",
    "comment": "text",
    "data": "json",
}
#: Unsealed entries inserted from one JSON parameter (`as_json_params`), taken apart by the server.
INSERT_UNSEALED = insert_from_json("ledger_entries", _UNSEALED_COLUMNS, "entries")
#: The same insert as a WITH of another statement (`append_with_update`).
INSERTED_CTE = sa.text(f"{INSERT_UNSEALED.text} RETURNING id").columns(sa.column("id", sa.BigInteger)).cte("appended")


def as_json_params(documents: list[dict[str, Any]]) -> dict[str, str]:
    """Return entries as the one JSON parameter that INSERT_UNSEALED takes apart in the server."""
    rows = [doc | {"at": naive_utc(doc["at"]).isoformat()} for doc in documents]
    return {"entries": json_text(rows)}


def stored_columns(names: Iterable[str]) -> str:
    """Return the SQL select list of these entry columns, the time as every reader of stored entries takes it."""
    return ", ".join(READABLE_AT if name == "at" else name for name in names)


def stored_document(names: Iterable[str], row: Iterable[Any]) -> dict[str, Any]:
    """Return a row selected by `stored_columns(names)` as the document its hash covers."""
    doc = dict(zip(names, row, strict=True))
    doc["at"] = naive_utc_iso(doc["at"])  # timestamp without time zone, in UTC
    return doc


def iter_rows(session: Session, batch: int = 5000) -> Iterator[sa.Row[Any]]:
    """Stream every sealed entry's columns in seq order without building ORM objects."""
    columns = [LedgerEntry.__table__.c[name] for name in (*HASHED_FIELDS, "prev_hash", "hash")]
    result = session.execute(
        sa.select(*columns)
        .where(LedgerEntry.seq.is_not(None))
        .order_by(LedgerEntry.seq)
        .execution_options(yield_per=batch, stream_results=True)
    )
    yield from result


def pg_rows(conn: sa.Connection, lo: int = 1, hi: int | None = None, batch: int = 10_000) -> Iterator[dict[str, Any]]:
    """Stream sealed entries lo..hi (to the head when None) straight from psycopg, a server-side cursor."""
    names = (*sorted(HASHED_FIELDS), "prev_hash", "hash")
    upto = "" if hi is None else " AND seq <= %(hi)s"
    with psycopg_connection(conn).cursor(name=f"pressgate_verify_{lo}") as cursor:
        cursor.itersize = batch
        cursor.execute(
            f"SELECT {stored_columns(names)} FROM ledger_entries WHERE seq >= %(lo)s{upto} ORDER BY seq",
            {"lo": lo, "hi": hi},
        )
        for row in cursor:
            yield stored_document(names, row)
