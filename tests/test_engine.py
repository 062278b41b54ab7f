"""How PressGate's engine configures its PostgreSQL connections."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from statements.db import make_engine
from tests import pg

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def admin_url() -> str:
    url = pg.server_url()
    if url is None:
        pytest.skip("no PostgreSQL available")
    return url


def _setting(engine: sa.Engine, name: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SHOW {name}")).scalar_one()


def test_connections_never_compile_queries_just_in_time(admin_url):
    # The list at 100,000 statements spent 45 ms compiling a 6 ms query (bench/README.md).
    engine = make_engine(admin_url)
    assert _setting(engine, "jit") == "off"
    engine.dispose()


def test_options_a_caller_gives_are_kept_beside_it(admin_url):
    engine = make_engine(admin_url, connect_args={"options": "-c application_name=pressgate-test"})
    assert _setting(engine, "jit") == "off"
    assert _setting(engine, "application_name") == "pressgate-test"
    engine.dispose()
