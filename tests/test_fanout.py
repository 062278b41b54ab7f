"""Notifications written from the ledger: once per decision, in chain order, whoever seals, whatever fails."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import User
from auth.service import actor_for
from statements.lifecycle.service import create_statement, decide
from statements.notifications import fanout
from statements.notifications.models import Notification, NotificationCursor
from tests.conftest import churn, own_postgres, seeded_engine, settle
from workflow.ledger import EntryKind, LedgerEntry, head, sealing


@pytest.fixture
def committed(backend):
    """A database of its own, sealing after commit as servers do; dropped afterwards."""
    with own_postgres(backend, "SQLite tells inside the deciding transaction") as url:
        engine = seeded_engine(url, sealing_mode="background")
        settle(engine)
        yield engine
        sealing.stop(engine)
        engine.dispose()


def _submitted(engine: sa.Engine, count: int) -> tuple[dict, list[int]]:
    with Session(engine) as session:
        actors = {u.username: actor_for(session, u) for u in session.scalars(sa.select(User))}
        ids = []
        for i in range(count):
            fields = {"title": f"Thông cáo số {i}", "body": "Toàn tỉnh đã tiêm 28.450 liều vắc xin sởi."}
            statement = create_statement(session, actors["author"], "SYT-HN", fields)
            decide(session, statement.id, actors["author"], "submit", version=1)
            ids.append(statement.id)
        session.commit()
    return actors, ids


def _told(engine: sa.Engine) -> list[tuple[int, str, str]]:
    """Return (statement, kind, username) of every notification, in the order written."""
    with Session(engine) as session:
        rows = session.execute(
            sa.select(Notification.statement_id, Notification.kind, User.username)
            .join(User, User.id == Notification.user_id)
            .order_by(Notification.id)
        )
        return [tuple(row) for row in rows]


def _expected(engine: sa.Engine) -> list[tuple[int, str, str]]:
    """Return what the ledger's decisions call for, in chain order (in this organisation, one person each)."""
    whom = {"in_review": ("awaits_review", "spokesperson"), "changes_requested": ("changes_requested", "author")}
    with Session(engine) as session:
        rows = session.execute(
            sa.select(LedgerEntry.statement_id, LedgerEntry.to_state)
            .where(LedgerEntry.kind == EntryKind.DECISION)
            .order_by(LedgerEntry.seq)
        )
        return [(statement_id, *whom[state]) for statement_id, state in rows]


def _cursor(engine: sa.Engine) -> int:
    with Session(engine) as session:
        return session.scalar(sa.select(NotificationCursor.seq))


def test_the_sealer_tells_each_committed_decision_once_in_chain_order(committed):
    actors, ids = _submitted(committed, 4)
    errors: list[str] = []
    # Four writers at once: their entries are sealed in passes of several, each pass telling all of its own.
    threads = [threading.Thread(target=churn, args=(committed, actors, sid, 30, errors)) for sid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    settle(committed)
    assert _told(committed) == _expected(committed)
    assert len(_told(committed)) == 4 + 4 * 30
    with Session(committed) as session:
        assert _cursor(committed) == head(session)[0]


def test_a_failed_telling_never_holds_the_ledger_back_and_is_caught_up_once(committed, monkeypatch):
    actors, ids = _submitted(committed, 1)
    settle(committed)
    before = len(_told(committed))

    def broken(*args, **kwargs):
        raise RuntimeError("the notifications are broken")

    monkeypatch.setattr(fanout, "_notifications", broken)
    errors: list[str] = []
    churn(committed, actors, ids[0], 4, errors)
    assert errors == []  # the decisions commit whatever the notifications do
    settle(committed)
    with Session(committed) as session:  # and the ledger is sealed
        assert session.scalar(sa.select(sa.func.count()).where(LedgerEntry.seq.is_(None))) == 0
    assert len(_told(committed)) == before
    monkeypatch.undo()
    assert fanout.catch_up(committed) == 4  # the worker's sweep, a minute later
    assert fanout.catch_up(committed) == 0
    assert _told(committed) == _expected(committed)


def test_a_rolled_back_decision_tells_nobody_and_moves_nothing(committed):
    actors, ids = _submitted(committed, 1)
    settle(committed)
    told, cursor = _told(committed), _cursor(committed)
    with Session(committed) as session:
        decide(session, ids[0], actors["spokesperson"], "request_changes", version=1, comment="Bổ sung.")
        session.rollback()
    assert fanout.catch_up(committed) == 0
    assert (_told(committed), _cursor(committed)) == (told, cursor)


def test_the_worker_mode_tells_from_the_workers_pass(committed):
    from statements import worker

    sealing.configure(committed, mode="worker")
    _submitted(committed, 2)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(committed, stop), kwargs={"sweep_seconds": 0.2})
    thread.start()
    try:
        for _ in range(100):
            if len(_told(committed)) == len(_expected(committed)) and _expected(committed):
                break
            stop.wait(0.1)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert _told(committed) == _expected(committed)
