"""Idempotency keys: a form sent twice, or a request retried with the same Idempotency-Key, creates once.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 02:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'request_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_request_keys_statement_id_statements')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_request_keys_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_keys')),
        sa.UniqueConstraint('user_id', 'key', name='uq_request_keys_user_key'),
    )
    with op.batch_alter_table('request_keys', schema=None) as batch_op:
        batch_op.create_index('ix_request_keys_created_at', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_table('request_keys')
