"""A deadline's notification says when the step was due and who is late.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not in batch mode: SQLite adds a nullable column in place.
    op.add_column('notifications', sa.Column('detail', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('notifications', 'detail')
