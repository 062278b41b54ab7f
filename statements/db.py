"""Engines and sessions: SQLite (WAL, foreign keys, serial writes) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from workflow.ledger.canonical import json_text, json_value


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs) -> sa.Engine:
    """Create an engine configured the way PressGate needs it on either database."""
    url = normalise_url(url)
    # Store JSON text as written (Vietnamese readable, not \u-escaped) and in canonical order, so
    # PostgreSQL can rebuild a ledger entry's hashed bytes itself when it verifies the chain.
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", json_value)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # Room for every request thread of a worker and its sealer, so the pool does not open and
    # close connections under load.
    kwargs.setdefault("pool_size", 10)
    # No JIT: PostgreSQL compiles a query whose estimated cost passes jit_above_cost, and a list's
    # bounded count crosses it at about 100,000 statements. The compiling alone took 45 ms of a 6 ms
    # query (the API list at 100,000 statements, 2026-12-04: p50 54 -> 14 ms); verifying a million
    # entries took the same 2.4 s either way, so nothing here gains from it.
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args["options"] = f"{connect_args.get('options', '')} -c jit=off".strip()
    kwargs["connect_args"] = connect_args
    engine = sa.create_engine(url, **kwargs)
    ping_when_idle(engine)
    return engine


#: A pooled connection unused for longer than this is pinged before it is handed out.
IDLE_PING_SECONDS = 1.0


def ping_when_idle(engine: sa.Engine, seconds: float | None = None) -> None:
    """Ping a pooled connection before use only when it sat idle, replacing it (and its pool) if dead."""
    # The pool's own pre-ping costs a round trip on every checkout: one of the six or seven a request
    # makes. A connection back within the second has just worked; if the database went away since, that
    # one request fails as a 503 and invalidates the pool, as any request in flight during an outage does.
    seconds = IDLE_PING_SECONDS if seconds is None else seconds

    @sa.event.listens_for(engine, "checkin")
    def _checkin(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, proxy) -> None:
        since = record.info.pop("idle_since", None)  # a new connection has none: nothing to ping
        if since is None or time.monotonic() - since < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            if engine.dialect.is_disconnect(err, dbapi_connection, None):
                # Every older pooled connection shares its fate (a restart): the pool replaces them all.
                raise sa.exc.InvalidatePoolError(str(err)) from err
            raise


def _configure_sqlite(engine: sa.Engine) -> None:
    # The pysqlite SAVEPOINT recipe from the SQLAlchemy docs: let SQLAlchemy emit BEGIN itself.
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, connection_record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        # IMMEDIATE takes the write lock at BEGIN: writers queue instead of failing on upgrade,
        # which is what serialises ledger appends on SQLite.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(bind: sa.Engine | sa.Connection, **kwargs) -> sessionmaker[Session]:
    """Return the session factory used by requests, the CLI and tests."""
    factory = sessionmaker(bind=bind, expire_on_commit=False, **kwargs)
    sa.event.listen(factory, "before_commit", _committing)
    sa.event.listen(factory, "after_commit", _committed)
    return factory


def _committing(session: Session) -> None:
    session.info["committing"] = True


def _committed(session: Session) -> None:
    session.info.pop("committing", None)


def was_committing(session: Session | None) -> bool:
    """Return whether the session began a commit that did not finish: if the database went away, it is in doubt."""
    # COMMIT may have reached the server and its answer not come back: the change may or may not be recorded.
    return session is not None and session.info.get("committing", False)


@contextmanager
def one_moment(session: Session) -> Iterator[Session]:
    """Yield a session whose every read sees the database at one moment, for checks that compare tables.

    On PostgreSQL each statement of a READ COMMITTED transaction sees its own moment: the ledger read
    first and the tables read after would differ by every decision committed in between, and a busy
    server's verify would report disagreements that are not there. A new REPEATABLE READ, READ ONLY
    transaction sees one snapshot and takes no lock. SQLite's transaction already reads one snapshot,
    and a session bound to a connection (the tests' outer transaction) must keep reading through it.
    """
    bind = session.get_bind()
    if not (isinstance(bind, sa.Engine) and bind.dialect.name == "postgresql"):
        yield session
        return
    with Session(bind) as snapshot:
        snapshot.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})
        yield snapshot
        snapshot.rollback()
