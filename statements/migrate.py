"""Alembic, driven from code: the schema is created and upgraded by `pressgate init-db` / `db upgrade`."""

from __future__ import annotations

import functools
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from workflow.db import unavailable_detail

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: Indexes only migrations make, where the database can (PostgreSQL's pg_trgm): the models leave them out.
MIGRATION_ONLY_INDEXES = frozenset({"ix_statements_search_trgm"})


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Tell autogenerate what the models describe (everything but the migration-only indexes)."""
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


def alembic_config(connection: sa.Connection | None = None, url: str | None = None) -> Config:
    """Return an Alembic config for our migrations, bound to a connection or a URL."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Create or migrate the schema to `revision`."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Migrate the schema down to `revision`."""
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def current(engine: sa.Engine) -> str | None:
    """Return the schema's current revision."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@functools.cache
def _head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def not_current(engine: sa.Engine) -> str | None:
    """Say why the database is not at this code's schema (none, or an older one); None if it is or cannot tell."""
    try:
        found = current(engine)
    except sa.exc.SQLAlchemyError:  # the database itself cannot answer
        return None
    head = _head()
    if found == head:
        return None
    if found is None:
        return "it has no PressGate schema"
    return f"its schema is at revision {found}, and this PressGate needs {head}"


#: How SQLite says a table or column is missing (PostgreSQL raises a ProgrammingError instead).
_SQLITE_MISSING = ("no such table", "no such column")


def schema_missing(engine: sa.Engine, error: Exception) -> str | None:
    """Say why the database lacks this code's schema when `error` may come from that (`not_current`); else None."""
    # Any other OperationalError is an outage, where asking the database would only wait on it again.
    missing = isinstance(error, sa.exc.ProgrammingError) or (
        isinstance(error, sa.exc.OperationalError) and unavailable_detail(error).startswith(_SQLITE_MISSING)
    )
    return not_current(engine) if missing else None
