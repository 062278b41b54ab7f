"""The daily digest: notifications whose email waits for the person's digest, indexed for its sender.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 20:00:00.000000
"""

from __future__ import annotations

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
    op.execute("UPDATE notifications SET mail_state = 'pending', mail_due_at = CURRENT_TIMESTAMP WHERE mail_state = 'digest'")
    op.drop_index('ix_notifications_digest', table_name='notifications')
