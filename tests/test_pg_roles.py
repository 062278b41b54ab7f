"""PostgreSQL: an application role that cannot UPDATE, DELETE or TRUNCATE evidence, and triggers behind it."""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa
from psycopg import errors as pg_errors
from sqlalchemy.orm import Session

from auth.service import actor_for, get_user
from statements.db import make_engine
from statements.lifecycle.service import create_statement
from statements.migrate import upgrade
from statements.pg_roles import EVIDENCE_TABLES, RoleError, protect
from tests import pg
from tests.conftest import own_postgres, seed_org
from workflow.ledger import sealing, verification

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def protected(backend):
    """A fresh database migrated by its owner, and an ordinary role protected on it; both dropped after."""
    role = f"pressgate_app_{secrets.token_hex(4)}"
    with own_postgres(backend, "roles are PostgreSQL's") as url:
        owner = make_engine(url)
        upgrade(owner)
        with Session(owner) as session:
            seed_org(session)
            session.commit()
        with owner.begin() as conn:
            conn.execute(sa.text(f"CREATE ROLE {role} LOGIN"))
            protect(conn, role)
        app_url = sa.make_url(url).set(username=role, password=None)
        app = make_engine(app_url.render_as_string(hide_password=False))
        yield owner, app, role
        sealing.stop(app)
        sealing.stop(owner)
        app.dispose()
        owner.dispose()
    with sa.create_engine(pg.server_url(), isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(sa.text(f"DROP OWNED BY {role}"))
        conn.execute(sa.text(f"DROP ROLE {role}"))


def test_the_app_role_works_but_cannot_change_evidence(protected):
    _owner, app, _role = protected
    # The application, as its role, does its work: a statement, a version, a ledger entry.
    with Session(app) as session:
        author = actor_for(session, get_user(session, "author"))
        create_statement(
            session,
            author,
            "SYT-HN",
            {"title": "Thông cáo", "body": "Nội dung thử nghiệm.", "kind": "regular", "urgency": "normal"},
        )
        session.commit()
    # Its entries are sealed after the commit, by its own sealer, through the one column grant it has.
    assert sealing.sealer(app).wait_idle(10)
    with Session(app) as session:
        result = verification.verify(session)
    assert result.ok and result.unsealed == 0 and result.entries > 0, result
    for table in EVIDENCE_TABLES:
        for sql in (
            f"UPDATE {table} SET id = id" if table != "ledger_entries" else f"UPDATE {table} SET comment = comment",
            f"DELETE FROM {table}",
            f"TRUNCATE {table}",
        ):
            with app.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as refused:
                conn.execute(sa.text(sql))
            assert isinstance(refused.value.orig, pg_errors.InsufficientPrivilege), sql
            assert "permission denied" in str(refused.value.orig), sql


def test_triggers_refuse_even_the_owner(protected):
    owner, _app, _role = protected
    for sql in (
        "UPDATE ledger_entries SET comment = 'x'",
        "DELETE FROM ledger_entries",
        "TRUNCATE ledger_entries",
        "TRUNCATE statement_versions CASCADE",
        "TRUNCATE exports, violations",
    ):
        with owner.connect() as conn, pytest.raises(sa.exc.DBAPIError) as refused:
            conn.execute(sa.text(sql))
        assert "append-only" in str(refused.value.orig), sql


def test_protect_refuses_unsafe_roles(protected):
    owner, _app, _role = protected
    with owner.begin() as conn:
        with pytest.raises(RoleError, match="superuser"):
            protect(conn, "postgres")
        with pytest.raises(RoleError, match="No role"):
            protect(conn, "nobody_" + secrets.token_hex(3))
