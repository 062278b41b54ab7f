"""Notifications are written from the ledger: the cursor that says how far along the chain they are.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notification_cursor',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_notification_cursor')),
    )
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        # Decisions made before this revision wrote their notifications themselves: give waiting entries
        # their place first, so that the cursor starts after every one of them.
        from workflow.ledger import sealing

        while sealing.seal(connection, wait=True) == sealing.BATCH:
            pass
    op.execute(
        "INSERT INTO notification_cursor (name, seq) SELECT 'decisions', COALESCE(MAX(seq), 0) FROM ledger_entries"
    )


def downgrade() -> None:
    op.drop_table('notification_cursor')
