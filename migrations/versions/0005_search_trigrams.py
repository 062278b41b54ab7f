"""Trigram index for statement search (PostgreSQL).

The statement list searches `search_text` for a fragment anywhere (`LIKE '%…%'`), which no B-tree
serves: with a hundred thousand statements every search read them all. pg_trgm's GIN index answers
such patterns. The extension ships with PostgreSQL (contrib) and is trusted, so the database owner
may create it; where it is not installed, or the migrating role may not create it, search keeps
working by scanning, and `pressgate db upgrade` says so. SQLite has no such index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:30:00.000000
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

INDEX = "ix_statements_search_trgm"
log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first() is None:
        log.warning("pg_trgm is not installed: statement search will scan (install postgresql-contrib)")
        return
    try:
        with bind.begin_nested():
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        log.warning("cannot create the pg_trgm extension (%s): statement search will scan", error.orig)
        return
    op.execute(f"CREATE INDEX {INDEX} ON statements USING gin (search_text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The extension stays: dropping it could break what others built on it.
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
