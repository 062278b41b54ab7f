"""Mail under load: from a decision's commit to its email accepted by a local SMTP server.

As production runs it: gunicorn serving the API, `pressgate worker` beside it (sealing, telling and
sending, its queue on the machine's Redis), and a real SMTP server (aiosmtpd) that notes when it
accepts each mail. Clients decide on statements over HTTP (submit, then request changes, and again),
and each decision tells one person, who has an address.

- Latency: `CLIENTS` clients decide, no kills; each mail's time from its decision's ledger entry
  (`Notification.created_at`, taken a moment before the commit) to the server accepting it.
- Nothing lost or doubled: `DECISIONS` decisions while the worker is killed with SIGKILL `KILLS` times
  and started again. Afterwards every decision a client saw succeed has its notification, every
  notification with an address its mail, no decision is told twice, and a mail the server accepted
  again after a kill (sent, then killed before the worker recorded it) carries the same Message-ID.

`python -m bench.mail` prints the figures as JSON; `make bench` runs it after the rest and keeps them in
bench/results/mail.json.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from tempfile import TemporaryDirectory

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests import pg
from tests.serving import PRESSGATE, call, free_port, serve, wait_until_serving

CLIENTS = 16
LATENCY_DECISIONS = int(os.environ.get("BENCH_MAIL_LATENCY_DECISIONS", "2000"))
DECISIONS = int(os.environ.get("BENCH_MAIL_DECISIONS", "10000"))
KILLS = 5
#: How long the worker may take to send what is left once the decisions stop.
DRAIN_SECONDS = 180


class Accepted:
    """An SMTP handler that writes down when it accepted each mail: notification id, Message-ID, time."""

    def __init__(self, path: Path) -> None:
        self.out = path.open("a", encoding="utf-8")

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        at = time.time()
        head = (envelope.original_content or envelope.content).split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        fields = dict(line.split(": ", 1) for line in head.replace("\r\n ", " ").split("\r\n") if ": " in line)
        self.out.write(f"{fields.get('X-PressGate-Notification', '')}\t{fields.get('Message-ID', '')}\t{at}\n")
        self.out.flush()
        return "250 OK"


def sink(port: int, path: Path) -> None:
    """Run the SMTP server until SIGTERM, in a process of its own as a real one is (not the clients')."""
    stops = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stops)  # waited for below, in every thread alike
    controller = Controller(Accepted(path), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait(stops)
    controller.stop()


def _arrivals(path: Path) -> tuple[list[tuple[int, float]], Counter[str]]:
    """Return (notification, accepted at) of each mail the server took, and how often it took each Message-ID."""
    times, ids = [], Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        notification, message_id, at = line.split("\t")
        ids[message_id] += 1
        if notification:
            times.append((int(notification), float(at)))
    return times, ids


class Budget:
    """How many decisions are left to take, shared by the clients: exactly that many succeed."""

    def __init__(self, decisions: int) -> None:
        self.left = decisions
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True

    def give_back(self) -> None:
        with self.lock:
            self.left += 1


class Decider(threading.Thread):
    """Decides on its own statements in turn (submit, request changes, again) until the budget is spent."""

    def __init__(self, base: str, ids: list[int], tokens: dict[str, str], budget: Budget) -> None:
        super().__init__(daemon=True)
        self.base, self.ids, self.tokens, self.budget = base, ids, tokens, budget
        self.state = dict.fromkeys(ids, "in_review")
        self.succeeded = 0
        self.errors: Counter[int] = Counter()
        self.said: dict[int, str] = {}

    def run(self) -> None:
        for sid in self.ids:  # where the last run left each statement
            status, _, text = call(self.base, f"/api/v1/statements/{sid}", self.tokens["spokesperson"])
            if status == 200:
                self.state[sid] = json.loads(text)["state"]
        turn = 0
        while self.budget.take():
            sid = self.ids[turn % len(self.ids)]
            turn += 1
            if self.state[sid] == "in_review":
                who, body = "spokesperson", {"action": "request_changes", "comment": "Bổ sung số liệu."}
            else:
                who, body = "drafter", {"action": "submit"}
            path = f"/api/v1/statements/{sid}/actions"
            status, _, text = call(self.base, path, self.tokens[who], body | {"version": 1})
            if status == 200:
                self.state[sid] = json.loads(text)["state"]
                self.succeeded += 1
            else:
                self.budget.give_back()
                self.errors[status] += 1
                self.said.setdefault(status, text[:300])
                status, _, text = call(self.base, f"/api/v1/statements/{sid}", self.tokens["spokesperson"])
                if status == 200:
                    self.state[sid] = json.loads(text)["state"]


def _decide(base: str, seeded: dict, decisions: int, during=None) -> tuple[int, Counter[int], float]:
    """Run CLIENTS deciders until `decisions` succeeded (calling `during` meanwhile); return successes, errors, s."""
    budget = Budget(decisions)
    ids = seeded["ids"]
    clients = [Decider(base, ids[i::CLIENTS], seeded["tokens"], budget) for i in range(CLIENTS)]
    started = time.monotonic()
    for client in clients:
        client.start()
    if during is not None:
        during(budget)
    for client in clients:
        client.join()
    errors: Counter[int] = Counter()
    for client in clients:
        errors.update(client.errors)
        for status, text in client.said.items():
            print(f"{status}: {text}", file=sys.stderr)
    return sum(c.succeeded for c in clients), errors, time.monotonic() - started


def _start_worker(env: dict[str, str]) -> subprocess.Popen:
    log = open(Path(env["PRESSGATE_INSTANCE_PATH"]) / "worker.log", "a")  # noqa: SIM115 (the child holds it)
    return subprocess.Popen([PRESSGATE, "worker"], env=env, start_new_session=True, stdout=log, stderr=log)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-int(share * 100) * len(ordered) // 100) - 1)] if ordered else float("nan")


def _latencies(engine: sa.Engine, received: Path, after: int) -> list[float]:
    """Return seconds from each notification's decision to its first acceptance, for notifications past `after`."""
    first: dict[int, float] = {}
    for notification, at in _arrivals(received)[0]:
        first.setdefault(notification, at)
    with engine.connect() as conn:
        made = dict(
            conn.execute(
                sa.text("SELECT id, extract(epoch FROM created_at) FROM notifications WHERE id > :after"),
                {"after": after},
            ).all()
        )
    return [first[n] - float(made[n]) for n in made if n in first]


def _wait_sent(engine: sa.Engine) -> int:
    """Wait until no mail is pending (or DRAIN_SECONDS pass); return how many still are."""
    deadline = time.monotonic() + DRAIN_SECONDS
    query = sa.text("SELECT count(*) FROM notifications WHERE mail_state = 'pending'")
    while True:
        with engine.connect() as conn:
            pending = conn.scalar(query)
        if not pending or time.monotonic() > deadline:
            return pending
        time.sleep(0.5)


def run() -> dict:
    """Measure both; return the figures."""
    from bench.run import seed
    from statements.db import make_engine

    admin = pg.server_url()
    if admin is None:
        raise SystemExit("no PostgreSQL available")
    url = pg.create_database(admin)
    engine = None
    server = worker = smtp = None
    try:
        seeded = seed(url, statements=CLIENTS * 4)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE users SET email = username || '@bench.example.vn'"))
        env = os.environ | {
            "PRESSGATE_DATABASE_URL": url,
            "PRESSGATE_LEDGER_SEALING": "worker",
            "PRESSGATE_QUEUE_URL": "redis://127.0.0.1:6379/0",
            "PRESSGATE_QUEUE_NAME": f"pressgate-bench-{uuid.uuid4().hex}",
            "PRESSGATE_SMTP_HOST": "127.0.0.1",
            "PRESSGATE_BASE_URL": "https://pg.example.vn",
        }
        with TemporaryDirectory() as instance:
            env["PRESSGATE_INSTANCE_PATH"] = instance
            received = Path(instance) / "received.tsv"
            received.touch()
            smtp_port = free_port()
            smtp = subprocess.Popen(
                [sys.executable, "-m", "bench.mail", "--sink", str(smtp_port), str(received)], start_new_session=True
            )
            env["PRESSGATE_SMTP_PORT"] = str(smtp_port)
            _wait_listening(smtp_port)
            port = free_port()
            server = serve(url, port, Path(instance), {k: v for k, v in env.items() if k.startswith("PRESSGATE_")})
            wait_until_serving(port)
            base = f"http://127.0.0.1:{port}"
            worker = _start_worker(env)
            time.sleep(2)  # the worker's first sweep tells and sends what the seed left
            _wait_sent(engine)
            with engine.connect() as conn:
                before = conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM notifications"))

            # 1. Latency, the worker left alone.
            done, errors, seconds = _decide(base, seeded, LATENCY_DECISIONS)
            left = _wait_sent(engine)
            latencies = _latencies(engine, received, before)
            latency = {
                "decisions": done,
                "decisions_per_s": round(done / seconds, 1),
                "errors": dict(errors),
                "mails": len(latencies),
                "p50_s": round(_percentile(latencies, 0.5), 3),
                "p95_s": round(_percentile(latencies, 0.95), 3),
                "max_s": round(max(latencies), 3) if latencies else None,
                "left_pending": left,
            }
            with engine.connect() as conn:
                before = conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM notifications"))
                entries_before = conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM ledger_entries"))

            # 2. The worker killed KILLS times while DECISIONS decisions are taken.
            rng = random.Random(20261204)
            kills: list[int] = []

            def kill_now_and_then(budget: Budget) -> None:
                nonlocal worker
                marks = sorted(rng.sample(range(DECISIONS // 10, DECISIONS * 9 // 10), KILLS), reverse=True)
                while marks and budget.left > 0:
                    if budget.left <= DECISIONS - marks[-1]:
                        os.killpg(worker.pid, signal.SIGKILL)
                        worker.wait()
                        kills.append(DECISIONS - budget.left)
                        marks.pop()
                        time.sleep(rng.uniform(0.2, 2.0))  # down a moment, while decisions go on
                        worker = _start_worker(env)
                    time.sleep(0.01)

            done, errors, seconds = _decide(base, seeded, DECISIONS, kill_now_and_then)
            left = _wait_sent(engine)
            with engine.connect() as conn:
                told = conn.execute(
                    sa.text(
                        "SELECT count(*) FROM ledger_entries e WHERE e.id > :after AND e.kind = 'decision'"
                        " AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.statement_id = e.statement_id"
                        " AND n.created_at = e.at)"
                    ),
                    {"after": entries_before},
                ).scalar()
                doubled = conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM (SELECT 1 FROM notifications WHERE id > :after"
                        " GROUP BY user_id, statement_id, kind, created_at HAVING count(*) > 1) d"
                    ),
                    {"after": before},
                )
                expected = {
                    row[0]
                    for row in conn.execute(
                        sa.text("SELECT id FROM notifications WHERE id > :after AND mail_to IS NOT NULL"),
                        {"after": before},
                    )
                }
                decided = conn.scalar(
                    sa.text("SELECT count(*) FROM ledger_entries WHERE id > :after AND kind = 'decision'"),
                    {"after": entries_before},
                )
            times, message_ids = _arrivals(received)
            arrived = {n for n, _ in times if n > before}
            resent = sum(1 for n in message_ids.values() if n > 1)
            latencies = _latencies(engine, received, before)
            killed = {
                "decisions_answered": done,
                "decisions_recorded": decided,
                "decisions_per_s": round(done / seconds, 1),
                "errors": dict(errors),
                "worker_kills_at_decision": kills,
                "decisions_not_told": told,
                "notifications_doubled": doubled,
                "mails_expected": len(expected),
                "mails_arrived": len(arrived & expected),
                "mails_lost": len(expected - arrived),
                "mails_sent_again_same_message_id": resent,
                "left_pending": left,
                "p50_s": round(_percentile(latencies, 0.5), 3),
                "p95_s": round(_percentile(latencies, 0.95), 3),
            }
            if left:  # say why: the worker's own last words
                killed["worker_log"] = (Path(instance) / "worker.log").read_text().splitlines()[-30:]
    finally:
        for process in (worker, server, smtp):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        if engine is not None:
            engine.dispose()
        pg.drop_database(admin, url)
    return {"clients": CLIENTS, "latency": latency, "worker_killed": killed}


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SMTP server did not start")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--sink"]:
        sink(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        json.dump(run(), sys.stdout, indent=2)
        print()
