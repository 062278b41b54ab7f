"""Emergency release: a leader releases urgent approved content when no spokesperson can, and another reviews it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns, added in place on both databases (a batch would copy `statements`).
    op.add_column('statements', sa.Column('released_via', sa.String(length=16), nullable=True))
    op.add_column('statements', sa.Column('emergency_review_due_at', UTCDateTime(), nullable=True))
    op.add_column('statements', sa.Column('emergency_reviewed_at', UTCDateTime(), nullable=True))
    op.add_column('statements', sa.Column('emergency_review_outcome', sa.String(length=16), nullable=True))
    op.add_column('statements', sa.Column('emergency_review_note', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE statements ADD COLUMN emergency_reviewed_by_id INTEGER REFERENCES users (id)')
    else:
        op.add_column('statements', sa.Column('emergency_reviewed_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f('fk_statements_emergency_reviewed_by_id_users'),
            'statements',
            'users',
            ['emergency_reviewed_by_id'],
            ['id'],
        )
    op.create_index('ix_statements_emergency_review_due_at', 'statements', ['emergency_review_due_at'], unique=False)
    # The press room's proof of release finds a leader's emergency release as it finds any other.
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_release')
        batch_op.create_index(
            'ix_ledger_entries_release',
            ['statement_id', 'content_hash'],
            unique=False,
            sqlite_where=sa.text("action IN ('release', 'emergency_release')"),
            postgresql_where=sa.text("action IN ('release', 'emergency_release')"),
        )
    # Every release so far was by hand: the replay expects it said.
    op.execute("UPDATE statements SET released_via = 'release' WHERE released_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_release')
        batch_op.create_index(
            'ix_ledger_entries_release',
            ['statement_id', 'content_hash'],
            unique=False,
            sqlite_where=sa.text("action = 'release'"),
            postgresql_where=sa.text("action = 'release'"),
        )
    op.drop_index('ix_statements_emergency_review_due_at', table_name='statements')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(
            op.f('fk_statements_emergency_reviewed_by_id_users'), 'statements', type_='foreignkey'
        )
    for column in (
        'emergency_reviewed_by_id',
        'emergency_review_note',
        'emergency_review_outcome',
        'emergency_reviewed_at',
        'emergency_review_due_at',
        'released_via',
    ):
        op.drop_column('statements', column)
