"""Deadlines: when a statement's open step is due, and each unit's deadline policy.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 10:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not in batch mode: SQLite adds a nullable column in place, while a batch would copy the table
    # (and could not drop the old one, which other tables' foreign keys name).
    op.add_column('statements', sa.Column('due_at', UTCDateTime(), nullable=True))
    op.create_index('ix_statements_due_at', 'statements', ['due_at'], unique=False)
    op.create_table(
        'deadline_policies',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('hours', sa.JSON(), nullable=False),
        sa.Column('days_off', sa.JSON(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_deadline_policies_unit_id_units')),
        sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_deadline_policies')),
    )


def downgrade() -> None:
    op.drop_table('deadline_policies')
    op.drop_index('ix_statements_due_at', table_name='statements')
    op.drop_column('statements', 'due_at')
