"""Give every unit the hidden-characters rule: invisible characters and look-alike letters hold a statement.

New units get it with the other default rules; units made before it get it here, active, as the rules a
unit starts with are given (a unit's leaders may switch it off, and that change is on the ledger).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 17:40:00.000000
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

#: The rule as it stood when this migration was written (the code's own default may change later).
RULE = {
    "code": "hidden_characters",
    "label": "Ký tự ẩn hoặc ký tự giả dạng",
    "keywords": [],
    "topics": [],
    "detectors": ["hidden_characters"],
    "source": "Unicode UTS #39: ký tự vô hình và chữ giả dạng có thể che từ ngữ nhạy cảm khỏi quy tắc",
}

rules = sa.table(
    "sensitivity_rules",
    sa.column("unit_id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("label", sa.String),
    sa.column("keywords", sa.JSON),
    sa.column("topics", sa.JSON),
    sa.column("detectors", sa.JSON),
    sa.column("source", sa.Text),
    sa.column("active", sa.Boolean),
    sa.column("created_at", sa.DateTime),
)
units = sa.table("units", sa.column("id", sa.Integer))


def upgrade() -> None:
    connection = op.get_bind()
    having = sa.select(rules.c.unit_id).where(rules.c.code == RULE["code"])
    missing = connection.scalars(sa.select(units.c.id).where(units.c.id.not_in(having))).all()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if missing:
        connection.execute(rules.insert(), [{"unit_id": u, **RULE, "active": True, "created_at": now} for u in missing])


def downgrade() -> None:
    op.execute(rules.delete().where(rules.c.code == RULE["code"]))
