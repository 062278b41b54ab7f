"""Alembic environment: PressGate's metadata; the connection comes from statements.migrate."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

import auth.models  # noqa: F401  (register tables)
import statements.disclosure.models
import statements.letters.models
import statements.lifecycle.models
import statements.notifications.models
import statements.pressdesk.models
import statements.record.models
import statements.reports.models
import statements.rumours.models  # noqa: F401
import workflow.deadlines
import workflow.ledger
import workflow.ledger.merkle
import workflow.sensitivity  # noqa: F401
from statements.db import make_engine
from statements.migrate import include_object
from workflow.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL without a database."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=True, include_object=include_object
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the given connection, or one made from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
