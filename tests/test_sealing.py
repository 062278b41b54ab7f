"""PostgreSQL's sealed ledger: entries written unsealed, sealed after commit, once, in order; nothing else changes."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import User
from auth.service import actor_for
from statements import create_app
from statements.lifecycle.service import create_statement, decide
from tests.conftest import PASSWORD, churn, own_postgres, seeded_engine, settle
from workflow import ledger
from workflow.ledger import LedgerEntry, sealing, verification
from workflow.ledger.canonical import json_text

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def committed(backend):
    """A database of its own, sealing after commit as servers do; dropped afterwards."""
    with own_postgres(backend, "SQLite chains each entry as it is written") as url:
        engine = seeded_engine(url, sealing_mode="background")
        settle(engine)
        yield engine, url
        sealing.stop(engine)
        engine.dispose()


def _actors(session):
    return {u.username: actor_for(session, u) for u in session.scalars(sa.select(User))}


def _draft(engine, title="Thông cáo về ổ dịch sởi", submit=True) -> int:
    with Session(engine) as session:
        actors = _actors(session)
        statement = create_statement(session, actors["author"], "SYT-HN", {"title": title, "body": "Nội dung."})
        if submit:
            decide(session, statement.id, actors["author"], "submit", version=1)
        session.commit()
        return statement.id


class HeldLock:
    """Hold the sealing lock from another connection, as a busy (or stuck) sealer elsewhere would."""

    def __init__(self, engine):
        self.connection = engine.connect()
        self.connection.execute(sa.select(sa.func.pg_advisory_lock(ledger.ADVISORY_LOCK_KEY)))

    def release(self):
        self.connection.execute(sa.select(sa.func.pg_advisory_unlock(ledger.ADVISORY_LOCK_KEY)))
        self.connection.close()


def test_entries_are_written_unsealed_and_sealed_after_commit(committed):
    engine, _ = committed
    held = HeldLock(engine)
    try:
        statement_id = _draft(engine)
        with Session(engine) as session:
            waiting = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.statement_id == statement_id)).all()
            assert [e.action for e in waiting] == ["create", "submit"]
            assert all(e.seq is None and e.prev_hash is None and e.hash is None for e in waiting)
            # Unsealed but fresh: the chain holds, and verify says what waits.
            result = verification.verify(session)
            assert result.ok and result.unsealed == 2, result
            assert result.as_dict()["unsealed"] == 2
    finally:
        held.release()
    # The sealer kept trying while the lock was held elsewhere; now it gets it.
    settle(engine)
    with Session(engine) as session:
        sealed = session.scalars(
            sa.select(LedgerEntry).where(LedgerEntry.statement_id == statement_id).order_by(LedgerEntry.seq)
        ).all()
        assert [e.action for e in sealed] == ["create", "submit"]
        assert sealed[1].seq == sealed[0].seq + 1 and sealed[1].prev_hash == sealed[0].hash
        result = verification.verify(session)
        assert result.ok and result.unsealed == 0 and result.head_seq == sealed[1].seq


def test_one_pass_seals_many_slices_as_one_chain_in_write_order(committed):
    engine, _ = committed
    count = 3 * sealing.SLICE + 1
    held = HeldLock(engine)  # every entry waits, so that one pass takes them all
    try:
        with Session(engine) as session:
            read = {"kind": "access", "action": "read", "actor": "Lê Thị Hà"}
            ledger.append_many(session, [read | {"data": {"i": i}} for i in range(count)])
            session.commit()
    finally:
        held.release()
    settle(engine)
    with Session(engine) as session:
        sealed = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == "read").order_by(LedgerEntry.seq))
        sealed = sealed.all()
        assert [e.data["i"] for e in sealed] == list(range(count))
        assert all(b.seq == a.seq + 1 and b.prev_hash == a.hash for a, b in itertools.pairwise(sealed))
        assert {e.actor for e in sealed} == {"Lê Thị Hà"}
        result = verification.verify(session)
        assert result.ok and result.unsealed == 0, result


def test_verify_reports_entries_left_unsealed_too_long(committed, monkeypatch):
    engine, _ = committed
    held = HeldLock(engine)
    try:
        _draft(engine, submit=False)
        monkeypatch.setattr(verification, "STALE_AFTER", dt.timedelta(0))
        with Session(engine) as session:
            result = verification.verify(session)
        assert not result.ok and result.first_bad_seq == result.head_seq + 1
        assert "not sealed" in result.reason and "pressgate ledger seal" in result.reason
    finally:
        held.release()
    settle(engine)


def test_the_database_allows_sealing_once_and_nothing_else(committed):
    engine, _ = committed
    held = HeldLock(engine)  # keep the sealer off the entry while we try things by hand
    try:
        statement_id = _draft(engine, submit=False)
        with engine.connect() as conn:
            entry_id = conn.scalar(sa.select(LedgerEntry.id).where(LedgerEntry.statement_id == statement_id))
            seq, prev = ledger.head(conn)
            fake = {"seq": seq + 1, "prev_hash": prev, "hash": "a" * 64}
            conn.rollback()
            refused = [
                # inserted already sealed: only the sealer seals
                sa.insert(LedgerEntry).values(kind="admin", action="forged", data={}, at=ledger.utcnow(), **fake),
                # sealing while changing what the entry says
                sa.update(LedgerEntry).where(LedgerEntry.id == entry_id).values(comment="đã sửa", **fake),
                sa.update(LedgerEntry).where(LedgerEntry.id == entry_id).values(data={"via": "sửa"}, **fake),
                sa.update(LedgerEntry)
                .where(LedgerEntry.id == entry_id)
                .values(at=LedgerEntry.at + sa.text("interval '1 microsecond'"), **fake),
                sa.update(LedgerEntry).where(LedgerEntry.id == entry_id).values(statement_id=None, **fake),
                # changing an unsealed entry without sealing it
                sa.update(LedgerEntry).where(LedgerEntry.id == entry_id).values(actor="someone_else"),
                sa.delete(LedgerEntry).where(LedgerEntry.id == entry_id),
            ]
            for statement in refused:
                with pytest.raises(sa.exc.DBAPIError) as err, conn.begin():
                    conn.execute(statement)
                assert "ledger" in str(err.value.orig), statement
            # A half-sealed entry breaks the check constraint.
            with pytest.raises(sa.exc.IntegrityError), conn.begin():
                conn.execute(sa.update(LedgerEntry).where(LedgerEntry.id == entry_id).values(seq=seq + 1))
            # Sealing itself is allowed once...
            with conn.begin():
                conn.execute(sa.update(LedgerEntry).where(LedgerEntry.id == entry_id).values(**fake))
            # ...and never again.
            with pytest.raises(sa.exc.DBAPIError) as err, conn.begin():
                conn.execute(sa.update(LedgerEntry).where(LedgerEntry.id == entry_id).values(hash="b" * 64))
            assert "sealed once" in str(err.value.orig)
        with Session(engine) as session:
            # The hand-made seal has a made-up hash: verify names it.
            result = verification.verify(session)
            assert not result.ok and result.first_bad_seq == seq + 1 and "altered" in result.reason
    finally:
        held.release()


def test_sealing_reads_only_the_unsealed_entries_however_long_the_ledger(committed):
    engine, _ = committed
    with Session(engine) as session:
        read = {"kind": "access", "action": "read", "actor": "Lê Thị Hà"}
        ledger.append_many(session, [read | {"data": {"i": i}} for i in range(3000)])
        session.commit()
    settle(engine)
    links = [{"id": 1, "seq": 1, "prev_hash": "a" * 64, "hash": "b" * 64}]
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE ledger_entries")
        plan = conn.execute(sa.text("EXPLAIN (FORMAT JSON) " + sealing._SEAL.text), {"links": json_text(links)})
        nodes = _plan_nodes(plan.scalar()[0]["Plan"])
    # The planner guesses a hundred links; joined to a scan of every entry, each pass grew with the ledger.
    kinds = {node["Node Type"] for node in nodes}
    indexes = {node["Index Name"] for node in nodes if "Index Name" in node}
    assert "Seq Scan" not in kinds and indexes == {"ix_ledger_entries_unsealed"}, (kinds, indexes)


def _left_unsealed(engine, statements: int = 1) -> list[int]:
    """Draft and submit statements whose two entries each wait unsealed: this process's sealer stands aside."""
    held = HeldLock(engine)
    ids = [_draft(engine) for _ in range(statements)]
    sealing.stop(engine)
    held.release()
    return ids


def test_a_pass_that_would_seal_an_entry_twice_seals_nothing(committed, monkeypatch):
    engine, _ = committed
    [statement_id] = _left_unsealed(engine)  # the test plays a faulty sealer
    # A sealer whose queue (wrongly) held the first entry, sealed long ago, beside the waiting ones.
    monkeypatch.setattr(
        sealing, "_UNSEALED", sealing._UNSEALED.replace("WHERE seq IS NULL", "WHERE seq IS NULL OR seq = 1")
    )
    with pytest.raises(RuntimeError, match="changed 2"), engine.begin() as conn:
        sealing.seal(conn, wait=True)
    with Session(engine) as session:
        waiting = session.scalars(sa.select(LedgerEntry.seq).where(LedgerEntry.statement_id == statement_id)).all()
        assert waiting == [None, None]
    monkeypatch.undo()
    assert sealing.seal_pending(engine, wait=True) == 2


def test_sealing_refuses_a_connection_without_a_transaction(committed):
    engine, _ = committed
    _left_unsealed(engine)
    # In autocommit the advisory lock would be let go as soon as it was taken, leaving the chain's head
    # to whichever sealer came next: nothing is sealed there.
    autocommit = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    with autocommit as conn, pytest.raises(RuntimeError, match="needs a transaction"):
        sealing.seal(conn, wait=True)
    assert sealing.seal_pending(engine, wait=True) == 2


def _plan_nodes(node: dict) -> list[dict]:
    return [node, *(found for child in node.get("Plans", []) for found in _plan_nodes(child))]


def test_a_sealer_killed_mid_batch_leaves_nothing_half_done(committed):
    engine, _ = committed
    ids = _left_unsealed(engine, statements=3)  # the test plays the sealers
    # A sealer that dies before its commit (its connection cut) seals nothing...
    doomed = engine.connect()
    doomed.begin()
    assert sealing.seal(doomed, wait=True) >= 6
    pid = doomed.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(sa.exc.DBAPIError):
        doomed.commit()
    doomed.invalidate()
    # ...and the next one seals everything, in the order it was written.
    assert sealing.seal_pending(engine, wait=True) >= 6
    with Session(engine) as session:
        result = verification.verify(session)
        assert result.ok and result.unsealed == 0
        for statement_id in ids:
            actions = session.scalars(
                sa.select(LedgerEntry.action).where(LedgerEntry.statement_id == statement_id).order_by(LedgerEntry.seq)
            ).all()
            assert actions == ["create", "submit"]


def test_concurrent_decisions_seal_in_each_statements_order(committed):
    """Writers never wait for the chain; each statement's entries still chain in the order they happened."""
    engine, _ = committed
    ids = [_draft(engine) for _ in range(6)]
    with Session(engine) as session:
        actors = _actors(session)
    errors: list[str] = []

    threads = [threading.Thread(target=churn, args=(engine, actors, i, 20, errors)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    settle(engine)
    with Session(engine) as session:
        result = verification.verify(session)
        assert result.ok and result.unsealed == 0, result
        for statement_id in ids:
            entries = session.execute(
                sa.select(LedgerEntry.from_state, LedgerEntry.to_state)
                .where(LedgerEntry.statement_id == statement_id, LedgerEntry.kind == "decision")
                .order_by(LedgerEntry.seq)
            ).all()
            assert len(entries) == 21
            for before, after in itertools.pairwise(entries):
                assert after.from_state == before.to_state, statement_id


def test_pressgate_ledger_seal_seals_what_waits(committed):
    engine, url = committed
    held = HeldLock(engine)
    _draft(engine)
    sealing.stop(engine)  # as if this process had died before sealing
    held.release()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "seal", "SEAL_SWEEP_SECONDS": 0})
    try:
        out = app.test_cli_runner().invoke(args=["ledger", "seal"])
        assert out.exit_code == 0, out.output
        assert "Sealed" in out.output
        again = app.test_cli_runner().invoke(args=["ledger", "seal"])
        assert "Nothing to seal" in again.output
        verified = app.test_cli_runner().invoke(args=["ledger", "verify"])
        assert verified.exit_code == 0 and "Ledger intact" in verified.output
    finally:
        app_engine = app.extensions["pressgate"]["engine"]
        sealing.stop(app_engine)
        app_engine.dispose()


def test_a_serving_process_sweeps_what_another_left(committed):
    engine, url = committed
    held = HeldLock(engine)
    _draft(engine)
    sealing.stop(engine)  # this writer died before sealing
    held.release()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "sweep", "SEAL_SWEEP_SECONDS": 0.2})
    app_engine = app.extensions["pressgate"]["engine"]
    try:
        assert sealing.sealer(app_engine).sweep_seconds is None, "creating the app (as the CLI does) sweeps nothing"
        assert app.test_client().get("/login").status_code == 200  # no commit: only the sweep can seal
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with Session(engine) as session:
                if verification.unsealed(session, verification.STALE_AFTER)[0] == 0:
                    break
            time.sleep(0.1)
        assert sealing.sealer(app_engine).sweep_seconds == 0.2
        with Session(engine) as session:
            assert verification.unsealed(session, verification.STALE_AFTER)[0] == 0 and verification.verify(session).ok
    finally:
        sealing.stop(app_engine)
        app_engine.dispose()


def test_listings_show_entries_only_in_their_place_and_say_what_waits(committed):
    """An outside client found seq, prev_hash and hash null right after a decision (issue 26)."""
    engine, url = committed
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "list", "SEAL_SWEEP_SECONDS": 0})
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "auditor", "password": PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    held = HeldLock(engine)  # a sealer elsewhere busy (or stuck): the listing must not wait for it forever
    try:
        statement_id = _draft(engine)
        listed = client.get("/api/v1/ledger?per_page=200", headers=headers).json
        assert listed["unsealed"] == 2
        assert all(e["seq"] and e["prev_hash"] and e["hash"] for e in listed["items"])
        assert statement_id not in {e["statement"] for e in listed["items"]}
        history = client.get(f"/api/v1/statements/{statement_id}/history", headers=headers).json
        assert history["items"] == [] and history["total"] == 0
    finally:
        held.release()
    # With the lock free, the reader seals what was committed and lists it in its place at once.
    statement_id = _draft(engine, title="Thông cáo thứ hai")
    listed = client.get("/api/v1/ledger?per_page=200", headers=headers).json
    assert "unsealed" not in listed
    seqs = [e["seq"] for e in listed["items"]]
    assert seqs == sorted(seqs) and seqs == list(range(1, len(seqs) + 1)) and listed["total"] == len(seqs)
    mine = [e for e in listed["items"] if e["statement"] == statement_id]
    assert [e["action"] for e in mine] == ["create", "submit"] and all(e["hash"] for e in mine)
    exported = app.test_cli_runner().invoke(args=["ledger", "export", "--format", "jsonl"])
    lines = [json.loads(line) for line in exported.output.splitlines()]
    assert [e["seq"] for e in lines] == list(range(1, len(lines) + 1)) and all(e["hash"] for e in lines)
    sealing.stop(app.extensions["pressgate"]["engine"])
    app.extensions["pressgate"]["engine"].dispose()
