"""The daily digest: notifications whose email waits for the person's digest, indexed for its sender.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 20:00:00.000000
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_notifications_digest',
        'notifications',
        ['user_id', 'id'],
        unique=False,
        postgresql_where=sa.text("mail_state = 'digest'"),
        sqlite_where=sa.text("mail_state = 'digest'"),
    )


def downgrade() -> None:
    # What waited for a digest is sent on its own, as before digests existed.
    # The due time in UTC, as the column stores it (CURRENT_TIMESTAMP would follow the server's time zone).
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    op.get_bind().execute(
        sa.text("UPDATE notifications SET mail_state = 'pending', mail_due_at = :now WHERE mail_state = 'digest'"),
        {"now": now},
    )
    op.drop_index('ix_notifications_digest', table_name='notifications')
