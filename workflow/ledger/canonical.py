"""The canonical form an entry is hashed in: RFC 8785 JSON of its fields, chained by SHA-256.

hash = SHA-256(prev_hash || canonical bytes). Pure functions, no database: the ledger writes and
seals with them, verify recomputes with them, and a bundle checks offline with them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Container, Iterable, Mapping
from typing import Any, NamedTuple, overload

import rfc8785

from workflow.db import isoformat

GENESIS_HASH = "0" * 64


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


def canonical_bytes(fields: Mapping[str, Any]) -> bytes:
    """Return the RFC 8785 canonical JSON of an entry's hashed fields (text kept as written)."""
    get = fields.get
    at = get("at")
    if isinstance(at, dt.datetime):
        at = _iso(at)
    data = get("data") or {}
    # Keys in sorted order already: the common case is encoded without building anything else.
    doc = {
        "action": get("action"),
        "actor": get("actor"),
        "actor_id": get("actor_id"),
        "at": at,
        "comment": get("comment"),
        "content_hash": get("content_hash"),
        "data": data,
        "from_state": get("from_state"),
        "kind": get("kind"),
        "role": get("role"),
        "seq": get("seq"),
        "statement_id": get("statement_id"),
        "to_state": get("to_state"),
        "unit": get("unit"),
        "version": get("version"),
    }
    if _SCALARS.issuperset(map(type, doc.values())) and _safe_ints(doc) and (not data or _plain(data)):
        # For ASCII keys, JSON-safe integers, text and null, sorted compact JSON *is* RFC 8785, and much
        # faster than the general implementation (tests/test_ledger.py checks the two agree).
        with contextlib.suppress(UnicodeEncodeError):
            return _ENCODE(doc).encode("utf-8")
    return rfc8785.dumps(doc)


_SCALARS = frozenset({str, int, type(None), dict})
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _safe_ints(doc: dict[str, Any]) -> bool:
    # Only these four hold integers at the top level (None counts as 0; text there takes the slow path).
    try:
        values = (doc["seq"] or 0, doc["actor_id"] or 0, doc["statement_id"] or 0, doc["version"] or 0)
        return bool(max(map(abs, values)) < _JSON_SAFE)
    except TypeError:
        return False


def _iso(at: dt.datetime) -> str:
    if at.tzinfo is dt.UTC:
        return naive_utc_iso(at.replace(tzinfo=None))
    return isoformat(at)


#: A stored time Python can read, as SQL: outside it (BC, infinity, which only tampering writes) a
#: ledger query reads NULL, so verify reports the entry as altered instead of failing to read it.
READABLE_AT = "CASE WHEN at BETWEEN '0001-01-01' AND '9999-12-31 23:59:59.999999' THEN at END AS at"


@overload
def naive_utc_iso(at: dt.datetime) -> str: ...
@overload
def naive_utc_iso(at: None) -> None: ...
def naive_utc_iso(at: dt.datetime | None) -> str | None:
    """Return a naive UTC time as the canonical form writes it."""
    if at is None:
        return None
    # isoformat() is C; strftime is not. Both give the same text for UTC times from year 1000 on.
    if at.year >= 1000:
        return at.isoformat(timespec="microseconds") + "Z"
    return isoformat(at.replace(tzinfo=dt.UTC))


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


def json_text(value: object) -> str:
    """Return JSON as the database stores it: sorted, compact, text kept as written (canonical for plain data)."""
    return _ENCODE(value)


def json_value(text: str | bytes) -> object:
    """Read a JSON column's value (psycopg hands over bytes, SQLite text)."""
    # json.loads guesses the encoding of bytes in Python on every call; a statement row has three
    # JSON columns (usually empty lists), so a page of 100 read 300 of them that way.
    if text == b"[]" or text == "[]":
        return []
    return _DECODE(text.decode() if isinstance(text, bytes) else text)


_DECODE = json.JSONDecoder().decode


# --- walking a chain ------------------------------------------------------------------------


class Walk(NamedTuple):
    """How far a walk along the chain got."""

    #: The seq after the last entry that held.
    next_seq: int
    #: The hash of that entry (the start's prev_hash when none held).
    head_hash: str
    #: Why the entry at next_seq did not hold; None when the entries ran out first.
    reason: str | None
    #: The hashes at the seqs asked to keep (checkpoint sizes).
    kept: dict[int, str]


def first_break(rows: Iterable[Mapping[str, Any]], seq: int, prev_hash: str, keep: Container[int] = ()) -> Walk:
    """Follow entries from `seq` linked to `prev_hash` until one does not hold or they run out."""
    kept: dict[int, str] = {}
    for fields in rows:
        if fields["seq"] != seq:
            return Walk(seq, prev_hash, f"entry {seq} is missing (next stored entry is {fields['seq']})", kept)
        if fields["prev_hash"] != prev_hash:
            return Walk(seq, prev_hash, "prev_hash does not match the hash of the entry before it", kept)
        if chain_hash(prev_hash, canonical_bytes(fields)) != fields["hash"]:
            return Walk(seq, prev_hash, "stored hash does not match the entry's content (the entry was altered)", kept)
        prev_hash = fields["hash"]
        if seq in keep:
            kept[seq] = prev_hash
        seq += 1
    return Walk(seq, prev_hash, None, kept)
