"""PostgreSQL: run the application as a role that cannot change or remove evidence at all.

The schema belongs to an owner role that runs migrations (`pressgate db upgrade`). The
application connects as another role, granted what it needs on the other tables, but only
SELECT and INSERT on the evidence tables: no UPDATE, DELETE or TRUNCATE. The triggers of the
migrations still refuse such changes to anyone else, superusers included unless they disable
them on purpose; the REVOKE means the application's own credentials, if stolen, cannot even try.
"""

from __future__ import annotations

import sqlalchemy as sa

#: Tables that hold evidence: written once, never changed or removed.
EVIDENCE_TABLES = (
    "ledger_entries",
    "statement_versions",
    "exports",
    "violations",
    "commendations",
    "letters",
    "issued_reports",
)


class RoleError(ValueError):
    """The role cannot be set up safely as it is."""


def protect(connection: sa.Connection, role: str) -> list[str]:
    """Grant the application role what it needs and revoke every change to evidence; return the SQL run."""
    if connection.dialect.name != "postgresql":
        raise RoleError("Roles are PostgreSQL's; on SQLite the triggers alone refuse changes to evidence.")
    attrs = connection.execute(
        sa.text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).first()
    if attrs is None:
        raise RoleError(f"No role {role!r}: create it first (CREATE ROLE {role} LOGIN PASSWORD '...').")
    if attrs.rolsuper:
        raise RoleError(f"{role} is a superuser: it could disable the triggers. Use an ordinary role.")
    owned = (
        connection.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tableowner = :r"),
            {"r": role},
        )
        .scalars()
        .all()
    )
    if owned:
        raise RoleError(f"{role} owns {', '.join(owned)}: an owner may drop triggers. Migrate as another role.")
    quoted = connection.dialect.identifier_preparer.quote(role)
    database = connection.dialect.identifier_preparer.quote(
        connection.execute(sa.text("SELECT current_database()")).scalar()
    )
    evidence = ", ".join(EVIDENCE_TABLES)
    statements = [
        f"GRANT CONNECT ON DATABASE {database} TO {quoted}",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {evidence} FROM {quoted}",
        f"GRANT UPDATE (seq, prev_hash, hash) ON ledger_entries TO {quoted}",
        # A letter changes once, to be cancelled; its number, content and letterhead never (migration 0031).
        f"GRANT UPDATE (cancelled_at, cancelled_by_id, cancel_reason) ON letters TO {quoted}",
        f"REVOKE TRUNCATE, TRIGGER ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {quoted}",
    ]
    for statement in statements:
        connection.execute(sa.text(statement))
    return statements
