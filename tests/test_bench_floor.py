"""The benchmark's floors send exactly the SQL PressGate sends for the same request, and leave the ledger whole."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench import floor
from bench.run import seed
from statements import create_app
from tests.conftest import own_postgres, settle
from tests.sql import sql_sent
from workflow import ledger
from workflow.ledger import sealing, verification


@pytest.fixture
def served(backend):
    """A database seeded as the benchmark seeds it, PressGate and the floors on it, as test clients."""
    with own_postgres(backend, "the benchmarks run on PostgreSQL") as url:
        seeded = seed(url, statements=4)
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", "SEAL_SWEEP_SECONDS": 0})
        floors = floor.create_app(url)
        engines = (app.extensions["pressgate"]["engine"], floors.extensions["floor"])
        yield seeded, app.test_client(), floors.test_client(), engines
        for engine in engines:
            sealing.stop(engine)
            engine.dispose()


def test_floors_send_what_pressgate_sends_and_keep_the_ledger_whole(served):
    seeded, pressgate, floors, (app_engine, floor_engine) = served
    ours, theirs, *_ = seeded["ids"]
    spokes = {"Authorization": f"Bearer {seeded['tokens']['spokesperson']}"}
    drafter = {"Authorization": f"Bearer {seeded['tokens']['drafter']}"}
    back = {"action": "request_changes", "version": 1, "comment": "Bổ sung số liệu."}

    for method, path, body in (("post", "/api/v1/statements/{}/actions", back), ("get", "/api/v1/statements/{}", None)):
        with sql_sent(app_engine, this_thread=True) as app_sql:
            answer = getattr(pressgate, method)(path.format(ours), headers=spokes, json=body)
        assert answer.status_code == 200, answer.json
        with sql_sent(floor_engine, this_thread=True) as floor_sql:
            answer = getattr(floors, method)(path.format(theirs), headers=spokes, json=body)
        assert answer.status_code == 200, answer.json
        assert floor_sql == app_sql  # the same statements, in the same order
        assert len(app_sql) >= 3  # the caller, the statement, the entry (and, deciding, the update)

    # The floor's decision is one PressGate takes up: the drafter resubmits what the floor returned.
    answer = pressgate.post(
        f"/api/v1/statements/{theirs}/actions", headers=drafter, json={"action": "submit", "version": 1}
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["state"] == "in_review"
    for engine in (app_engine, floor_engine):
        settle(engine)
    with Session(app_engine) as session:
        result = verification.verify(session)
        assert result.ok and result.unsealed == 0, result
        entries = session.execute(
            sa.select(ledger.LedgerEntry.kind, ledger.LedgerEntry.actor, ledger.LedgerEntry.from_state,
                      ledger.LedgerEntry.to_state)
            .where(ledger.LedgerEntry.statement_id == theirs)
            .order_by(ledger.LedgerEntry.seq)
        ).all()  # fmt: skip
    assert [tuple(e) for e in entries[-3:]] == [
        ("decision", "spokesperson", "in_review", "changes_requested"),
        ("access", "spokesperson", None, None),
        ("decision", "drafter", "changes_requested", "in_review"),
    ]
