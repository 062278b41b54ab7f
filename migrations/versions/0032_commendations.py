"""Commendations beside the violations, in a unit's record (issue 31); evidence, append-only like them.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("statements", sa.JSON(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_commendations_recorded_by_id_users")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_commendations_unit_id_units")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_commendations_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commendations")),
    )
    with op.batch_alter_table("commendations") as batch:
        batch.create_index(batch.f("ix_commendations_unit_id"), ["unit_id"], unique=False)
        batch.create_index(batch.f("ix_commendations_user_id"), ["user_id"], unique=False)
    _append_only(create=True)


def _append_only(create: bool) -> None:
    # As the violations beside them (0003); the function comes from 0001.
    if op.get_bind().dialect.name == "postgresql":
        if create:
            op.execute("CREATE TRIGGER commendations_append_only BEFORE UPDATE OR DELETE ON commendations"
                       " FOR EACH ROW EXECUTE FUNCTION pressgate_refuse_change()")
            op.execute("CREATE TRIGGER commendations_no_truncate BEFORE TRUNCATE ON commendations"
                       " FOR EACH STATEMENT EXECUTE FUNCTION pressgate_refuse_change()")
        else:
            op.execute("DROP TRIGGER IF EXISTS commendations_append_only ON commendations")
            op.execute("DROP TRIGGER IF EXISTS commendations_no_truncate ON commendations")
        return
    for verb in ("UPDATE", "DELETE"):
        if create:
            op.execute(f"CREATE TRIGGER commendations_no_{verb.lower()} BEFORE {verb} ON commendations"
                       f" BEGIN SELECT RAISE(ABORT, 'commendations is append-only: {verb} refused'); END")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS commendations_no_{verb.lower()}")


def downgrade() -> None:
    _append_only(create=False)
    with op.batch_alter_table("commendations") as batch:
        batch.drop_index(batch.f("ix_commendations_user_id"))
        batch.drop_index(batch.f("ix_commendations_unit_id"))
    op.drop_table("commendations")
