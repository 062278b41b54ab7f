"""The ledger's Merkle tree in tiles of 256 hashes, for inclusion proofs of a release (issue 30).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Filled as checkpoints are signed (workflow/ledger/merkle.py): derived from the chain, rebuilt from it.
    op.create_table(
        'ledger_tiles',
        sa.Column('level', sa.SmallInteger(), nullable=False),
        sa.Column('idx', sa.BigInteger(), nullable=False),
        sa.Column('hashes', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('level', 'idx', name=op.f('pk_ledger_tiles')),
    )


def downgrade() -> None:
    op.drop_table('ledger_tiles')
