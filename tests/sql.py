"""Counting what reaches the database: the SQL statements a block of code sends through an engine."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import sqlalchemy as sa


@contextlib.contextmanager
def sql_sent(engine: sa.Engine, *, this_thread: bool = False) -> Iterator[list[str]]:
    """Collect the SQL statements run through `engine` inside the block (only this thread's, if asked)."""
    seen: list[str] = []
    me = threading.get_ident()

    def before(conn, cursor, statement, parameters, context, executemany):
        if this_thread and threading.get_ident() != me:  # a sealer's, say
            return
        # SQLite's savepoints (statements.db's recipe) are the driver's bookkeeping, not the request's work.
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
