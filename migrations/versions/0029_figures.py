"""A version's figures block, and each unit's policy for figures (letter 6006 §2, issue 30).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new column of the versions, empty on every version written before: their content hashes stand.
    # Not in a batch: on SQLite a batch may copy the table, and with it drop the triggers that keep it unchanged.
    op.add_column("statement_versions", sa.Column("figures", sa.JSON(), nullable=True))
    op.create_table(
        "figures_policies",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("min_analysis_words", sa.Integer(), nullable=False),
        sa.Column("raw_share_percent", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "min_analysis_words BETWEEN 0 AND 500", name=op.f("ck_figures_policies_min_analysis_words_range")
        ),
        sa.CheckConstraint(
            "raw_share_percent BETWEEN 5 AND 100", name=op.f("ck_figures_policies_raw_share_percent_range")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_figures_policies_unit_id_units")),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_figures_policies")),
    )


def downgrade() -> None:
    # Like every downgrade here, this drops what the newer schema holds: a version's figures with it, after
    # which the ledger replay reports those versions' content hashes as unexplained. Back up first.
    op.drop_table("figures_policies")
    # Both databases drop a column in place (SQLite since 3.35): a batch's copy would break the keys to it.
    op.execute("ALTER TABLE statement_versions DROP COLUMN figures")
