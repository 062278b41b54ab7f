"""PostgreSQL under conflicting decisions: exactly one wins each race, the rest get 409, the ledger never forks."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import User
from auth.service import actor_for
from statements.lifecycle.service import create_statement, decide
from tests import pg
from tests.conftest import churn, seeded_engine, settle
from workflow.errors import Conflict
from workflow.ledger import LedgerEntry, sealing
from workflow.ledger.verification import verify

THREADS = 8
ROUNDS = 25


@pytest.fixture(scope="module")
def committed_engine():
    """A database of its own with real commits (no per-test rollback), dropped afterwards."""
    admin = pg.server_url()
    if admin is None:
        pytest.skip("no PostgreSQL available")
    url = pg.create_database(admin)
    engine = seeded_engine(url, sealing_mode="background", pool_size=THREADS + 2)
    yield engine
    sealing.stop(engine)
    engine.dispose()
    pg.drop_database(admin, url)


def _actors(session):
    users = {u.username: u for u in session.scalars(sa.select(User))}
    return {name: actor_for(session, user) for name, user in users.items()}


def _race(engine, statement_id, attempts):
    """Fire the attempts at once, each from its own thread and connection; return their outcomes."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)

    def run(i, actor, action, comment):
        with Session(engine) as session:
            barrier.wait()
            try:
                decide(session, statement_id, actor, action, version=1, comment=comment)
                session.commit()
                outcomes[i] = "ok"
            except Conflict as err:
                session.rollback()
                outcomes[i] = 409 if err.status == 409 else err.rule
            except Exception as err:  # any other outcome fails the test below
                session.rollback()
                outcomes[i] = repr(err)

    threads = [threading.Thread(target=run, args=(i, *a)) for i, a in enumerate(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.postgres_only
def test_conflicting_decisions_on_one_statement(committed_engine):
    with Session(committed_engine) as session:
        actors = _actors(session)
        before = session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
    # Each of these, once it wins, leaves a state where all the others are state conflicts (409).
    # (Not withdraw: after request_changes it is legitimately allowed, so it would win second.)
    moves = [("spokesperson", "approve"), ("spokesperson", "reject"), ("spokesperson", "request_changes")]
    for _ in range(ROUNDS):
        with Session(committed_engine) as session:
            statement = create_statement(
                session, actors["author"], "SYT-HN", {"title": "Đua quyết định", "body": "Nội dung thử tranh chấp."}
            )
            decide(session, statement.id, actors["author"], "submit", version=1)
            session.commit()
            statement_id = statement.id
        attempts = [(actors[who], action, "Lý do.") for who, action in (moves[i % len(moves)] for i in range(THREADS))]
        outcomes = _race(committed_engine, statement_id, attempts)
        assert outcomes.count("ok") == 1, outcomes
        assert outcomes.count(409) == THREADS - 1, outcomes
        with Session(committed_engine) as session:
            entries = session.scalar(
                sa.select(sa.func.count()).select_from(LedgerEntry).where(LedgerEntry.statement_id == statement_id)
            )
            assert entries == 3  # create, submit, the one winner
    settle(committed_engine)
    with Session(committed_engine) as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
        assert total == before + 3 * ROUNDS
        distinct_prev = session.scalar(sa.select(sa.func.count(sa.distinct(LedgerEntry.prev_hash))))
        assert distinct_prev == total, "two entries share a predecessor: the chain forked"
        result = verify(session)
        assert result.ok and result.unsealed == 0, result


@pytest.mark.postgres_only
def test_decisions_on_different_statements_all_land_in_one_chain(committed_engine):
    with Session(committed_engine) as session:
        actors = _actors(session)
        ids = []
        for i in range(THREADS):
            statement = create_statement(
                session, actors["author"], "SYT-HN", {"title": f"Thông cáo {i}", "body": "Nội dung song song."}
            )
            decide(session, statement.id, actors["author"], "submit", version=1)
            ids.append(statement.id)
        session.commit()
    barrier = threading.Barrier(THREADS)
    errors = []

    def run(statement_id):
        with Session(committed_engine) as session:
            barrier.wait()
            try:
                decide(session, statement_id, actors["spokesperson"], "approve", version=1)
                session.commit()
            except Exception as err:  # reported by the assertion below
                errors.append(repr(err))

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    settle(committed_engine)
    with Session(committed_engine) as session:
        assert verify(session).ok


@pytest.mark.postgres_only
def test_reads_logged_while_deciding_never_deadlock(committed_engine):
    """Readers log reads of a statement while its spokesperson and drafter decide on it."""
    from statements.lifecycle.queries import get_statement
    from statements.lifecycle.reads import log_reads

    with Session(committed_engine) as session:
        actors = _actors(session)
        s = create_statement(
            session, actors["author"], "SYT-HN", {"title": "Thông cáo", "body": "Nội dung.", "kind": "regular"}
        )
        decide(session, s.id, actors["author"], "submit", version=1)
        session.commit()
        statement_id = s.id
    errors: list[str] = []
    stop = threading.Event()

    def decider() -> None:
        churn(committed_engine, actors, statement_id, 60, errors)
        stop.set()

    def reader(name: str) -> None:
        while not stop.is_set():
            with Session(committed_engine) as session:
                try:
                    statement = get_statement(session, statement_id, actors[name])
                    log_reads(session, actors[name], statement, [statement.current], "test")
                    session.commit()
                except Exception as err:
                    errors.append(repr(err))
                    return

    threads = [threading.Thread(target=decider)] + [
        threading.Thread(target=reader, args=(n,)) for n in ("leader", "auditor", "drafter2", "spokesperson")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    settle(committed_engine)
    with Session(committed_engine) as session:
        assert verify(session).ok


@pytest.mark.postgres_only
def test_verify_reads_the_ledger_and_the_tables_at_one_moment(committed_engine, monkeypatch):
    """A decision committed between the replay's read of the entries and of the tables is no disagreement."""
    from statements.audit import replay

    with Session(committed_engine) as session:
        actors = _actors(session)
        s = create_statement(session, actors["author"], "SYT-HN", {"title": "Thông cáo", "body": "Nội dung."})
        decide(session, s.id, actors["author"], "submit", version=1)
        session.commit()
        statement_id = s.id
    settle(committed_engine)
    compare = replay._compare_statements

    def decided_meanwhile(*args, **kwargs) -> None:
        errors: list[str] = []
        churn(committed_engine, actors, statement_id, 1, errors)  # another request commits, right now
        assert not errors
        compare(*args, **kwargs)

    monkeypatch.setattr(replay, "_compare_statements", decided_meanwhile)
    with Session(committed_engine) as session:
        report = replay.verify_all(session)
    assert report["ok"] and report["tables"]["ok"], report
    # The snapshot's connection went back to the pool writable: every pooled connection still writes.
    held = [committed_engine.connect() for _ in range(committed_engine.pool.size())]
    try:
        assert {c.exec_driver_sql("SHOW transaction_read_only").scalar() for c in held} == {"off"}
        assert {c.exec_driver_sql("SHOW transaction_isolation").scalar() for c in held} == {"read committed"}
    finally:
        for c in held:
            c.close()


@pytest.mark.postgres_only
def test_letters_issued_at_once_take_consecutive_numbers(committed_engine):
    from statements.letters import service as letters

    head = {"full_name": "Sở Y tế Hà Nội", "parent_name": "UBND thành phố Hà Nội", "symbol": "SYT-CC",
            "place": "Hà Nội", "recipients": ["Các cơ quan báo chí"], "copies_to": [], "archive": "",
            "signers": [{"mark": "GIÁM ĐỐC", "name": "Trần Quốc Bảo"}]}  # fmt: skip
    with Session(committed_engine) as session:
        actors = _actors(session)
        letters.update_letterhead(session, actors["admin"], "SYT-HN", head)
        s = create_statement(session, actors["author"], "SYT-HN", {"title": "Công văn", "body": "Nội dung công văn."})
        for who, action in (("author", "submit"), ("spokesperson", "approve")):
            decide(session, s.id, actors[who], action, version=1)
        session.commit()
        statement_id = s.id
    barrier = threading.Barrier(THREADS)
    numbers: list[int] = []
    errors: list[str] = []

    def issue(i: int) -> None:
        with Session(committed_engine) as session:
            actor = _actors(session)["spokesperson" if i % 2 else "leader"]
            barrier.wait()
            try:
                numbers.append(letters.issue(session, actor, statement_id, subject=f"thông tin {i}").number)
                session.commit()
            except Exception as err:  # the test fails below with what it was
                errors.append(repr(err))

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and sorted(numbers) == list(range(1, THREADS + 1)), (errors, numbers)
