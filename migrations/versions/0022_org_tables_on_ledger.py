"""PostgreSQL: the tables that decide who may act and what is sensitive change only with their ledger entry.

A sensitivity rule, a role or an acting appointment changed by hand with the application's credentials,
used for one decision and changed back, leaves the tables agreeing with the ledger. A deferred constraint
trigger refuses, at commit, any change to them in a transaction that did not also append the ledger entry
that says so, naming the unit and the rule, person or appointment changed. The check reads the entries
this transaction wrote (`xmin`): a change made inside a
savepoint would need its entry in the same savepoint, and none is made so. SQLite has no such check: the
embedded default has no separate roles to protect against (docs/ledger-integrity.md).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 23:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
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

#: The function names every table by its schema and searches pg_temp last, so a temporary table of the same
#: name cannot stand in for the ledger. It looks for an entry of this transaction that names the unit and
#: the rule, the person or the appointment of the row changed (its old row too, on a designation).
_FUNCTION = """
CREATE FUNCTION {s}.pressgate_changed_on_ledger() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    changed record;
    unit_code text;
    named text;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    SELECT code INTO unit_code FROM {s}.units WHERE id = changed.unit_id;
    IF TG_TABLE_NAME = 'sensitivity_rules' THEN
        named := changed.code;
    ELSIF TG_TABLE_NAME = 'memberships' THEN
        SELECT username INTO named FROM {s}.users WHERE id = changed.user_id;
    ELSE
        named := changed.id::text;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM {s}.ledger_entries e
        WHERE e.kind = 'admin' AND e.action = ANY (TG_ARGV) AND e.xmin = pg_current_xact_id()::xid
          AND CASE e.action
              WHEN 'create_unit' THEN e.unit = unit_code
              WHEN 'create_user' THEN e.data ->> 'username' = named AND EXISTS (
                  SELECT 1 FROM json_array_elements(e.data -> 'roles') r WHERE r ->> 'unit' = unit_code)
              WHEN 'designate_spokesperson' THEN e.unit = unit_code
                  AND named IN (e.data ->> 'username', e.data ->> 'previous')
              WHEN 'create_rule' THEN e.unit = unit_code AND e.data ->> 'rule' = named
              WHEN 'update_rule' THEN e.unit = unit_code AND e.data ->> 'rule' = named
              WHEN 'appoint_acting_spokesperson' THEN e.unit = unit_code AND e.data ->> 'appointment' = named
              WHEN 'end_acting_spokesperson' THEN e.unit = unit_code AND e.data ->> 'appointment' = named
              ELSE e.unit = unit_code AND e.data ->> 'username' = named
          END
    ) THEN
        RAISE EXCEPTION '% changes only with its ledger entry (one of: %) naming unit % and %',
            TG_TABLE_NAME, array_to_string(TG_ARGV, ', '), unit_code, named
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar()
    op.execute(_FUNCTION.format(s=schema))
    for table, actions in GUARDED.items():
        arguments = ", ".join(f"'{action}'" for action in actions)
        op.execute(f"CREATE CONSTRAINT TRIGGER {table}_on_ledger AFTER INSERT OR UPDATE OR DELETE ON {table}"
                   f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                   f" EXECUTE FUNCTION {schema}.pressgate_changed_on_ledger({arguments})")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in GUARDED:
        op.execute(f"DROP TRIGGER {table}_on_ledger ON {table}")
    op.execute("DROP FUNCTION pressgate_changed_on_ledger()")
