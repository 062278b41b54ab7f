"""Each unit's focal officer for the watch of what is seen outside (issue 30).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watch_focals",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("appointed_by_id", sa.Integer(), nullable=False),
        sa.Column("appointed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointed_by_id"], ["users.id"], name=op.f("fk_watch_focals_appointed_by_id_users")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_watch_focals_unit_id_units")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_watch_focals_user_id_users")),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_watch_focals")),
    )
    with op.batch_alter_table("watch_focals") as batch:
        batch.create_index(batch.f("ix_watch_focals_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("watch_focals") as batch:
        batch.drop_index(batch.f("ix_watch_focals_user_id"))
    op.drop_table("watch_focals")
