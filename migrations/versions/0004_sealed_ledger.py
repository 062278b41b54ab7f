"""A sealed ledger: entries get an id when written and their chain fields when sealed.

On PostgreSQL an entry is inserted unsealed (no seq, prev_hash, hash) and sealed once, after its
transaction commits; the trigger allows exactly that and nothing else. SQLite still chains an
entry as it is written, so its table keeps refusing every UPDATE. Existing entries keep their
seq as their id.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import workflow.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_SEAL_ONCE = """
CREATE OR REPLACE FUNCTION pressgate_ledger_seal_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.seq IS NULL AND NEW.prev_hash IS NULL AND NEW.hash IS NULL THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'ledger entries are written unsealed; only the sealer gives them their place in the chain'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
        AND (to_jsonb(NEW) - ARRAY['seq', 'prev_hash', 'hash']) = (to_jsonb(OLD) - ARRAY['seq', 'prev_hash', 'hash'])
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ledger_entries is append-only: % refused (an entry is sealed once and never changed)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

_FIELDS = ("at", "kind", "action", "statement_id", "version", "content_hash", "from_state", "to_state",
           "actor_id", "actor", "role", "unit", "comment", "data", "prev_hash", "hash")
_SEALED_WHOLE = ("(seq IS NULL AND prev_hash IS NULL AND hash IS NULL)"
                 " OR (seq IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL)")


def _entry_columns() -> list[sa.Column]:
    """Return the columns every entry has whether sealed or not."""
    return [
        sa.Column('at', workflow.db.UTCDateTime(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.Column('content_hash', sa.String(length=64), nullable=True),
        sa.Column('from_state', sa.String(length=32), nullable=True),
        sa.Column('to_state', sa.String(length=32), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=64), nullable=True),
        sa.Column('role', sa.String(length=32), nullable=True),
        sa.Column('unit', sa.String(length=64), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
    ]


def _sqlite_table(name: str, sealed: bool) -> None:
    """Create the SQLite table: with an id and nullable chain fields, or as 0003 had it (`sealed` False)."""
    key = [sa.Column('id', sa.Integer(), nullable=False)] if sealed else []
    extra = [
        sa.CheckConstraint(_SEALED_WHOLE, name=op.f('ck_ledger_entries_sealed_whole')),
        sa.UniqueConstraint('seq', name=op.f('uq_ledger_entries_seq')),
    ] if sealed else []
    op.create_table(
        name,
        *key,
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=sealed),
        *_entry_columns(),
        sa.Column('prev_hash', sa.String(length=64), nullable=sealed),
        sa.Column('hash', sa.String(length=64), nullable=sealed),
        sa.CheckConstraint('seq >= 1', name=op.f('ck_ledger_entries_seq_positive')),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ledger_entries_actor_id_users')),
        sa.ForeignKeyConstraint(['statement_id'], ['statements.id'],
                                name=op.f('fk_ledger_entries_statement_id_statements')),
        sa.PrimaryKeyConstraint('id' if sealed else 'seq', name=op.f('pk_ledger_entries')),
        sa.UniqueConstraint('hash', name=op.f('uq_ledger_entries_hash')),
        sa.UniqueConstraint('prev_hash', name=op.f('uq_ledger_entries_prev_hash')),
        *extra,
    )


def _indexes() -> None:
    op.create_index('ix_ledger_entries_actor_id', 'ledger_entries', ['actor_id'])
    op.create_index('ix_ledger_entries_kind_action', 'ledger_entries', ['kind', 'action'])
    op.create_index('ix_ledger_entries_statement_id', 'ledger_entries', ['statement_id'])


def _sqlite_append_only() -> None:
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER ledger_entries_no_{verb.lower()} BEFORE {verb} ON ledger_entries"
                   f" BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only: {verb} refused'); END")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        # SQLite cannot change a primary key in place: copy into the new shape, seq becoming the id.
        _sqlite_table('ledger_entries_new', sealed=True)
        columns = ", ".join(_FIELDS)
        op.execute(f"INSERT INTO ledger_entries_new (id, seq, {columns}) SELECT seq, seq, {columns} FROM ledger_entries")
        op.drop_table('ledger_entries')  # with its indexes and triggers
        op.rename_table('ledger_entries_new', 'ledger_entries')
        _indexes()
        op.create_index('ix_ledger_entries_unsealed', 'ledger_entries', ['id'], sqlite_where=sa.text('seq IS NULL'))
        _sqlite_append_only()
        return
    op.execute("DROP TRIGGER ledger_entries_append_only ON ledger_entries")
    op.execute("ALTER TABLE ledger_entries ADD COLUMN id BIGINT")
    op.execute("UPDATE ledger_entries SET id = seq")
    op.execute("ALTER TABLE ledger_entries ALTER COLUMN id SET NOT NULL")
    op.execute("ALTER TABLE ledger_entries DROP CONSTRAINT pk_ledger_entries")
    op.execute("ALTER TABLE ledger_entries ADD CONSTRAINT pk_ledger_entries PRIMARY KEY (id)")
    op.execute("ALTER TABLE ledger_entries ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
    op.execute("SELECT setval(pg_get_serial_sequence('ledger_entries', 'id'), COALESCE(MAX(id), 0) + 1, false)"
               " FROM ledger_entries")
    for column in ("seq", "prev_hash", "hash"):
        op.execute(f"ALTER TABLE ledger_entries ALTER COLUMN {column} DROP NOT NULL")
    op.execute("ALTER TABLE ledger_entries ADD CONSTRAINT uq_ledger_entries_seq UNIQUE (seq)")
    op.execute(f"ALTER TABLE ledger_entries ADD CONSTRAINT ck_ledger_entries_sealed_whole CHECK ({_SEALED_WHOLE})")
    op.create_index('ix_ledger_entries_unsealed', 'ledger_entries', ['id'], postgresql_where=sa.text('seq IS NULL'))
    op.execute(_SEAL_ONCE)
    op.execute("CREATE TRIGGER ledger_entries_seal_once BEFORE INSERT OR UPDATE OR DELETE ON ledger_entries"
               " FOR EACH ROW EXECUTE FUNCTION pressgate_ledger_seal_once()")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM ledger_entries WHERE seq IS NULL")).scalar():
        raise RuntimeError("unsealed ledger entries exist: run `pressgate ledger seal` before downgrading")
    if bind.dialect.name != "postgresql":
        _sqlite_table('ledger_entries_old', sealed=False)
        columns = ", ".join(_FIELDS)
        op.execute(f"INSERT INTO ledger_entries_old (seq, {columns}) SELECT seq, {columns} FROM ledger_entries")
        op.drop_table('ledger_entries')
        op.rename_table('ledger_entries_old', 'ledger_entries')
        _indexes()
        _sqlite_append_only()
        return
    op.drop_index('ix_ledger_entries_unsealed', table_name='ledger_entries')
    op.execute("DROP TRIGGER ledger_entries_seal_once ON ledger_entries")
    op.execute("DROP FUNCTION pressgate_ledger_seal_once()")
    op.execute("ALTER TABLE ledger_entries DROP CONSTRAINT ck_ledger_entries_sealed_whole")
    op.execute("ALTER TABLE ledger_entries DROP CONSTRAINT uq_ledger_entries_seq")
    op.execute("ALTER TABLE ledger_entries DROP CONSTRAINT pk_ledger_entries")
    op.execute("ALTER TABLE ledger_entries DROP COLUMN id")
    op.execute("ALTER TABLE ledger_entries ADD CONSTRAINT pk_ledger_entries PRIMARY KEY (seq)")
    for column in ("prev_hash", "hash"):
        op.execute(f"ALTER TABLE ledger_entries ALTER COLUMN {column} SET NOT NULL")
    op.execute("CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries"
               " FOR EACH ROW EXECUTE FUNCTION pressgate_refuse_change()")
