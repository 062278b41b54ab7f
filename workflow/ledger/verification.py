"""Verifying the ledger: recompute the chain from the stored columns and hold it to signed checkpoints.

On PostgreSQL the server recomputes the chain itself (`workflow.ledger.chain_sql`) and Python walks only where
it finds a break, to name the first entry that does not hold; on SQLite Python walks the whole chain.
Either way verify also reports entries left unsealed for longer than `STALE_AFTER`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from workflow import ledger
from workflow.db import isoformat, utcnow
from workflow.ledger import chain_sql
from workflow.ledger.canonical import GENESIS_HASH, first_break

Entry = ledger.LedgerEntry


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
    #: Entries written but not yet in the chain (PostgreSQL seals them shortly after their commit).
    unsealed: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the result as the API and CLI report it."""
        extra = {"unsealed": self.unsealed} if self.unsealed else {}
        if self.ok:
            out = {"ok": True, "entries": self.entries, "head": {"seq": self.head_seq, "hash": self.head_hash}}
            return out | ({"checkpoints": self.checkpoints} if self.checkpoints else {}) | extra
        return {
            "ok": False,
            "entries": self.entries,
            "first_bad_seq": self.first_bad_seq,
            "reason": self.reason,
        } | extra


#: An entry still unsealed after this long means no sealer is running; verify reports it.
STALE_AFTER = dt.timedelta(seconds=5)


def unsealed(session: Session, older_than: dt.timedelta) -> tuple[int, int, dt.datetime | None]:
    """Return how many entries wait to be sealed, how many of those are older than `older_than`, and the oldest time."""
    waiting = Entry.seq.is_(None)
    stale = sa.func.count().filter(Entry.at < utcnow() - older_than)
    count, old, oldest = session.execute(sa.select(sa.func.count(), stale, sa.func.min(Entry.at)).where(waiting)).one()
    return count, old, oldest


def verify(session: Session, checkpoints: Iterable[dict[str, Any]] = ()) -> VerifyResult:
    """Recompute the chain from the stored columns; name the first seq that does not hold, or stale unsealed entries."""
    marks = sorted(checkpoints, key=lambda c: c["size"])
    postgres = session.get_bind().dialect.name == "postgresql"
    result = _verify_in_server(session, marks) if postgres else None
    if result is None:  # SQLite, or the server found something: Python recomputes and names it
        rows = ledger.pg_rows(session.connection()) if postgres else ledger.iter_rows(session)
        result = verify_rows((row if isinstance(row, dict) else row._asdict() for row in rows), marks)
    waiting, stale, oldest = unsealed(session, STALE_AFTER)
    result = dataclasses.replace(result, unsealed=waiting)
    if not result.ok or not stale:
        return result
    return dataclasses.replace(
        result,
        ok=False,
        first_bad_seq=result.head_seq + 1,
        reason=f"{stale} entries written more than {STALE_AFTER.seconds} seconds ago are not sealed into the chain"
        f" (the oldest at {isoformat(oldest)}): no sealer is running; `pressgate ledger seal` seals them",
    )


def _verify_in_server(session: Session, marks: list[dict[str, Any]]) -> VerifyResult | None:
    """Return the result when PostgreSQL's recomputation finds every entry whole, None when Python must look."""
    # No count of the entries: the server checks each entry's link to its neighbour in seq order, which
    # must be seq - 1, so seqs 1..head hold only if none is missing; counting them read the whole index again.
    count = ledger.head(session)[0]
    if count and not chain_sql.chain_holds(session.get_bind(), count):
        return None
    wanted = [m["size"] for m in marks if m["size"] <= count] + [count]
    at_sizes = sa.select(Entry.seq, Entry.hash).where(Entry.seq.in_(wanted))
    hash_at = {seq: hash_ for seq, hash_ in session.execute(at_sizes) if seq is not None and hash_ is not None}
    hash_at[0] = GENESIS_HASH
    return _hold_to_checkpoints(marks, count, hash_at)


def verify_rows(rows: Iterable[Mapping[str, Any]], checkpoints: Iterable[dict[str, Any]] = ()) -> VerifyResult:
    """Recompute a chain from its entries in seq order, then hold it to signed checkpoints (size, head_hash, at)."""
    marks = sorted(checkpoints, key=lambda c: c["size"])
    walk = first_break(rows, 1, GENESIS_HASH, keep={c["size"] for c in marks})
    count = walk.next_seq - 1
    if walk.reason is not None:
        return VerifyResult(False, count, count, walk.head_hash, walk.next_seq, walk.reason)
    return _hold_to_checkpoints(marks, count, {0: GENESIS_HASH, **walk.kept, count: walk.head_hash})


def _hold_to_checkpoints(marks: list[dict[str, Any]], count: int, hash_at: dict[int, str]) -> VerifyResult:
    """Hold a whole chain of `count` entries (hashes at the marks' sizes and at its head) to signed checkpoints."""
    head_hash = hash_at[count]
    good = 0  # the size of the last checkpoint the chain still agrees with
    for mark in marks:
        size, at = mark["size"], mark["at"]
        if size > count:
            return VerifyResult(
                False,
                count,
                count,
                head_hash,
                count + 1,
                f"the ledger ends at entry {count}, but the checkpoint signed at {at} records {size} entries:"
                f" entries {count + 1} to {size} were removed",
            )
        if hash_at[size] != mark["head_hash"]:
            return VerifyResult(
                False,
                count,
                count,
                head_hash,
                good + 1,
                f"entry {size} differs from the checkpoint signed at {at}: the chain was rewritten"
                f" from an entry between {good + 1} and {size}",
            )
        good = size
    return VerifyResult(True, count, count, head_hash, checkpoints=len(marks))
