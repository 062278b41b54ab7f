"""The ledger's verification against raw SHA-256 over the same canonical bytes, and the replay's pace."""

from __future__ import annotations

import hashlib
import statistics
import time

from sqlalchemy.orm import Session

from bench import scale
from workflow.ledger import sealing
from workflow.ledger.canonical import GENESIS_HASH


def rate(url: str, entries: int, rounds_wanted: int) -> dict:
    """Top the ledger up to `entries` entries; time `verify` against raw SHA-256 over the same canonical bytes."""
    from statements.audit.replay import replay
    from statements.db import make_engine
    from workflow import ledger
    from workflow.ledger import chain_sql, verification

    engine = make_engine(url)
    sealing.configure(engine, mode="inline")
    with Session(engine) as session:
        have = ledger.head(session)[0]
        for start in range(have, entries, 5000):
            batch = [
                {"kind": "admin", "action": "bench", "actor": "bench", "unit": "SYT-AH", "data": {"i": i}}
                for i in range(start, min(start + 5000, entries))
            ]
            ledger.append_many(session, batch)
            session.commit()
        scale.analyze(engine)
        canonical = [ledger.canonical_bytes(row._mapping) for row in ledger.iter_rows(session)]
        # Verify and raw SHA-256 take turns, as the throughput figures do: this machine's speed drifts by
        # a third within a minute, which timing each once, a minute apart, took for the code's own doing.
        rounds = []
        for _ in range(rounds_wanted):
            started = time.perf_counter()
            result = verification.verify(session)
            verify_seconds = time.perf_counter() - started
            assert result.ok, result
            rounds.append((verify_seconds, _raw_sha256_seconds(canonical)))
        # The same recomputation on one connection, for comparison: verify spreads ranges over the CPUs.
        with engine.connect() as conn:
            started = time.perf_counter()
            assert chain_sql.chain_holds(conn, result.entries)
            one_connection_seconds = time.perf_counter() - started
        # Beside the chain check: the replay that holds the working tables to the ledger (issue 25).
        started = time.perf_counter()
        tables = replay(session)
        replay_seconds = time.perf_counter() - started
        # Not asserted: the replay's verdict is the test suite's (tests/test_working_tables.py); here its pace.
    engine.dispose()
    n = len(canonical)
    ratios = [raw / verify for verify, raw in rounds]
    return {
        "entries": n,
        "verify_per_s": round(n / statistics.median(verify for verify, _ in rounds)),
        "raw_sha256_per_s": round(n / statistics.median(raw for _, raw in rounds)),
        "verify_ratio": round(statistics.median(ratios), 3),
        "rounds_ratio": [round(ratio, 3) for ratio in ratios],
        "connections": chain_sql.connections(n),
        "one_connection_per_s": round(n / one_connection_seconds),
        "replay_seconds": round(replay_seconds, 2),
        "replay_per_s": round(tables.entries / replay_seconds),
        "replay_statements": tables.statements,
        "replay_disagreements": tables.total,
    }


def _raw_sha256_seconds(canonical: list[bytes]) -> float:
    """Time the chain's SHA-256 alone over the canonical bytes, in a plain Python loop."""
    started = time.perf_counter()
    prev = GENESIS_HASH
    for doc in canonical:
        prev = hashlib.sha256(prev.encode("ascii") + doc).hexdigest()
    return time.perf_counter() - started
