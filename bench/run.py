"""Run the benchmarks: PressGate and its ceilings side by side, same load generator, same settings.

    python -m bench.run            # the full run (make bench)
    QUICK=1 python -m bench.run    # a small run in under two minutes (make bench QUICK=1; CI runs it)
    BASELINE=57ea4b0 python -m bench.run   # and an earlier commit beside it (make bench BASELINE=<ref>)

Writes bench/results/latest.json and prints a table. Nothing here is a timed assertion: the figures
are ratios measured in one run on one machine, with the server configuration that produced them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench import baseline, memory, report, reports, scale, slowdisk, verify
from tests import pg
from tests.serving import free_port
from workflow.ledger import sealing

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua"
RESULTS = ROOT / "bench" / "results"
QUICK = os.environ.get("QUICK", "") not in ("", "0", "false")
CLIENTS = 16
WORKERS = 2 * (os.cpu_count() or 1)
THREADS = 4
DURATION = 6 if QUICK else 30
#: The measured time of each figure is cut into rounds that alternate ceiling, decisions and reads,
#: so that a shared machine speeding up or slowing down over minutes weighs on all three alike.
ROUNDS = 2 if QUICK else 3
#: Seconds of load before each measured run: workers boot lazily, import, connect and compile their
#: SQL on their first requests, which on 2 CPUs with 4 workers takes seconds.
WARMUP = 4 if QUICK else 10
STATEMENTS = 16 * (10 if QUICK else 50)
LEDGER_ENTRIES = 50_000 if QUICK else 1_000_000
SCALE_STATEMENTS = 5_000 if QUICK else 100_000
SCALE_SAMPLES = 30 if QUICK else 200
SCALE_SMALL = 1_000
#: Statements the deadline sweep finds due at once, among every open one of the scale's.
SWEEP_DUE = 50 if QUICK else 200
MEMORY_DECISIONS = 2_000 if QUICK else 100_000
#: Turns of verify and raw SHA-256, each right after the other; the figure is the median of their ratios.
VERIFY_ROUNDS = 3 if QUICK else 5
#: Microseconds each flush of the database's disk sleeps first (bench/slowdisk.py); 0: this machine's own.
SYNC_DELAY_US = int(os.environ.get("SYNC_DELAY_US") or 0)
#: A git ref measured beside the current tree, in the same run (bench/baseline.py); empty: none.
BASELINE = os.environ.get("BASELINE", "")


@contextlib.contextmanager
def gunicorn(target: str, url: str, workers: int = WORKERS, tree: Path = ROOT, python: str = sys.executable):
    """Serve `target` under gunicorn (gthread, workers × THREADS) until the block ends; yield its base URL.

    `tree` and `python`: another checkout and its environment (a baseline), served the same way.
    """
    port = free_port()
    env = os.environ | {
        "PRESSGATE_DATABASE_URL": url,
        "PRESSGATE_ENV": "production",
        "PRESSGATE_SECRET_KEY": "bench-" + os.urandom(8).hex(),
        "PRESSGATE_BASE_URL": "http://127.0.0.1:5000",
        "PRESSGATE_INSTANCE_PATH": str(RESULTS / "instance"),
    }
    command = [
        str(Path(python).with_name("gunicorn")),
        "--workers", str(workers),
        "--threads", str(THREADS),
        "--worker-class", "gthread",
        "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning",
        target,
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=tree, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            time.sleep(0.2)
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def wrk(base: str, script: str, env: dict | None = None, path: str = "/", duration: int = DURATION) -> dict:
    """Run wrk (CLIENTS threads, one connection each) and return its figures."""
    command = [
        "wrk",
        "-t",
        str(CLIENTS),
        "-c",
        str(CLIENTS),
        "-d",
        f"{duration}s",
        "-s",
        str(LUA / script),
        base + path,
    ]
    run_env = os.environ | {"BENCH_LUA": str(LUA), "BENCH_THREADS": str(CLIENTS)} | (env or {})
    out = subprocess.run(command, env=run_env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    figures = json.loads(line[len("BENCH ") :])
    seconds = figures["duration_us"] / 1e6
    figures["ok_per_s"] = round((figures["requests"] - figures["non2xx"]) / seconds, 1)
    return figures


def combined(runs: list[dict]) -> dict:
    """Add up one workload's rounds: requests over their summed time, the slowest round's latencies."""
    total = {key: sum(run[key] for run in runs) for key in ("requests", "duration_us", "non2xx", "socket_errors")}
    total |= {key: max(run[key] for run in runs) for key in ("p50_ms", "p95_ms", "p99_ms")}
    total["ok_per_s"] = round((total["requests"] - total["non2xx"]) / (total["duration_us"] / 1e6), 1)
    total["rounds_ok_per_s"] = [run["ok_per_s"] for run in runs]
    return total


def decision_env(url: str, env: dict) -> dict:
    """Return `env` for decide.lua, naming the statements an earlier run left returned for changes."""
    # A run stops wherever its time is up, some statements between the two halves of their cycle.
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        ids = conn.execute(sa.text("SELECT id FROM statements WHERE state = 'changes_requested'")).scalars().all()
    engine.dispose()
    return env | {"BENCH_RETURNED": ",".join(map(str, ids))}


def database_ceiling(url: str) -> dict:
    """Single-row INSERT transactions through psycopg directly, CLIENTS connections, no HTTP."""
    import psycopg

    dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    counts = [0] * CLIENTS
    stop = time.monotonic() + DURATION

    def client(i: int) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while time.monotonic() < stop:
                conn.execute("INSERT INTO bench_ceiling (payload) VALUES (%s)", ("một dòng thử nghiệm",))
                counts[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"ok_per_s": round(sum(counts) / DURATION, 1), "requests": sum(counts)}


def seed(url: str, statements: int | None = None) -> dict:
    """Migrate, create a unit with its people, and statements awaiting review; return ids and tokens."""
    from auth.service import actor_for, create_unit, create_user, designate_spokesperson, get_user
    from auth.tokens import issue_token
    from statements.db import make_engine
    from statements.lifecycle.service import create_statement, decide
    from statements.migrate import upgrade

    engine = make_engine(url)
    sealing.configure(engine, mode="inline")  # seeding commits once; its entries are sealed inside
    upgrade(engine)
    with Session(engine) as session:
        create_unit(session, None, "BYT", "Bộ Y tế")
        create_unit(session, None, "SYT-AH", "Sở Y tế tỉnh An Hòa", "BYT")
        people = (("drafter", "drafter"), ("spokesperson", None), ("leader", "leader"), ("auditor", "auditor"))
        for name, role in people:
            roles = [{"unit": "SYT-AH", "role": role}] if role else []
            create_user(session, None, name, name.title(), "bench-password-2026", roles=roles)
        designate_spokesperson(session, None, "SYT-AH", "spokesperson")
        drafter = actor_for(session, get_user(session, "drafter"))
        body = "Trong tuần 46, toàn tỉnh ghi nhận 1.245 ca mắc cúm mùa, giảm 8% so với tuần trước."
        ids = []
        for i in range(STATEMENTS if statements is None else statements):
            fields = {"title": f"Bản tin tuần số {i}", "body": body, "kind": "regular", "urgency": "normal"}
            s = create_statement(session, drafter, "SYT-AH", fields)
            decide(session, s.id, drafter, "submit", version=1)
            ids.append(s.id)
        tokens = {
            name: issue_token(session, get_user(session, name), dt.timedelta(hours=4))[0]
            for name in ("drafter", "spokesperson")
        }
        session.commit()
        with engine.begin() as conn:
            settings = {
                name: conn.execute(sa.text(f"SHOW {name}")).scalar()
                for name in ("server_version", "fsync", "synchronous_commit", "max_connections", "shared_buffers")
            }
    engine.dispose()
    return {"ids": ids, "tokens": tokens, "postgres": settings}


def ceiling_database(admin: str) -> str:
    """Create the ceilings' database: one table of single-row inserts, and nothing else."""
    url = pg.create_database(admin)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE bench_ceiling (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)"))
    engine.dispose()
    return url


def _load_env(seeded: dict) -> dict:
    """Return the Lua scripts' environment for a seeded database: its statements and its two people's tokens."""
    return {
        "BENCH_IDS": ",".join(map(str, seeded["ids"])),
        "BENCH_SPOKES_TOKEN": seeded["tokens"]["spokesperson"],
        "BENCH_DRAFTER_TOKEN": seeded["tokens"]["drafter"],
    }


def main() -> int:
    """Run everything and write bench/results/latest.json."""
    if shutil.which("wrk") is None:
        print("wrk is not installed (make bench installs it: apt-get install wrk)", file=sys.stderr)
        return 2
    if SYNC_DELAY_US:
        with slowdisk.server(SYNC_DELAY_US) as admin:
            return _measure(admin)
    admin = pg.server_url()
    if admin is None:
        print("no PostgreSQL server found", file=sys.stderr)
        return 2
    return _measure(admin)


def _measure(admin: str) -> int:
    """Measure everything on a fresh database of the server at `admin`; write and print the results."""
    RESULTS.mkdir(exist_ok=True)
    old = baseline.checkout(BASELINE, RESULTS) if BASELINE else None
    # Every server has a database of its own, seeded alike: one writing between another's turns would
    # leave it dead rows to vacuum and entries to seal in the other's time (measured on 2026-12-04: PressGate
    # sharing the floor's database ran at 0.74-0.78 of 57ea4b0, on its own at 0.85-0.91).
    made: list[str] = []  # dropped at the end, however far the run got

    def database(create: Callable[[str], str] = pg.create_database) -> str:
        made.append(create(admin))
        return made[-1]

    started = time.monotonic()
    try:
        url, floor_url, ceiling_url = database(), database(), database(ceiling_database)
        old_url = database() if old else None
        seeded = seed(url)
        env = _load_env(seeded)
        floor_env = _load_env(seed(floor_url))
        db = database_ceiling(ceiling_url)
        # The servers stay up (an idle one costs nothing) and take turns under the same wrk.
        with contextlib.ExitStack() as servers:
            ceiling, _ = servers.enter_context(gunicorn("bench.ceiling:app", ceiling_url))
            floor, _ = servers.enter_context(gunicorn("bench.floor:create_app()", floor_url))
            app, _ = servers.enter_context(gunicorn("wsgi:app", url))
            wrk(ceiling, "insert.lua", path="/insert", duration=WARMUP)
            wrk(floor, "read.lua", floor_env, duration=WARMUP // 2)
            wrk(app, "read.lua", env, duration=WARMUP)  # reads change nothing the decisions depend on
            # Two decision turns never follow each other: requests in flight when wrk stops still commit,
            # and the next turn must read the states they leave (decision_env), not the states before them.
            each = DURATION // ROUNDS
            turns = {
                "stack": lambda: wrk(ceiling, "insert.lua", path="/insert", duration=each),
                "decision_floor": lambda: wrk(floor, "decide.lua", decision_env(floor_url, floor_env), duration=each),
                "read_floor": lambda: wrk(floor, "read.lua", floor_env, duration=each),
                "decision": lambda: wrk(app, "decide.lua", decision_env(url, env), duration=each),
                "read": lambda: wrk(app, "read.lua", env, duration=each),
            }
            if old:
                # The baseline on its own database, seeded by its own code, served from its own checkout.
                _commit, tree, python = old
                old_env = _load_env(baseline.seed(tree, python, old_url, STATEMENTS))
                before, _ = servers.enter_context(gunicorn("wsgi:app", old_url, tree=tree, python=str(python)))
                wrk(before, "read.lua", old_env, duration=WARMUP)
                old_decide = functools.partial(decision_env, old_url, old_env)  # read again before each turn
                turns |= {
                    "baseline_decision": lambda: wrk(before, "decide.lua", old_decide(), duration=each),
                    "baseline_read": lambda: wrk(before, "read.lua", old_env, duration=each),
                }
            runs: dict[str, list[dict]] = {name: [] for name in turns}
            for _ in range(ROUNDS):
                for name, turn in turns.items():
                    runs[name].append(turn())
        stack, decision, read = (combined(runs[name]) for name in ("stack", "decision", "read"))
        floors = {name: combined(runs[f"{name}_floor"]) for name in ("decision", "read")}
        load_env = functools.partial(decision_env, url, env)  # read again before each chunk of load
        memory_figures = memory.measure(gunicorn, wrk, url, load_env, MEMORY_DECISIONS // 20, MEMORY_DECISIONS)
        # The same pages on a small organisation first, then at scale: the SQL each runs must not grow.
        scale.seed_scale(url, SCALE_SMALL, SCALE_SMALL * 10)
        small = scale.measure(url, SCALE_SAMPLES // 4)
        seeded_scale = scale.seed_scale(url, SCALE_STATEMENTS - SCALE_SMALL, LEDGER_ENTRIES)
        large = scale.measure(url, SCALE_SAMPLES)
        deadline_sweep = scale.sweep(url, SWEEP_DUE)
        verification = verify.rate(url, LEDGER_ENTRIES, VERIFY_ROUNDS)
        # The ministry's quarter report over a year of use, PostgreSQL and SQLite (bench/reports/): the full run.
        reporting = None if QUICK else reports.run(database, SCALE_STATEMENTS, LEDGER_ENTRIES)
    finally:
        for each_url in made:
            pg.drop_database(admin, each_url)
    results = {
        "quick": QUICK,
        "emulated_sync_delay_us": SYNC_DELAY_US,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "server": {
            "gunicorn": {"workers": WORKERS, "threads": THREADS, "worker_class": "gthread"},
            "clients": CLIENTS,
            "duration_s": DURATION,
            "rounds": ROUNDS,
            "load_generator": "wrk (one connection per thread, Lua scripts in bench/lua)",
            "postgres": seeded["postgres"],
        },
        "db_ceiling": db,
        "stack_ceiling": stack,
        "decision": decision,
        "read": read,
        "floor": floors,
        "verify": verification,
        "memory": memory_figures,
        "read_path": {"seeded": seeded_scale, "small": small, "at_scale": large},
        "deadline_sweep": deadline_sweep,
        "read_p95_ms": max(page["p95_ms"] for page in large.values()),
        "max_queries_per_request": max(page["queries"] for pages in (small, large) for page in pages.values()),
        "queries_grow": any(large[name]["queries"] > small[name]["queries"] for name in large),
        "rss_growth_mb": memory_figures["rss_growth_mb"],
        "decision_ratio": round(decision["ok_per_s"] / stack["ok_per_s"], 3),
        "decision_db_ratio": round(decision["ok_per_s"] / db["ok_per_s"], 3),
        "read_ratio": round(read["ok_per_s"] / stack["ok_per_s"], 3),
        "read_db_ratio": round(read["ok_per_s"] / db["ok_per_s"], 3),
        # Beside the targets, not targets: what the statements cost (floor against ceiling), and what
        # PressGate's own Python costs on top of them (PressGate against its floor).
        "decision_floor_ratio": round(floors["decision"]["ok_per_s"] / stack["ok_per_s"], 3),
        "read_floor_ratio": round(floors["read"]["ok_per_s"] / stack["ok_per_s"], 3),
        "decision_of_floor": round(decision["ok_per_s"] / floors["decision"]["ok_per_s"], 3),
        "read_of_floor": round(read["ok_per_s"] / floors["read"]["ok_per_s"], 3),
        "verify_ratio": verification["verify_ratio"],
        "seconds": round(time.monotonic() - started, 1),
    }
    if reporting:
        results |= {
            "reports": reporting,
            "report_s": reporting["report_s"],
            "report_queries": reporting["queries"],
            "report_met": reporting["met"],
        }
    if old:
        before_decision, before_read = combined(runs["baseline_decision"]), combined(runs["baseline_read"])
        results["baseline"] = {"ref": BASELINE, "commit": old[0], "decision": before_decision, "read": before_read}
        results["decision_vs_baseline"] = round(decision["ok_per_s"] / before_decision["ok_per_s"], 3)
        results["read_vs_baseline"] = round(read["ok_per_s"] / before_read["ok_per_s"], 3)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    report.table(results, RESULTS / "latest.json")
    if reporting:
        reports.table(reporting)
    return 0


if __name__ == "__main__":
    sys.exit(main())
