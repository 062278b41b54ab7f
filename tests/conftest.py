"""Fixtures: every test runs on SQLite and on PostgreSQL, each inside a transaction rolled back after it."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

if "PRESSGATE_INSTANCE_PATH" not in os.environ:  # each test process has its own, removed when it ends
    os.environ["PRESSGATE_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="pressgate-instance-")
    atexit.register(shutil.rmtree, os.environ["PRESSGATE_INSTANCE_PATH"], ignore_errors=True)
os.environ.setdefault("PRESSGATE_SECRET_KEY", "test-secret-key")
os.environ.setdefault("PRESSGATE_ENV", "testing")

from auth import passwords
from auth.models import User
from auth.service import actor_for, create_unit, create_user, designate_spokesperson
from auth.tokens import issue_token
from statements import create_app
from statements.db import make_engine, make_sessionmaker
from statements.lifecycle.service import create_statement, decide
from statements.migrate import upgrade
from tests import pg
from tests.sql import sql_sent
from workflow.ledger import sealing

# Argon2 at its production cost would make the suite slow; the algorithm is the same.
passwords.configure(time_cost=1, memory_cost=1024)

PASSWORD = "correct horse battery"


def _require_postgres() -> bool:
    return os.environ.get("PRESSGATE_REQUIRE_POSTGRES", "") not in ("", "0", "false")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory):
    """A fresh, migrated database per backend for the whole run; dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
        return
    admin = pg.server_url()
    if admin is None:
        if _require_postgres():
            pytest.fail("PostgreSQL is required (PRESSGATE_REQUIRE_POSTGRES) but none could be found or started.")
        pytest.skip("no PostgreSQL available")
    url = pg.create_database(admin)
    yield url
    pg.drop_database(admin, url)


@pytest.fixture(scope="session")
def engine(db_url):
    """The migrated database with the test organisation committed once; each test rolls back its own work."""
    engine = seeded_engine(db_url)
    yield engine
    engine.dispose()


@contextlib.contextmanager
def own_postgres(backend: str, why: str) -> Iterator[str]:
    """Yield the URL of a fresh PostgreSQL database for this test alone, dropped after; on SQLite skip, saying why."""
    if backend != "postgresql":
        pytest.skip(why)
    admin = pg.server_url()
    url = pg.create_database(admin)
    try:
        yield url
    finally:
        pg.drop_database(admin, url)


def seeded_engine(url: str, sealing_mode: str = "inline", **kwargs) -> sa.Engine:
    """Return an engine on a migrated database holding the test organisation."""
    engine = make_engine(url, **kwargs)
    # Most tests roll their transaction back, so their entries are sealed inside it. Tests that commit
    # for real (sealing, concurrency) seal after commit, as servers do; so do the crash and race harnesses.
    sealing.configure(engine, mode=sealing_mode)
    upgrade(engine)
    with Session(engine) as session:
        seed_org(session)
        session.commit()
    return engine


def churn(engine: sa.Engine, actors: dict, statement_id: int, rounds: int, errors: list[str]) -> None:
    """Send a statement back and forth (changes requested, resubmitted), a transaction each; collect failures."""
    moves = [("spokesperson", "request_changes", "Bổ sung."), ("author", "submit", None)]
    for i in range(rounds):
        who, action, comment = moves[i % 2]
        with Session(engine) as session:
            try:
                decide(session, statement_id, actors[who], action, version=1, comment=comment)
                session.commit()
            except Exception as err:  # the caller asserts there were none
                errors.append(repr(err))


def settle(engine: sa.Engine) -> None:
    """Wait until this process has sealed what it committed (PostgreSQL seals after commit)."""
    if engine.dialect.name == "postgresql":
        assert sealing.sealer(engine).wait_idle(30), "the sealer did not finish"


@pytest.fixture(scope="session")
def backend(engine) -> str:
    return engine.dialect.name


@pytest.fixture(scope="session")
def base_app(engine, db_url):
    return create_app({"TESTING": True, "ENGINE": engine, "DATABASE_URL": db_url, "SECRET_KEY": "test"})


@pytest.fixture
def connection(engine):
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session(connection):
    s = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield s
    s.close()


@pytest.fixture
def app(base_app, connection):
    base_app.extensions["pressgate"]["sessionmaker"] = make_sessionmaker(
        connection, join_transaction_mode="create_savepoint"
    )
    return base_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- the organisation every test starts from ---------------------------------------------------


PEOPLE = {
    "author": [("SYT-HN", "drafter")],
    "drafter2": [("SYT-HN", "drafter")],
    "spokesperson": [],
    "leader": [("SYT-HN", "leader")],
    "ministry_leader": [("BYT", "leader")],
    "auditor": [("BYT", "auditor")],
    "admin": [("BYT", "admin")],
    "outsider": [("SYT-DN", "drafter")],
    "dn_spokesperson": [],
    "bv_drafter": [("BV-HN", "drafter")],
}


def seed_org(session: Session) -> None:
    """BYT > SYT-HN > BV-HN, and SYT-DN beside it; one person per role, each unit's spokesperson designated."""
    create_unit(session, None, "BYT", "Bộ Y tế")
    create_unit(session, None, "SYT-HN", "Sở Y tế Hà Nội", "BYT")
    create_unit(session, None, "BV-HN", "Bệnh viện Đa khoa Hà Nội", "SYT-HN")
    create_unit(session, None, "SYT-DN", "Sở Y tế Đà Nẵng", "BYT")
    for name, roles in PEOPLE.items():
        create_user(
            session, None, name, f"Người dùng {name}", PASSWORD, roles=[{"unit": u, "role": r} for u, r in roles]
        )
    designate_spokesperson(session, None, "SYT-HN", "spokesperson")
    designate_spokesperson(session, None, "SYT-DN", "dn_spokesperson")


@pytest.fixture
def org(session):
    """The seeded organisation: users by name, and their actors as the guards see them."""
    users = {u.username: u for u in session.scalars(sa.select(User).where(User.username.in_(list(PEOPLE))))}
    ns = SimpleNamespace(users=users, session=session)
    ns.actor = lambda name: actor_for(session, users[name])
    return ns


@pytest.fixture
def make_statement(session, org):
    """Return a factory: a statement of SYT-HN written by `author` unless told otherwise."""

    def make(by: str = "author", unit: str = "SYT-HN", **fields):
        values = {
            "title": "Thông cáo báo chí về tiêm chủng mở rộng",
            "body": "Toàn tỉnh đã tiêm 28.450 liều vắc xin sởi, đạt 96,2% kế hoạch.",
            "kind": "regular",
            "urgency": "normal",
            "sensitive": False,
            "topics": ["tiêm chủng"],
        }
        values.update(fields)
        statement = create_statement(session, org.actor(by), unit, values)
        session.commit()
        return statement

    return make


#: How to bring a fresh draft to each state: (who, action, comment).
PATHS = {
    "draft": [],
    "in_review": [("author", "submit", None)],
    "changes_requested": [("author", "submit", None), ("spokesperson", "request_changes", "Bổ sung số liệu.")],
    "escalated": [("author", "submit", None), ("spokesperson", "escalate", "Cần lãnh đạo cho ý kiến.")],
    "approved": [("author", "submit", None), ("spokesperson", "approve", None)],
    "released": [("author", "submit", None), ("spokesperson", "approve", None), ("spokesperson", "release", None)],
    "rejected": [("author", "submit", None), ("spokesperson", "reject", "Không phù hợp.")],
    "withdrawn": [("author", "withdraw", None)],
    "retracted": [
        ("author", "submit", None),
        ("spokesperson", "approve", None),
        ("spokesperson", "release", None),
        ("spokesperson", "retract", "Thông tin đã được cập nhật."),
    ],
}


@pytest.fixture
def statement_in(session, org, make_statement):
    """Return a factory: a statement brought to the given state through the service."""

    def bring(state: str, **fields):
        statement = make_statement(**fields)
        for who, action, comment in PATHS[state]:
            decide(session, statement.id, org.actor(who), action, version=statement.current_version, comment=comment)
        session.commit()
        assert statement.state == state
        return statement

    return bring


@pytest.fixture
def browser(app):
    """Return a factory of separate cookie jars (one per person)."""
    return lambda: app.test_client()


class ApiClient:
    """A test client that sends a bearer token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return getattr(self.client, method)(path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self._call("get", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self._call("post", path, **kwargs)

    def put(self, path: str, **kwargs):
        return self._call("put", path, **kwargs)

    def patch(self, path: str, **kwargs):
        return self._call("patch", path, **kwargs)

    def delete(self, path: str, **kwargs):
        return self._call("delete", path, **kwargs)


@pytest.fixture
def api(client, session, org):
    """Return a factory: an API client signed in as the named person (None: anonymous)."""

    def as_user(name: str | None) -> ApiClient:
        if name is None:
            return ApiClient(client, None)
        token, _ = issue_token(session, org.users[name], dt.timedelta(hours=1))
        session.commit()
        return ApiClient(client, token)

    return as_user


@pytest.fixture
def count_ledger(session):
    def count() -> int:
        from workflow.ledger import LedgerEntry

        return session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))

    return count


@pytest.fixture
def count_queries(engine):
    """Return a context manager counting the SQL statements run inside it."""
    return functools.partial(sql_sent, engine)


def pytest_terminal_summary(terminalreporter):
    """Print the measured accuracy of the leak simulations (tests/test_leak_simulation.py)."""
    from tests.test_leak_simulation import REPORT

    if not REPORT:
        return
    terminalreporter.section("disclosure investigations: measured accuracy")
    for scenario, measures in REPORT.items():
        for measure, outcomes in measures.items():
            share = 100 * sum(outcomes) / len(outcomes)
            terminalreporter.write_line(
                f"{scenario:<48} {measure:<40} {sum(outcomes):>3}/{len(outcomes):<3} {share:5.1f}%"
            )
