"""The legal basis a leader records for releasing content that identifies people (issue 30).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 08:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns are added in place on both databases, as in 0017.
    op.add_column('statements', sa.Column('privacy_basis', sa.String(length=16), nullable=True))
    op.add_column('statements', sa.Column('privacy_basis_hash', sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE statements ADD COLUMN privacy_basis_by_id INTEGER REFERENCES users (id)')
    else:
        op.add_column('statements', sa.Column('privacy_basis_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f('fk_statements_privacy_basis_by_id_users'), 'statements', 'users', ['privacy_basis_by_id'], ['id']
        )
    op.add_column('statements', sa.Column('privacy_basis_reason', sa.Text(), nullable=True))
    op.add_column('statements', sa.Column('privacy_basis_at', UTCDateTime(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('fk_statements_privacy_basis_by_id_users'), 'statements', type_='foreignkey')
    for name in ('privacy_basis_at', 'privacy_basis_reason', 'privacy_basis_by_id', 'privacy_basis_hash', 'privacy_basis'):
        op.drop_column('statements', name)
