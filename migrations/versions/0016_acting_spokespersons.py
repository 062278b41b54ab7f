"""Acting spokespersons: a unit's leader appoints someone for a period, with a reason.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 16:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'acting_appointments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('appointed_by_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('starts_at', UTCDateTime(), nullable=False),
        sa.Column('ends_at', UTCDateTime(), nullable=False),
        sa.Column('ended_at', UTCDateTime(), nullable=True),
        sa.Column('ended_by_id', sa.Integer(), nullable=True),
        sa.Column('end_reason', sa.Text(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_acting_appointments_ends_after_it_starts')),
        sa.ForeignKeyConstraint(
            ['appointed_by_id'], ['users.id'], name=op.f('fk_acting_appointments_appointed_by_id_users')
        ),
        sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_acting_appointments_ended_by_id_users')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_acting_appointments_unit_id_units')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_acting_appointments_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_acting_appointments')),
    )
    op.create_index('ix_acting_appointments_unit_id_ends_at', 'acting_appointments', ['unit_id', 'ends_at'])
    op.create_index('ix_acting_appointments_user_id_ends_at', 'acting_appointments', ['user_id', 'ends_at'])


def downgrade() -> None:
    op.drop_index('ix_acting_appointments_user_id_ends_at', table_name='acting_appointments')
    op.drop_index('ix_acting_appointments_unit_id_ends_at', table_name='acting_appointments')
    op.drop_table('acting_appointments')
