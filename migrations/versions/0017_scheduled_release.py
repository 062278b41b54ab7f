"""Scheduled release (embargo): when an approved statement is released by the worker, and on whose authority.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 16:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns are added in place on both databases (a batch would copy `statements`, which other
    # tables' foreign keys name).
    op.add_column('statements', sa.Column('release_at', UTCDateTime(), nullable=True))
    op.add_column('statements', sa.Column('release_channels', sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a column with its reference in place; Alembic would only add one by copying the table.
        op.execute('ALTER TABLE statements ADD COLUMN release_scheduled_by_id INTEGER REFERENCES users (id)')
    else:
        op.add_column('statements', sa.Column('release_scheduled_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f('fk_statements_release_scheduled_by_id_users'), 'statements', 'users', ['release_scheduled_by_id'], ['id']
        )
    op.add_column('statements', sa.Column('release_scheduled_hash', sa.String(length=64), nullable=True))
    op.create_index('ix_statements_release_at', 'statements', ['release_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':  # SQLite adds a constraint only by copying the table
        op.create_check_constraint(
            op.f('ck_statements_scheduled_only_when_approved'),
            'statements',
            "release_at IS NULL OR state = 'approved'",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_statements_scheduled_only_when_approved'), 'statements', type_='check')
        op.drop_constraint(op.f('fk_statements_release_scheduled_by_id_users'), 'statements', type_='foreignkey')
    op.drop_index('ix_statements_release_at', table_name='statements')
    op.drop_column('statements', 'release_scheduled_hash')
    op.drop_column('statements', 'release_scheduled_by_id')
    op.drop_column('statements', 'release_channels')
    op.drop_column('statements', 'release_at')
