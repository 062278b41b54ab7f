"""Each copy's variant choices as one bit string, so an investigation compares 20,000 copies at once.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 23:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Copies made before keep NULL (exports are append-only): an investigation works their bits out.
    op.add_column('exports', sa.Column('variant_bits', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('exports', 'variant_bits')
