"""The reports benchmark seeds a year of use and measures the ministry's quarter report: seeded as the ledger
would be (in time order, sealed, verifying), and the report's SQL statements are as many on a tiny organisation
as on a larger one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench import reports
from statements.db import make_engine
from tests import pg
from workflow.ledger import verification


@pytest.fixture
def fresh(backend, tmp_path):
    """Return a maker of fresh databases of the backend under test, dropped afterwards."""
    admin = pg.server_url() if backend == "postgresql" else None
    made: list[str] = []

    def database(name: str) -> str:
        if admin is None:
            return f"sqlite:///{tmp_path / name}.db"
        made.append(pg.create_database(admin))
        return made[-1]

    yield database
    for url in made:
        pg.drop_database(admin, url)


def test_the_report_runs_as_many_sql_statements_at_two_scales(fresh):
    tiny, larger = fresh("tiny"), fresh("larger")
    small = reports.seed(tiny, 60, 600, provinces=1, per_province=1)
    seeded = reports.seed(larger, 600, 6_000, provinces=2, per_province=3)
    assert (small["statements"], small["units"]) == (60, 3)
    assert (seeded["statements"], seeded["units"]) == (600, 9)
    # The entries asked for, give or take the few the registers' last items add after the last statement.
    assert 600 <= small["entries"] <= 620 and 6_000 <= seeded["entries"] <= 6_060, (small, seeded)

    before = reports.measure(tiny, rounds=1, explain=False)
    after = reports.measure(larger, rounds=2)
    assert after["queries"] == before["queries"] <= reports.MAX_QUERIES
    assert after["queries_each_round"] == [after["queries"]]
    figures = after["report"]
    assert figures["units"] == 9 and 0 < before["report"]["drafted"] < figures["drafted"]
    assert 0 < figures["released"] == figures["outcomes"]["released"]
    assert figures["steps"]["review"] > 0 and figures["steps"]["release"] > 0
    assert figures["press_received"] > 0
    assert after["slowest"]["plan"] and after["slowest"]["ms"] >= 0

    engine = make_engine(larger)
    with Session(engine) as session:
        checked = verification.verify(session)
        # The ledger is written in the order of its times, as a live one is.
        times = session.scalars(sa.text("SELECT at FROM ledger_entries ORDER BY id")).all()
        states = dict(session.execute(sa.text("SELECT state, COUNT(*) FROM statements GROUP BY state")).all())
    engine.dispose()
    assert checked.ok and checked.unsealed == 0, checked
    assert times == sorted(times)
    assert states["released"] > states.get("draft", 0) > 0
