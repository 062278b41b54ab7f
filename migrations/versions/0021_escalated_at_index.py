"""Index when statements were escalated: the dashboard counts a week's escalations by it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 21:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_statements_escalated_at', 'statements', ['escalated_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_statements_escalated_at', table_name='statements')
