"""Reports issued as official reports under their unit's yearly number (issue 31); evidence, append-only.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=44), nullable=False),
        sa.Column("period", sa.String(length=30), nullable=False),
        sa.Column("rolled_up", sa.Boolean(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("figures_hash", sa.String(length=64), nullable=False),
        sa.Column("signing_mark", sa.String(length=200), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("number > 0", name=op.f("ck_issued_reports_number_positive")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_issued_reports_issued_by_id_users")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_issued_reports_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_reports")),
        sa.UniqueConstraint("unit_id", "year", "number", name="uq_issued_reports_unit_year_number"),
    )
    with op.batch_alter_table("issued_reports") as batch:
        batch.create_index(batch.f("ix_issued_reports_unit_id"), ["unit_id"], unique=False)
    _append_only(create=True)


def _append_only(create: bool) -> None:
    # As the commendations (0032); the function comes from 0001.
    if op.get_bind().dialect.name == "postgresql":
        if create:
            op.execute("CREATE TRIGGER issued_reports_append_only BEFORE UPDATE OR DELETE ON issued_reports"
                       " FOR EACH ROW EXECUTE FUNCTION pressgate_refuse_change()")
            op.execute("CREATE TRIGGER issued_reports_no_truncate BEFORE TRUNCATE ON issued_reports"
                       " FOR EACH STATEMENT EXECUTE FUNCTION pressgate_refuse_change()")
        else:
            op.execute("DROP TRIGGER IF EXISTS issued_reports_append_only ON issued_reports")
            op.execute("DROP TRIGGER IF EXISTS issued_reports_no_truncate ON issued_reports")
        return
    for verb in ("UPDATE", "DELETE"):
        if create:
            op.execute(f"CREATE TRIGGER issued_reports_no_{verb.lower()} BEFORE {verb} ON issued_reports"
                       f" BEGIN SELECT RAISE(ABORT, 'issued_reports is append-only: {verb} refused'); END")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS issued_reports_no_{verb.lower()}")


def downgrade() -> None:
    _append_only(create=False)
    with op.batch_alter_table("issued_reports") as batch:
        batch.drop_index(batch.f("ix_issued_reports_unit_id"))
    op.drop_table("issued_reports")
