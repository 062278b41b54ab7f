"""Notifications: what each person is told of a statement, with its email's place in the outbox; their settings.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 10:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('unit', sa.String(length=64), nullable=False),
        sa.Column('urgent', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('read_at', UTCDateTime(), nullable=True),
        sa.Column('mail_state', sa.String(length=16), nullable=False),
        sa.Column('mail_to', sa.String(length=254), nullable=True),
        sa.Column('mail_language', sa.String(length=8), nullable=False),
        sa.Column('mail_attempts', sa.Integer(), nullable=False),
        sa.Column('mail_due_at', UTCDateTime(), nullable=True),
        sa.Column('mail_sent_at', UTCDateTime(), nullable=True),
        sa.Column('mail_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_notifications_statement_id_statements')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    op.create_index('ix_notifications_user_id_id', 'notifications', ['user_id', 'id'], unique=False)
    op.create_index(
        'ix_notifications_mail_due',
        'notifications',
        ['mail_due_at'],
        unique=False,
        postgresql_where=sa.text("mail_state = 'pending'"),
        sqlite_where=sa.text("mail_state = 'pending'"),
    )
    op.create_table(
        'notification_settings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('modes', sa.JSON(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings')),
    )


def downgrade() -> None:
    op.drop_table('notification_settings')
    op.drop_index('ix_notifications_mail_due', table_name='notifications')
    op.drop_index('ix_notifications_user_id_id', table_name='notifications')
    op.drop_table('notifications')
