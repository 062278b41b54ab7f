"""Sealing on PostgreSQL: entries are written unsealed in their own transaction, then chained in batches.

A decision's transaction inserts its ledger entry without seq, prev_hash or hash, so no decision
waits for another's commit. After the commit, a sealer (one thread per process, woken by the
commit) takes the advisory lock without waiting, gives every committed unsealed entry its place in
the chain in the order they were written, and commits. If another process holds the lock, it
tries again shortly, because the holder may have started before this entry was visible. A
periodic sweep in servers and a drain at process exit seal what a crashed or busy process left.
The database refuses any change to an entry except sealing it once (migration 0004).

In mode "worker" the writing processes do not seal: a thread of theirs sends one NOTIFY on
`CHANNEL` after commits (gathered like the sealer's wakes), and `pressgate worker`, listening,
seals; a reader that needs entries in their place seals what is committed itself.

Entries that depend on each other keep their order: a decision locks its statement, so the next
decision on it is inserted (and given a larger id) only after the previous one committed.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction

from workflow import ledger
from workflow.db import UNAVAILABLE, QuietLog, psycopg_connection, unavailable_detail
from workflow.ledger.canonical import HASHED_FIELDS, json_text

log = logging.getLogger(__name__)
#: A sealer retries each second: a failure that lasts (the database down, or without this code's
#: schema) is said once per interval, not a line or a traceback each second in every worker.
_quiet = QuietLog()

#: How many entries one sealing transaction takes.
BATCH = 2000
#: How many entries are hashed between two chances for request threads to run (about a millisecond).
SLICE = 25
#: How long a reader tries to seal what waits before listing without it (seconds).
READ_WAIT = 1.0
#: Modes: "background" seals after commit in the writing process (servers, the CLI); "worker" leaves it
#: to `pressgate worker`, notified after commit; "inline" seals in the writing transaction under the
#: lock, as SQLite always does (tests that roll their transaction back).
MODES = ("background", "inline", "worker")
#: The channel writers notify after committing unsealed entries (mode "worker"); the worker listens on it.
CHANNEL = "pressgate_ledger"

#: The hashed fields of the oldest unsealed entries, read straight from psycopg: no result processing,
#: since the sealer reads thousands of rows a second on a busy server, in the process serving requests.
_FIELDS = tuple(name for name in HASHED_FIELDS if name != "seq")
_UNSEALED = (
    f"SELECT id, {ledger.stored_columns(_FIELDS)} FROM ledger_entries WHERE seq IS NULL ORDER BY id LIMIT %(limit)s"
)
#: The links travel as one JSON array that PostgreSQL takes apart: psycopg adapts a typed array element
#: by element in Python, which cost more than hashing the entries. `seq IS NULL` names the unsealed index:
#: the planner guesses a hundred links and would otherwise join them to a scan of the whole ledger.
_SEAL = sa.text(
    "UPDATE ledger_entries AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash"
    " FROM json_to_recordset(CAST(:links AS json)) AS v(id bigint, seq bigint, prev_hash varchar, hash varchar)"
    " WHERE e.id = v.id AND e.seq IS NULL"
)

_modes: weakref.WeakKeyDictionary[sa.Engine, str] = weakref.WeakKeyDictionary()
_sealers: dict[tuple[int, int, str], Sealer] = {}
_sealers_lock = threading.Lock()


def seal(connection: sa.Connection, *, wait: bool, limit: int = BATCH) -> int | None:
    """Seal up to `limit` unsealed entries in the caller's transaction; None when another sealer holds the lock."""
    if psycopg_connection(connection).autocommit:
        # There every statement is a transaction of its own, so the transaction's lock would end with the
        # statement that took it, and two sealers could chain the same entries.
        raise RuntimeError("sealing needs a transaction; this connection commits each statement on its own")
    if wait:
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(ledger.ADVISORY_LOCK_KEY)))
    elif not connection.execute(sa.select(sa.func.pg_try_advisory_xact_lock(ledger.ADVISORY_LOCK_KEY))).scalar():
        return None
    try:
        with psycopg_connection(connection).cursor() as cursor:
            rows = cursor.execute(_UNSEALED, {"limit": limit}).fetchall()
    except psycopg.Error as err:  # raised as SQLAlchemy raises it, so an outage is told from a bug alike
        raise sa.exc.DBAPIError.instance(_UNSEALED, {"limit": limit}, err, psycopg.Error) from err
    if not rows:
        return 0
    # The hash covers the values as stored and read back, exactly as verify will read them.
    documents = [ledger.stored_document(_FIELDS, row[1:]) for row in rows]
    seq, prev_hash = ledger.head(connection)
    links: list[dict[str, Any]] = []
    for start in range(0, len(documents), SLICE):
        if start:
            # Hand the GIL over between slices: a request thread back from the database would otherwise
            # wait for the switch interval (5 ms) each time, and a request makes several round trips.
            time.sleep(0)
        links += ledger.chain(documents[start : start + SLICE], seq, prev_hash)
        seq, prev_hash = links[-1]["seq"], links[-1]["hash"]
    for row, link in zip(rows, links, strict=True):
        link["id"] = row[0]
    done = connection.execute(_SEAL, {"links": json_text(links)})
    if done.rowcount != len(links):  # under the lock nothing else seals: anything else is a bug, and rolls back
        raise RuntimeError(f"sealing {len(links)} entries changed {done.rowcount}")
    connection.info.setdefault(_SEALED_KINDS, set()).update(document["kind"] for document in documents)
    return len(rows)


def seal_pending(engine: sa.Engine, *, wait: bool = False) -> int | None:
    """Seal every committed unsealed entry, a batch per transaction; None if another sealer held the lock.

    Once committed, the subscribers of `after_sealing` are told the kinds of entries sealed.
    """
    total = 0
    kinds: set[str] = set()
    try:
        while True:
            with engine.begin() as connection:
                sealed = seal(connection, wait=wait)
                kinds |= connection.info.pop(_SEALED_KINDS, set())
            if sealed is None:
                return None
            total += sealed
            if sealed < BATCH:
                return total
    finally:
        if kinds:
            _tell_sealed(engine, frozenset(kinds))


#: Told, after a sealing pass committed, of the kinds of entries it sealed (statements.notifications
#: subscribes: a decision's entry, once in its place, is the outbox its notifications are written from).
_after_sealing: list[Callable[[sa.Engine, frozenset[str]], None]] = []
_SEALED_KINDS = "pressgate.sealed_kinds"


def after_sealing(hook: Callable[[sa.Engine, frozenset[str]], None]) -> Callable[[sa.Engine, frozenset[str]], None]:
    """Subscribe `hook(engine, kinds)` to every committed sealing pass of this process; return it (a decorator)."""
    _after_sealing.append(hook)
    return hook


def _tell_sealed(engine: sa.Engine, kinds: frozenset[str]) -> None:
    for hook in _after_sealing:
        try:
            hook(engine, kinds)
        except Exception as err:  # the chain is sealed whatever a subscriber does; it catches up on its own sweep
            if isinstance(err, UNAVAILABLE):
                _quiet.warning(log, "down", "after sealing, %s failed (%s)", hook.__qualname__, unavailable_detail(err))
            else:
                log.warning("after sealing, %s failed; its own sweep catches up", hook.__qualname__, exc_info=True)


def seal_before_reading(session: Session) -> int:
    """Seal what is committed and waiting, so readers see entries in their place; return how many still wait.

    Listings, history and exports show sealed entries only, in chain order (an unsealed one has no seq
    or hash yet). Sealing takes milliseconds, so a reader seals rather than shows a gap; what still
    waits (written by transactions not yet committed) is counted, for the reader to be told.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return 0  # SQLite chains each entry as it is written
    engine = bind if isinstance(bind, sa.Engine) else bind.engine
    waiting = sa.select(sa.func.count()).select_from(ledger.LedgerEntry).where(ledger.LedgerEntry.seq.is_(None))
    pending = session.scalar(waiting)
    mode = _modes.get(engine, "background")
    if pending and mode == "worker":
        # Any process may seal: rather than wait on the worker, seal what is committed, and wait a moment
        # only while another sealer (the worker) holds the lock.
        deadline = time.monotonic() + READ_WAIT
        while seal_pending(engine) is None and time.monotonic() < deadline:
            time.sleep(Sealer.RETRY_SECONDS)
        pending = session.scalar(waiting)
    elif pending and mode == "background":
        # This process's sealer seals every committed entry, whoever wrote it, and retries while another
        # process's holds the lock: wake it and wait a moment, never hanging a reader on a stuck one.
        found = sealer(engine)
        found.wake()
        # Idle in time: everything committed before the wake is sealed. Else what still waits is counted.
        pending = 0 if found.wait_idle(READ_WAIT) else session.scalar(waiting)
    return pending or 0


def seals_inline(engine: sa.Engine) -> bool:
    """Return whether entries written through `engine` are chained inside the writing transaction."""
    return engine.dialect.name != "postgresql" or _modes.get(engine, "background") == "inline"


def configure(engine: sa.Engine, *, mode: str = "background") -> None:
    """Choose how entries written through `engine` are sealed."""
    if mode not in MODES:
        raise ValueError(f"ledger sealing mode must be one of {', '.join(MODES)}, not {mode!r}")
    _modes[engine] = mode


def keep_sweeping(engine: sa.Engine, seconds: float) -> None:
    """Make sure this process sweeps every `seconds` for entries others left unsealed (servers call it per request)."""
    if seconds <= 0 or engine.dialect.name != "postgresql" or _modes.get(engine, "background") != "background":
        return
    found = sealer(engine)
    if found.sweep_seconds != seconds:
        found.sweep(seconds)


@ledger.on_written
def written(session: Session) -> None:
    """Note that the session wrote unsealed entries: seal them now (inline) or after its commit."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, sa.Engine) else bind.engine
    if _modes.get(engine, "background") == "inline":
        connection = session.connection()
        while seal(connection, wait=True) == BATCH:
            pass
        ledger.chained(session, frozenset(connection.info.pop(_SEALED_KINDS, ())))
        return
    session.info["ledger_unsealed"] = engine


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    engine = session.info.pop("ledger_unsealed", None)
    if engine is not None:
        (notifier if _modes.get(engine) == "worker" else sealer)(engine).wake()


def notify(engine: sa.Engine) -> int:
    """Tell the worker that committed entries wait to be sealed (one NOTIFY; PostgreSQL folds repeats)."""
    with engine.begin() as connection:  # delivered when this transaction commits
        connection.execute(sa.select(sa.func.pg_notify(CHANNEL, "")))
    return 0


@sa.event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    session.info.pop("ledger_unsealed", None)


class Sealer:
    """One process's sealing thread for one engine: woken by commits, and sweeping when asked to.

    Its `job` is a sealing pass (`seal_pending`), or in mode "worker" a `notify` of the worker.
    """

    RETRY_SECONDS = 0.05
    #: After a wake, wait this long for more commits, so that a busy server seals in batches
    #: instead of running a sealing transaction (and a disk flush) per decision.
    GATHER_SECONDS = 0.05

    def __init__(self, engine: sa.Engine, job: Callable[[sa.Engine], int | None] | None = None) -> None:
        self.engine = engine
        self.job = job or seal_pending
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self.sweep_seconds: float | None = None
        self.woken = False
        self._thread = threading.Thread(
            target=self._run, name=f"pressgate-{'sealer' if self.job is seal_pending else 'notifier'}", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        """Ask for a sealing pass soon."""
        self.woken = True
        self._idle.clear()
        self._wake.set()

    def sweep(self, seconds: float) -> None:
        """Also seal every `seconds`, for entries a crashed or busy process left behind."""
        self.sweep_seconds = seconds
        self.wake()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no pass is pending; return whether it got there in time."""
        return self._idle.wait(timeout)

    def stop(self) -> None:
        """Stop the thread (what is unsealed stays for the next sealer)."""
        self._stopped.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stopped.is_set():
            if not self._wake.wait(self.sweep_seconds):
                self._idle.clear()  # a sweep
            if self._stopped.wait(self.GATHER_SECONDS):
                return
            self._wake.clear()
            try:
                while self.job(self.engine) is None and not self._stopped.is_set():
                    # Another process is sealing; it may have looked before our entries were visible.
                    self._stopped.wait(self.RETRY_SECONDS)
            except Exception as err:  # the sealer keeps going whatever happens: the next wake or sweep tries again
                detail = unavailable_detail(err)
                if isinstance(err, UNAVAILABLE):  # the database is down or restarting: one line, not a traceback
                    _quiet.warning(
                        log, "down", "sealing the ledger failed, the database is unavailable (%s); will retry", detail
                    )
                elif isinstance(err, sa.exc.ProgrammingError):  # no ledger table: `pressgate init-db` never ran
                    _quiet.warning(
                        log,
                        "schema",
                        "sealing the ledger failed, the database does not match this code (%s); will retry",
                        detail,
                    )
                else:
                    log.warning("sealing the ledger failed; will retry", exc_info=True)
                self._stopped.wait(1.0)
                self._wake.set()
                continue
            if not self._wake.is_set():
                self._idle.set()


def sealer(engine: sa.Engine) -> Sealer:
    """Return this process's sealer for the engine (threads do not survive fork, so it is per process)."""
    return _thread(engine, seal_pending)


def notifier(engine: sa.Engine) -> Sealer:
    """Return this process's thread that notifies the worker for the engine (mode "worker")."""
    return _thread(engine, notify)


def _thread(engine: sa.Engine, job: Callable[[sa.Engine], int | None]) -> Sealer:
    key = (os.getpid(), id(engine), job.__name__)
    with _sealers_lock:
        found = _sealers.get(key)
        if found is None or found.engine is not engine:
            found = _sealers[key] = Sealer(engine, job)
        return found


def stop(engine: sa.Engine) -> None:
    """Stop this process's sealer (and notifier) for the engine, if it has them."""
    with _sealers_lock:
        found = [_sealers.pop((os.getpid(), id(engine), job), None) for job in ("seal_pending", "notify")]
    for thread in found:
        if thread is not None:
            thread.stop()


@atexit.register
def _drain_at_exit() -> None:
    # A CLI command or a server shutting down seals what it wrote before the process ends.
    with _sealers_lock:
        mine = [s for (pid, _, _), s in _sealers.items() if pid == os.getpid() and s.woken]
    for found in mine:
        found.stop()
        try:
            seal_pending(found.engine, wait=True) if found.job is seal_pending else notify(found.engine)
        except sa.exc.SQLAlchemyError as err:
            log.warning("could not seal the ledger at exit (%s); the next sealer will", type(err).__name__)
