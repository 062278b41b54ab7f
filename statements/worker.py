"""`pressgate worker`: the work that runs outside requests, in a process of its own in production.

Its job today is sealing the ledger on PostgreSQL. With PRESSGATE_LEDGER_SEALING=worker the servers
do not seal: after committing unsealed entries they send a NOTIFY on `sealing.CHANNEL`, and the
worker, listening, seals them (gathering what arrives within `Sealer.GATHER_SECONDS` into one pass).
It also sweeps every `sweep_seconds`, for entries written while it was away or by a process that
died before notifying. Without a worker nothing is lost: readers seal what they need, the CLI seals
at exit, and `pressgate ledger verify` reports entries left unsealed for more than a few seconds.
SQLite chains each entry as it is written, so there the worker has nothing to do.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import psycopg
import sqlalchemy as sa

from workflow.db import UNAVAILABLE, QuietLog, unavailable_detail
from workflow.ledger import sealing

log = logging.getLogger(__name__)
_quiet = QuietLog()

#: Seconds between reconnection attempts while the database is away.
RECONNECT_SECONDS = 1.0
#: How long a wait for a notification may go without seeing that the worker was asked to stop.
STOP_CHECK_SECONDS = 0.5


def libpq_url(engine: sa.Engine) -> str:
    """Return the engine's database as a URL psycopg connects to (no SQLAlchemy driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def run(engine: sa.Engine, stop: threading.Event, *, sweep_seconds: float = 5.0) -> int:
    """Seal the ledger when notified and every `sweep_seconds` until `stop` is set; return how many it sealed."""
    sealed = 0
    while not stop.is_set():
        try:
            with psycopg.connect(libpq_url(engine), autocommit=True) as listener:
                listener.execute(f"LISTEN {sealing.CHANNEL}")
                log.info("listening on %s; sealing every %s s at the latest", sealing.CHANNEL, sweep_seconds)
                while not stop.is_set():
                    sealed += _seal_committed(engine, stop)
                    _wait(listener, stop, sweep_seconds)
                    stop.wait(sealing.Sealer.GATHER_SECONDS)
        except (*UNAVAILABLE, psycopg.OperationalError) as err:
            _quiet.warning(log, "down", "the worker lost the database (%s); will retry", unavailable_detail(err))
            stop.wait(RECONNECT_SECONDS)
        except sa.exc.ProgrammingError as err:  # no ledger table: `pressgate init-db` has not run yet
            detail = unavailable_detail(err)
            _quiet.warning(log, "schema", "the database does not match this code (%s); will retry", detail)
            stop.wait(RECONNECT_SECONDS)
    return sealed


def _wait(listener: psycopg.Connection[Any], stop: threading.Event, seconds: float) -> None:
    """Wait for a writer's NOTIFY, the sweep's time or `stop`, whichever comes first."""
    # Notifications that came during a pass are already queued, so the wait returns at once and none is
    # missed. It listens in slices: a signal sets `stop`, and would not otherwise end a long wait.
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        if any(True for _ in listener.notifies(timeout=min(left, STOP_CHECK_SECONDS), stop_after=1)):
            return


def _seal_committed(engine: sa.Engine, stop: threading.Event) -> int:
    """Seal everything committed, retrying while another sealer holds the lock (it may have looked too early)."""
    while not stop.is_set():
        done = sealing.seal_pending(engine)
        if done is not None:
            return done
        stop.wait(sealing.Sealer.RETRY_SECONDS)
    return 0
