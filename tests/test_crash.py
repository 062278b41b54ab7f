"""Crash harness: a server under a stream of decisions is killed with SIGKILL at random moments and restarted.

Whatever the moment, every decision a client saw succeed is in the database with its ledger entry,
every statement's state is the replay of its ledger entries, and the chain verifies. The quick
version runs with the tests; `pytest -m slow` (and `make bench`'s long run) kills it 200 times.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from statements.db import make_engine
from tests import pg
from tests.serving import call, free_port, serve, wait_until_serving
from workflow.ledger import LedgerEntry
from workflow.ledger.verification import verify

pytestmark = pytest.mark.postgres_only


class Client(threading.Thread):
    """Decides on its statements in a loop, remembering what the server said succeeded."""

    def __init__(self, base: str, ids: list[int], tokens: dict):
        super().__init__(daemon=True)
        self.base, self.ids, self.tokens = base, ids, tokens
        self.state = dict.fromkeys(ids, "in_review")
        self.succeeded: list[tuple[int, str, str]] = []
        self.running = True
        self.unsure: set[int] = set()

    def wait_for(self, decisions: int, timeout: float = 60.0) -> None:
        """Wait until the server has answered this many decisions with success (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        while len(self.succeeded) < decisions and time.monotonic() < deadline:
            time.sleep(0.05)

    def call(self, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
        status, _, text = call(self.base, path, token, body, timeout=5)
        return status, json.loads(text) if status == 200 else {}

    def run(self) -> None:
        rng = random.Random(7)
        while self.running:
            sid = rng.choice(self.ids)
            try:
                if sid in self.unsure:  # the answer was lost in a crash: ask what happened
                    status, body = self.call(f"/api/v1/statements/{sid}", self.tokens["spokesperson"])
                    if status != 200:
                        continue
                    self.state[sid] = body["state"]
                    self.unsure.discard(sid)
                if self.state[sid] == "in_review":
                    who, action, body = "spokesperson", "request_changes", {"comment": "Bổ sung số liệu."}
                else:
                    who, action, body = "drafter", "submit", {}
                status, answer = self.call(
                    f"/api/v1/statements/{sid}/actions",
                    self.tokens[who],
                    {"action": action, "version": 1} | body,
                )
            except (OSError, http.client.HTTPException, ValueError):  # the connection died mid-answer
                self.unsure.add(sid)
                time.sleep(0.05)
                continue
            if status == 200:
                self.state[sid] = answer["state"]
                self.succeeded.append((sid, action, answer["state"]))
            elif status == 409:
                self.unsure.add(sid)


def run_harness(kills: int, instance: Path) -> dict:
    from bench.run import seed

    admin = pg.server_url()
    if admin is None:
        pytest.skip("no PostgreSQL available")
    url = pg.create_database(admin)
    try:
        seeded = seed(url, statements=24)
        port = free_port()
        client = Client(f"http://127.0.0.1:{port}", seeded["ids"], seeded["tokens"])
        rng = random.Random(20261123)
        server = serve(url, port, instance)
        client.start()
        for _ in range(kills):
            wait_until_serving(port)
            # On a loaded machine a restarted server answers slowly: wait for the stream to flow again
            # before the next kill, so every kill lands among decisions and not in a quiet start-up.
            client.wait_for(len(client.succeeded) + 4)
            time.sleep(rng.uniform(0.05, 1.5))  # under a stream of decisions, the kill lands anywhere
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
            server = serve(url, port, instance)
        wait_until_serving(port)
        client.wait_for(len(client.succeeded) + 8)
        client.running = False
        client.join(timeout=10)
        time.sleep(1.5)  # the last server's sweep seals what the killed ones left, and its own last entries
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        return check(url, client)
    finally:
        pg.drop_database(admin, url)


def check(url: str, client: Client) -> dict:
    """Hold the database to what the client was told: every success recorded, states replayed, chain whole."""
    engine = make_engine(url)
    with Session(engine) as session:
        # The last server sealed everything before it was killed: nothing waits, nothing was skipped
        # (verify checks seq runs 1..N without a gap) and nothing was sealed twice (seq is unique).
        result = verify(session)
        assert result.ok and result.unsealed == 0, result
        assert result.entries == session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
        entries = session.execute(
            sa.select(LedgerEntry.statement_id, LedgerEntry.action, LedgerEntry.from_state, LedgerEntry.to_state)
            .where(LedgerEntry.kind == "decision")
            .order_by(LedgerEntry.seq)
        ).all()
        states = dict(session.execute(sa.text("SELECT id, state FROM statements")).all())
    engine.dispose()
    replayed: dict[int, str] = {}
    for sid, _action, from_state, to_state in entries:
        assert replayed.get(sid, from_state) == from_state, f"statement {sid}: entries do not follow each other"
        replayed[sid] = to_state
    for sid in client.ids:
        assert states[sid] == replayed.get(sid, "in_review"), f"statement {sid}: state is not its ledger's replay"
    recorded: dict[tuple[int, str], int] = {}
    for sid, action, _from, _to in entries:
        recorded[(sid, action)] = recorded.get((sid, action), 0) + 1
    seen: dict[tuple[int, str], int] = {}
    for sid, action, _state in client.succeeded:
        seen[(sid, action)] = seen.get((sid, action), 0) + 1
    lost = {key: n - recorded.get(key, 0) for key, n in seen.items() if n > recorded.get(key, 0)}
    assert not lost, f"decisions answered 200 but missing from the ledger: {lost}"
    return {"decisions_seen": len(client.succeeded), "decisions_recorded": len(entries)}


def test_killed_server_loses_no_decision(tmp_path):
    figures = run_harness(kills=4, instance=tmp_path)
    assert figures["decisions_seen"] >= 20, figures  # the kills landed in a real stream of decisions


@pytest.mark.slow
def test_killed_two_hundred_times(tmp_path):
    run_harness(kills=200, instance=tmp_path)


def test_two_servers_race_and_exactly_one_wins_each_conflict(tmp_path):
    """Two app instances (separate processes) take conflicting decisions on the same statements at once."""
    from bench.run import seed

    admin = pg.server_url()
    if admin is None:
        pytest.skip("no PostgreSQL available")
    url = pg.create_database(admin)
    servers = []
    try:
        seeded = seed(url, statements=30)
        ports = [free_port(), free_port()]
        servers = [serve(url, port, tmp_path / f"race-{port}") for port in ports]
        for port in ports:
            wait_until_serving(port)
        clients = [Client(f"http://127.0.0.1:{port}", seeded["ids"], seeded["tokens"]) for port in ports]
        moves = [
            {"action": "approve", "version": 1},
            {"action": "reject", "version": 1, "comment": "Không phù hợp."},
        ]
        outcomes: dict[int, list[int]] = {}
        for sid in seeded["ids"]:
            barrier = threading.Barrier(2)
            results = [0, 0]

            def race(i: int, sid: int = sid, barrier: threading.Barrier = barrier, results: list = results) -> None:
                barrier.wait()
                token = seeded["tokens"]["spokesperson"]
                results[i] = clients[i].call(f"/api/v1/statements/{sid}/actions", token, moves[i])[0]

            threads = [threading.Thread(target=race, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            outcomes[sid] = sorted(results)
        assert all(result == [200, 409] for result in outcomes.values()), outcomes
        engine = make_engine(url)
        time.sleep(1.5)  # each server's sweep seals within a second
        with Session(engine) as session:
            result = verify(session)
            assert result.ok and result.unsealed == 0, result
            decided = session.scalar(
                sa.select(sa.func.count()).select_from(LedgerEntry).where(LedgerEntry.action.in_(["approve", "reject"]))
            )
        engine.dispose()
        assert decided == len(seeded["ids"])
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        pg.drop_database(admin, url)
