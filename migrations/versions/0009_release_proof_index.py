"""Index the release entries: the press room serves a statement only when its release is on the ledger.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 01:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(
            'ix_ledger_entries_release',
            ['statement_id', 'content_hash'],
            unique=False,
            sqlite_where=sa.text("action = 'release'"),
            postgresql_where=sa.text("action = 'release'"),
        )


def downgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_release')
