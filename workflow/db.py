"""The declarative base and column types shared by every package's models."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any, overload

import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: The largest id any table holds (32-bit integer columns); larger ids exist nowhere.
MAX_ID = 2**31 - 1


def utcnow() -> dt.datetime:
    """Return the current time in UTC, to the microsecond."""
    return dt.datetime.now(dt.UTC)


def naive_utc(value: dt.datetime) -> dt.datetime:
    """Return an aware time as the naive UTC time stored for it; a naive one is refused as ambiguous."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def constant(value: str | int) -> sa.ColumnElement[Any]:
    """Return a value written into the SQL text rather than sent as a parameter."""
    # PostgreSQL plans a prepared statement once for any parameters only if that plan is as good as one made
    # for the values at hand. A parameter where a partial index's predicate has a constant (`action =
    # 'release'`), or a bound whose selectivity it cannot guess, made it plan the statement read of every
    # decision afresh: 0.7 ms of server CPU each, measured with pg_stat_statements on 2026-12-04.
    if isinstance(value, bool):
        raise TypeError("constant() writes code's own strings and integers, not booleans")
    if isinstance(value, int):
        return sa.literal_column(str(value), sa.Integer)
    return sa.literal_column("'" + value.replace("'", "''") + "'", sa.String)


def among(column: sa.ColumnElement[Any], values: list[Any], dialect: str) -> sa.ColumnElement[bool]:
    """Return `column IN values`, on PostgreSQL as one array parameter: the same SQL text for any count."""
    # IN (...) has a parameter per value: new text for every count, which psycopg converts afresh and
    # PostgreSQL never prepares.
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def psycopg_connection(connection: sa.Connection) -> psycopg.Connection[Any]:
    """Return the psycopg connection under a SQLAlchemy connection (PostgreSQL only)."""
    raw = connection.connection.driver_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError(f"a psycopg connection was expected, not {type(raw).__name__}")
    return raw


def insert_from_json(table: str, columns: Mapping[str, str], parameter: str) -> sa.TextClause:
    """Return a PostgreSQL INSERT of rows that arrive as one JSON array `parameter`, written in their order.

    `columns`: each column's name and the SQL type its JSON value is read as. However many rows, the
    statement's text stays the same, so psycopg converts it once and the server prepares it (a multi-row
    VALUES is new text for every count of rows), and no value is adapted one by one in Python (which cost
    more than the insert itself, measured for the ledger's entries).
    """
    names = ", ".join(columns)
    types = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    return sa.text(
        f"INSERT INTO {table} ({names}) SELECT {names}"
        f" FROM ROWS FROM (json_to_recordset(CAST(:{parameter} AS json)) AS ({types}))"
        f" WITH ORDINALITY AS given({names}, n) ORDER BY n"
    )


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Store aware datetimes as naive UTC and give them back aware, identically on every database."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return naive_utc(value)

    def process_result_value(self, value: dt.datetime | str | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite when read through raw SQL
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=dt.UTC)


@overload
def isoformat(value: dt.datetime) -> str: ...
@overload
def isoformat(value: None) -> None: ...
def isoformat(value: dt.datetime | None) -> str | None:
    """Format a UTC datetime as RFC 3339 with microseconds and a Z."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Base(DeclarativeBase):
    """Declarative base of every PressGate table."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


#: What the database raises when it cannot serve: it is down, restarting or unreachable, a connection
#: died, the pool had none free in time, or the server refused for now (too many connections, a
#: deadlock or serialization failure, a statement cancelled). None of these is a bug; a retry may work.
UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


def unavailable_detail(error: Exception) -> str:
    """Return the first line of what the driver said, without SQLAlchemy's background link."""
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


class QuietLog:
    """Log a failure that repeats alike (the database is down) once per interval, with a count, not each time."""

    def __init__(self, every: float = 10.0) -> None:
        self.every = every
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._since: dict[str, int] = {}

    def warning(self, logger: logging.Logger, kind: str, message: str, *args: object) -> None:
        """Log `message` unless one of `kind` was logged less than `every` seconds ago; then count it."""
        with self._lock:
            now = time.monotonic()
            if now - self._last.get(kind, -self.every) < self.every:
                self._since[kind] = self._since.get(kind, 0) + 1
                return
            also, self._last[kind], self._since[kind] = self._since.get(kind, 0), now, 0
        more = f" ({also} more since the last report)" if also else ""
        logger.warning(message + more, *args)


def count_of(rows: sa.Select[Any], up_to: int | None = None) -> sa.Select[Any]:
    """Return the count of what `rows` selects, stopping one past `up_to` when given."""
    if up_to is not None:
        rows = rows.limit(up_to + 1)
    return sa.select(sa.func.count()).select_from(rows.subquery())


def newest_first(
    session: Session, model: Any, where: sa.ColumnElement[bool], page: int, per_page: int, *options: Any
) -> tuple[list[Any], int]:
    """Return one page of `model`'s rows matching `where`, the newest (highest id) first, and how many match."""
    total = session.scalar(sa.select(sa.func.count()).select_from(model).where(where)) or 0
    rows = sa.select(model).where(where).order_by(model.id.desc()).offset((page - 1) * per_page).limit(per_page)
    return list(session.scalars(rows.options(*options))), total
