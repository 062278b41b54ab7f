"""Reports at scale (issue 31): the ministry's quarter report over a year of use, its time and its SQL statements.

    python -m bench.reports                       # 100,000 statements, 1,000,000 entries, PostgreSQL and SQLite
    python -m bench.reports --statements 5000 --entries 50000 --backend sqlite
    python -m bench.reports --try-index "CREATE INDEX ix_trial ON ledger_entries (at)"   # and with it, then without

`seed` writes a year (2026 in Vietnam's time) of an organisation's work: the ministry (BYT) over provincial
departments, each over its hospitals and centres. Statements are drafted in working hours on working days,
reviewed, sent back, escalated and signed off, approved, released on channels, rejected, withdrawn, reopened and
retracted; each step takes hours drawn around the unit's own deadlines (urgent ones round the clock), and where
a step runs past its reminder, its due time and its escalations, the deadline entries the sweep would have
written are there, at those times. Reviewers' reads of unreleased text are on the ledger too, as they are in
use, and most of the ledger is made of them. Questions from the press (answered by interviews, refused or
still open), items seen outside (answered by corrections or judged), disclosure cases with their violations
and commendations come with their own entries. Entries are written in the order of their times, as a live
ledger is, in bulk, and sealed by the real sealer (PostgreSQL) or chained as written (SQLite): the chain
verifies. Notifications are not written for this history (the report never reads them): the cursor is moved
to the chain's head, as if they had been.

`measure` builds the report of the root unit, rolled up, for one quarter, several times, timing each build
and counting its SQL statements (as tests/sql.py does), and explains the slowest statement (EXPLAIN ANALYZE on
PostgreSQL, EXPLAIN QUERY PLAN on SQLite). `run` does both on a tiny organisation and at scale, on both
backends: the count must be the same at both scales, and the report under TARGET_SECONDS at scale.
"""

from __future__ import annotations

from bench.reports.measure import measure, run, table
from bench.reports.world import MAX_QUERIES, PERIOD
from bench.reports.year import seed

__all__ = ["MAX_QUERIES", "PERIOD", "measure", "run", "seed", "table"]
