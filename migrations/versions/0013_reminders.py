"""Reminders and escalation: each statement's next check by the deadline sweep, and a unit's reminder policy.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not in batch mode: SQLite adds nullable or defaulted columns in place (a batch would copy the table).
    op.add_column('statements', sa.Column('due_stage', sa.Integer(), server_default='0', nullable=False))
    op.add_column('statements', sa.Column('next_check_at', UTCDateTime(), nullable=True))
    op.create_index('ix_statements_next_check_at', 'statements', ['next_check_at'], unique=False)
    op.add_column('deadline_policies', sa.Column('remind_percent', sa.Integer(), server_default='50', nullable=False))
    op.add_column('deadline_policies', sa.Column('grace_minutes', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('deadline_policies', 'grace_minutes')
    op.drop_column('deadline_policies', 'remind_percent')
    op.drop_index('ix_statements_next_check_at', table_name='statements')
    op.drop_column('statements', 'next_check_at')
    op.drop_column('statements', 'due_stage')
