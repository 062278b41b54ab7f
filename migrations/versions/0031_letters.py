"""Official letters: each unit's letterhead, the letters issued with their numbers, each year's last number (issue 31).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letterheads",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=300), nullable=False),
        sa.Column("parent_name", sa.String(length=300), nullable=False),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("copies_to", sa.JSON(), nullable=False),
        sa.Column("archive", sa.String(length=40), nullable=False),
        sa.Column("signers", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_letterheads_unit_id_units")),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_letterheads")),
    )
    op.create_table(
        "letter_counters",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_letter_counters_unit_id_units")),
        sa.PrimaryKeyConstraint("unit_id", "year", name=op.f("pk_letter_counters")),
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("unit_full_name", sa.String(length=300), nullable=False),
        sa.Column("parent_name", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("copies_to", sa.JSON(), nullable=False),
        sa.Column("archive", sa.String(length=40), nullable=False),
        sa.Column("signing_mark", sa.String(length=200), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("number > 0", name=op.f("ck_letters_number_positive")),
        sa.ForeignKeyConstraint(["cancelled_by_id"], ["users.id"], name=op.f("fk_letters_cancelled_by_id_users")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_letters_issued_by_id_users")),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"], name=op.f("fk_letters_statement_id_statements")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_letters_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint("unit_id", "year", "number", name="uq_letters_unit_year_number"),
    )
    with op.batch_alter_table("letters") as batch:
        batch.create_index(batch.f("ix_letters_statement_id"), ["statement_id"], unique=False)
        batch.create_index(batch.f("ix_letters_unit_id"), ["unit_id"], unique=False)
    _kept(create=True)


#: A letter is evidence: never removed, and changed only once, to be cancelled (its number stays its own).
_PG_LETTER_GUARD = """
CREATE OR REPLACE FUNCTION pressgate_letter_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR OLD.cancelled_at IS NOT NULL
       OR (OLD.id, OLD.unit_id, OLD.year, OLD.number, OLD.statement_id, OLD.version, OLD.content_hash, OLD.symbol,
           OLD.place, OLD.unit_full_name, OLD.parent_name, OLD.subject, OLD.recipients::text, OLD.copies_to::text,
           OLD.archive, OLD.signing_mark, OLD.signer_name, OLD.issued_at, OLD.issued_by_id)
          IS DISTINCT FROM
          (NEW.id, NEW.unit_id, NEW.year, NEW.number, NEW.statement_id, NEW.version, NEW.content_hash, NEW.symbol,
           NEW.place, NEW.unit_full_name, NEW.parent_name, NEW.subject, NEW.recipients::text, NEW.copies_to::text,
           NEW.archive, NEW.signing_mark, NEW.signer_name, NEW.issued_at, NEW.issued_by_id)
    THEN
        RAISE EXCEPTION 'letters are kept: % refused (only a cancellation, once)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
"""
#: The columns a cancellation writes: every other column of a letter is fixed once it is issued.
_CANCELLATION = ("cancelled_at", "cancelled_by_id", "cancel_reason")
_FIXED = ("id", "unit_id", "year", "number", "statement_id", "version", "content_hash", "symbol", "place",
          "unit_full_name", "parent_name", "subject", "recipients", "copies_to", "archive", "signing_mark",
          "signer_name", "issued_at", "issued_by_id")  # fmt: skip


def _kept(create: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        if create:
            op.execute(_PG_LETTER_GUARD)
            op.execute("CREATE TRIGGER letters_kept BEFORE UPDATE OR DELETE ON letters"
                       " FOR EACH ROW EXECUTE FUNCTION pressgate_letter_guard()")
            op.execute("CREATE TRIGGER letters_no_truncate BEFORE TRUNCATE ON letters"
                       " FOR EACH STATEMENT EXECUTE FUNCTION pressgate_refuse_change()")
        else:
            op.execute("DROP TRIGGER IF EXISTS letters_kept ON letters")
            op.execute("DROP TRIGGER IF EXISTS letters_no_truncate ON letters")
            op.execute("DROP FUNCTION IF EXISTS pressgate_letter_guard()")
        return
    if create:
        op.execute("CREATE TRIGGER letters_no_delete BEFORE DELETE ON letters"
                   " BEGIN SELECT RAISE(ABORT, 'letters are kept: DELETE refused'); END")
        op.execute(f"CREATE TRIGGER letters_fixed BEFORE UPDATE OF {', '.join(_FIXED)} ON letters"
                   " BEGIN SELECT RAISE(ABORT, 'letters are kept: UPDATE refused'); END")
        op.execute(f"CREATE TRIGGER letters_cancelled_once BEFORE UPDATE OF {', '.join(_CANCELLATION)} ON letters"
                   " WHEN OLD.cancelled_at IS NOT NULL"
                   " BEGIN SELECT RAISE(ABORT, 'letters are kept: a cancellation is made once'); END")
    else:
        for name in ("letters_no_delete", "letters_fixed", "letters_cancelled_once"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def downgrade() -> None:
    _kept(create=False)
    # The letters issued go with the tables: a downgrade below 0031 is for a database that issued none.
    with op.batch_alter_table("letters") as batch:
        batch.drop_index(batch.f("ix_letters_unit_id"))
        batch.drop_index(batch.f("ix_letters_statement_id"))
    op.drop_table("letters")
    op.drop_table("letter_counters")
    op.drop_table("letterheads")
