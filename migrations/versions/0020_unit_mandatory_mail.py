"""A unit's own kinds of notification its people are always emailed at once, beyond everyone's.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('deadline_policies', sa.Column('mandatory_mail', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deadline_policies') as batch:
        batch.drop_column('mandatory_mail')
