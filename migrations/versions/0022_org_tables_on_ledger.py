"""PostgreSQL: the tables that decide who may act and what is sensitive change only with their ledger entry.

A sensitivity rule, a role or an acting appointment changed by hand with the application's credentials,
used for one decision and changed back, leaves the tables agreeing with the ledger. A deferred constraint
trigger refuses, at commit, any change to them in a transaction that did not also append the ledger entry
that says so. The check reads the entries this transaction wrote (`xmin`): a change made inside a
savepoint would need its entry in the same savepoint, and none is made so. SQLite has no such check: the
embedded default has no separate roles to protect against (docs/ledger-integrity.md).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 23:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

#: table -> the admin entries that change it
GUARDED = {
    'sensitivity_rules': ('create_unit', 'create_rule', 'update_rule'),
    'memberships': ('create_user', 'grant_role', 'revoke_role', 'designate_spokesperson', 'remove_spokesperson'),
    'acting_appointments': ('appoint_acting_spokesperson', 'end_acting_spokesperson'),
}

_FUNCTION = """
CREATE FUNCTION pressgate_changed_on_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM ledger_entries
        WHERE kind = 'admin' AND action = ANY (TG_ARGV) AND xmin = pg_current_xact_id()::xid
    ) THEN
        RAISE EXCEPTION '% changes only with its ledger entry (one of: %)', TG_TABLE_NAME, array_to_string(TG_ARGV, ', ')
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(_FUNCTION)
    for table, actions in GUARDED.items():
        arguments = ", ".join(f"'{action}'" for action in actions)
        op.execute(f"CREATE CONSTRAINT TRIGGER {table}_on_ledger AFTER INSERT OR UPDATE OR DELETE ON {table}"
                   f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pressgate_changed_on_ledger({arguments})")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in GUARDED:
        op.execute(f"DROP TRIGGER {table}_on_ledger ON {table}")
    op.execute("DROP FUNCTION pressgate_changed_on_ledger()")
