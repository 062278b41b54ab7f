"""Information seen outside about a unit: rumours and fake news, their matches, corrections and reports (issue 30).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 12:44:36.675233
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rumours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=1000), nullable=False),
    sa.Column('first_seen_at', UTCDateTime(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('reach', sa.BigInteger(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('matched', sa.JSON(), nullable=True),
    sa.Column('assessment', sa.String(length=32), nullable=False),
    sa.Column('assessment_note', sa.Text(), nullable=True),
    sa.Column('assessed_at', UTCDateTime(), nullable=True),
    sa.Column('assessed_by_id', sa.Integer(), nullable=True),
    sa.Column('concerns_id', sa.Integer(), nullable=True),
    sa.Column('correction_id', sa.Integer(), nullable=True),
    sa.Column('reported_to_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("assessment IN ('unassessed', 'true', 'misleading', 'false', 'beyond_authority')", name=op.f('ck_rumours_assessment_valid')),
    sa.CheckConstraint('reach IS NULL OR reach >= 0', name=op.f('ck_rumours_reach_positive')),
    sa.ForeignKeyConstraint(['assessed_by_id'], ['users.id'], name=op.f('fk_rumours_assessed_by_id_users')),
    sa.ForeignKeyConstraint(['concerns_id'], ['statements.id'], name=op.f('fk_rumours_concerns_id_statements')),
    sa.ForeignKeyConstraint(['correction_id'], ['statements.id'], name=op.f('fk_rumours_correction_id_statements')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rumours_created_by_id_users')),
    sa.ForeignKeyConstraint(['reported_to_id'], ['units.id'], name=op.f('fk_rumours_reported_to_id_units')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_rumours_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rumours')),
    sa.UniqueConstraint('correction_id', name=op.f('uq_rumours_correction_id'))
    )
    with op.batch_alter_table('rumours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rumours_reported_to_id'), ['reported_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rumours_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rumours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rumours_unit_id'))
        batch_op.drop_index(batch_op.f('ix_rumours_reported_to_id'))

    op.drop_table('rumours')
