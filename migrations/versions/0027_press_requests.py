"""Journalists' questions to a unit, and the days each unit gives itself to answer them (issue 30).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 12:10:18.484859
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "press_policies",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("normal_days", sa.Integer(), nullable=False),
        sa.Column("urgent_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_press_policies_unit_id_units")),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_press_policies")),
    )
    op.create_table(
        "press_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("outlet", sa.String(length=200), nullable=False),
        sa.Column("journalist", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=True),
        sa.Column("refusal_ground", sa.String(length=32), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("refused_at", UTCDateTime(), nullable=True),
        sa.Column("refused_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(status = 'refused') = (refusal_ground IS NOT NULL AND refusal_reason IS NOT NULL)",
            name=op.f("ck_press_requests_refusal_whole"),
        ),
        sa.CheckConstraint(
            "refusal_ground IS NULL OR refusal_ground IN ('state_secret', 'private_secret', 'under_investigation', 'inspection_or_complaint', 'draft_policy')",
            name=op.f("ck_press_requests_ground_valid"),
        ),
        sa.CheckConstraint("status IN ('open', 'refused')", name=op.f("ck_press_requests_status_valid")),
        sa.ForeignKeyConstraint(["answer_id"], ["statements.id"], name=op.f("fk_press_requests_answer_id_statements")),
        sa.ForeignKeyConstraint(["assigned_to_id"], ["users.id"], name=op.f("fk_press_requests_assigned_to_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_press_requests_created_by_id_users")),
        sa.ForeignKeyConstraint(["refused_by_id"], ["users.id"], name=op.f("fk_press_requests_refused_by_id_users")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_press_requests_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_press_requests")),
        sa.UniqueConstraint("answer_id", name=op.f("uq_press_requests_answer_id")),
    )
    with op.batch_alter_table("press_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_press_requests_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_press_requests_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("press_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_press_requests_unit_id"))
        batch_op.drop_index(batch_op.f("ix_press_requests_due_at"))

    op.drop_table("press_requests")
    op.drop_table("press_policies")
