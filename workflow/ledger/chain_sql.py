"""Recompute the chain inside PostgreSQL: the server builds each entry's canonical bytes and hashes them.

Python needs ~17 µs an entry to fetch a row and build its RFC 8785 bytes; PostgreSQL builds the same
bytes from the columns in C (the `data` column is stored as canonical JSON text, `json_text`), hashes
them with its own SHA-256 and checks each link against the entry before it in seq order, over seq
ranges on as many connections as there are CPUs. The server only *accuses*: an entry whose bytes it
cannot rebuild exactly (data written before canonical storage, a key the fast form leaves to the
general encoder) is checked again in Python, and whenever an accusation holds, `verification.verify`
reports from its own Python pass. So the server can only ever make verification faster, never more
lenient: an entry passes here only if SHA-256 over bytes built injectively from its current columns
equals its stored hash.
"""

from __future__ import annotations

import concurrent.futures
import os
from collections.abc import Callable

import sqlalchemy as sa

from workflow import ledger
from workflow.ledger.canonical import GENESIS_HASH, first_break

#: The canonical document of an entry, built by PostgreSQL: keys in RFC 8785 order, text escaped by
#: to_json exactly as the canonical form escapes it, `data` as its stored (canonical) JSON text.
TEXT_KEYS = ("action", "actor", "comment", "content_hash", "from_state", "kind", "role", "to_state", "unit")
_NUMBER = ("actor_id", "statement_id", "version")
#: What JSON escapes in text, in to_json as in RFC 8785: the quote, the backslash and controls (text
#: holds no NUL). An E'' string, so the pattern reads the same whatever standard_conforming_strings says.
_ESCAPED = r"""E'[\\x01-\\x1f"\\\\]'"""


def document(alias: str) -> str:
    """Return the SQL expression of the canonical document of the entry row `alias`."""
    # Where no text column holds a character JSON escapes, which is nearly always, to_json would only
    # add quotes: quoting alone builds the same bytes, without a type lookup per column and row (verify
    # 6% faster). One pattern match over the columns together decides; any other entry takes to_json.
    texts = ", ".join(f"{alias}.{key}" for key in TEXT_KEYS)
    plain, escaped = _document(alias, escape=False), _document(alias, escape=True)
    return f"CASE WHEN concat({texts}) ~ {_ESCAPED} THEN {escaped} ELSE {plain} END"


def _document(alias: str, *, escape: bool) -> str:
    pairs: list[str] = []
    for key in sorted(("at", "data", "seq", *TEXT_KEYS, *_NUMBER)):
        column = f"{alias}.{key}"
        if key in _NUMBER or key in ("data", "seq"):  # data: its stored canonical JSON text
            value = f"{column}::text"
        elif key == "at":
            # From year 1000 on, to_char writes what the canonical form writes, and only for that time;
            # before (BC years included, which 'YYYY' would print like AD ones) the server builds no
            # bytes, so Python decides.
            text = f'to_char({column}, \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\')'
            value = f"CASE WHEN {column} >= '1000-01-01' THEN '\"' || {text} || '\"' END"
        else:
            value = f"to_json({column})::text" if escape else f"'\"' || {column} || '\"'"
        pairs.append(f"'{',' if pairs else '{'}\"{key}\":' || coalesce({value}, 'null')")
    # concat_ws looks up an output function per argument and row: one argument per key, not two (its
    # text built 11% faster), and not one chain of || either, which would copy the growing text at every key.
    return f"concat_ws('', {', '.join(pairs)}, '}}')"


#: The first entry in [lo, hi] whose hash does not match its bytes or whose link to the entry before it
#: does not hold (an entry missing before it included). The entry before each is its neighbour in one
#: scan of lo - 1 .. hi in seq order (lag), which costs less than a self-join on seq - 1 (measured 13%).
SUSPECTS = sa.text(f"""
SELECT min(seq)
FROM (
  SELECT e.seq, e.prev_hash, e.hash,
         lag(e.seq) OVER by_seq AS before_seq, lag(e.hash) OVER by_seq AS before_hash,
         encode(sha256(convert_to(e.prev_hash || {document("e")}, 'UTF8')), 'hex') AS recomputed
  FROM ledger_entries AS e
  WHERE e.seq BETWEEN :lo - 1 AND :hi
  WINDOW by_seq AS (ORDER BY e.seq)
) AS entry
WHERE seq >= :lo
  AND (recomputed IS DISTINCT FROM hash
       OR prev_hash IS DISTINCT FROM
          CASE WHEN seq = 1 THEN '{GENESIS_HASH}' WHEN before_seq = seq - 1 THEN before_hash END)
""")

#: Seqs per query at most; a chain is cut into at least two ranges per CPU so that every CPU works.
RANGE = 125_000
#: ... but no range is smaller than this: starting a query costs more than checking a few entries.
MIN_RANGE = 5_000


def chain_holds(bind: sa.Engine | sa.Connection, size: int) -> bool:
    """Return whether entries 1..size all hold, recomputed by the server (Python re-checks what it doubts)."""
    if isinstance(bind, sa.Connection):
        # A connection (a test's transaction, a caller's snapshot) must see its own writes: stay on it.
        return all(_range_holds(bind, lo, hi) for lo, hi in ranges(size))
    with concurrent.futures.ThreadPoolExecutor(connections(size)) as pool:
        return all(pool.map(_on_own_connection(bind), ranges(size)))


def ranges(size: int) -> list[tuple[int, int]]:
    """Return the seq ranges 1..size is checked in."""
    step = min(RANGE, max(MIN_RANGE, -(-size // (2 * (os.cpu_count() or 1)))))
    return [(lo, min(lo + step - 1, size)) for lo in range(1, size + 1, step)]


def connections(size: int) -> int:
    """Return how many connections check a chain of `size` entries at once (one per CPU at most)."""
    return max(1, min(len(ranges(size)), os.cpu_count() or 1))


def _on_own_connection(engine: sa.Engine) -> Callable[[tuple[int, int]], bool]:
    def check(bounds: tuple[int, int]) -> bool:
        with engine.connect() as conn:
            return _range_holds(conn, *bounds)

    return check


def _range_holds(conn: sa.Connection, lo: int, hi: int) -> bool:
    suspect = conn.execute(SUSPECTS, {"lo": lo, "hi": hi}).scalar()
    if suspect is None:
        return True
    # The server doubts `suspect`: from there to the range's end, Python decides.
    return _python_holds(conn, suspect, hi)


def _python_holds(conn: sa.Connection, lo: int, hi: int) -> bool:
    """Check entries lo..hi one by one in Python, linked to the entry before lo."""
    prev_hash = GENESIS_HASH
    if lo > 1:
        found = conn.execute(sa.text("SELECT hash FROM ledger_entries WHERE seq = :seq"), {"seq": lo - 1}).scalar()
        if found is None:
            return False
        prev_hash = str(found)
    walk = first_break(ledger.pg_rows(conn, lo, hi), lo, prev_hash)
    return walk.reason is None and walk.next_seq == hi + 1
