"""The report measured: timed in rounds, its SQL statements counted and the slowest explained; the command line."""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench import scale
from bench.reports.world import AUDITOR, ENTRIES, MAX_QUERIES, PERIOD, ROOT, ROUNDS, STATEMENTS, TARGET_SECONDS, TINY
from bench.reports.year import seed, timed


def measure(url: str, period: str = PERIOD, rounds: int = ROUNDS, explain: bool = True) -> dict[str, Any]:
    """Build the root unit's report for `period`, rolled up, `rounds` times: seconds, SQL statements, the slowest."""
    from auth.models import User
    from auth.service import actor_for
    from statements.db import make_engine
    from statements.reports.service import build

    engine = make_engine(url)
    times: list[float] = []
    counts: list[int] = []
    slowest: dict[str, Any] = {"key": 0.0}
    #: Per statement of the report (by its place in it): its execute time, and its span to the next statement.
    db: dict[str, list[float]] = {}
    span: dict[str, list[float]] = {}
    report: dict[str, Any] = {}
    key = "db" if engine.dialect.name == "postgresql" else "span"
    for _ in range(rounds):
        with Session(engine) as session:
            auditor = actor_for(session, session.scalars(sa.select(User).where(User.username == AUDITOR)).one())
            session.commit()  # the actor is resolved before the report, as a request's is
            with timed(engine) as sent:
                started = time.perf_counter()
                report = build(session, auditor, ROOT, period, rolled_up=True)
                ended = time.perf_counter()
            session.rollback()
        times.append(ended - started)
        counts.append(len(sent))
        for i, item in enumerate(sent):
            item["span"] = (sent[i + 1]["start"] if i + 1 < len(sent) else ended) - item["start"]
            name = f"{i + 1:02d} {_name(item['statement'])}"
            db.setdefault(name, []).append(item.get("db", 0.0))
            span.setdefault(name, []).append(item["span"])
            if item[key] > slowest["key"]:
                slowest = item | {"key": item[key], "name": name}
    figures = report["statements"]
    out: dict[str, Any] = {
        "backend": engine.dialect.name,
        "period": period,
        "rounds": rounds,
        "seconds": [round(s, 3) for s in times],
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "first_s": round(times[0], 3),
        "queries": max(counts),
        "queries_each_round": sorted(set(counts)),
        "sql_median_ms": {name: round(1000 * statistics.median(s), 1) for name, s in db.items()},
        "span_median_ms": {name: round(1000 * statistics.median(s), 1) for name, s in span.items()},
        "report": {
            "units": len(report["units"]),
            "drafted": figures["drafted"],
            "released": figures["released"],
            "outcomes": {row["outcome"]: row["count"] for row in figures["outcomes"]},
            "steps": {row["step"]: row["count"] for row in figures["steps"]},
            "overdue_steps": figures["overdue_steps"],
            "escalations": figures["escalations"],
            "emergency_releases": figures["emergency"]["releases"],
            "press_received": report["press"]["received"],
            "rumours": report["watch"]["recorded"],
            "disclosures_opened": report["disclosure"]["opened"],
            "violations": report["record"]["violations"],
            "commendations": report["record"]["commendations"],
        },
    }
    if explain and "statement" in slowest:
        out["slowest"] = {
            "query": slowest["name"],
            "by": key,
            "ms": round(1000 * slowest["key"], 1),
            "sql": " ".join(slowest["statement"].split()),
            "plan": explain_plan(engine, slowest["statement"], slowest["parameters"]),
        }
    engine.dispose()
    return out


def _name(statement: str) -> str:
    """Return a short name for a report's SQL statement: the table it reads first, and whether it groups."""
    lowered = " ".join(statement.split()).lower()
    if "lag(" in lowered:
        return "steps: window over the decisions of the statements whose step ended"
    first = re.search(r"\bfrom (\w+)", lowered)
    return (first[1] if first else lowered[:40]) + (" grouped" if " group by " in lowered else "")


def explain_plan(engine: sa.Engine, statement: str, parameters: Any) -> list[str]:
    """Return the plan of a statement as run: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    if not statement:
        return []
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).scalars().all()
        else:
            rows = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        conn.rollback()
    return [str(row) for row in rows]


def plan_summary(plan: list[str]) -> list[str]:
    """Return a plan's telling lines: its scans, sorts, joins and window, and the time it took."""
    keep = (
        "Scan",
        "Sort",
        "Join",
        "WindowAgg",
        "Aggregate",
        "Execution Time",
        "Planning Time",
        "SCAN",
        "SEARCH",
        "USE TEMP",
        "Nested Loop",
        "Rows Removed",
        "Sort Method",
    )
    return [line.rstrip() for line in plan if any(word in line for word in keep)]


def try_index(url: str, ddl: str, period: str = PERIOD, rounds: int = ROUNDS) -> dict[str, Any]:
    """Measure the report with indexes created by hand (`ddl`, ";" between two), then drop them: a trial."""
    creates = [part.strip() for part in ddl.split(";") if part.strip()]
    names = [create.split(" ON ")[0].split()[-1] for create in creates]
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    started = time.perf_counter()
    with engine.begin() as conn:
        for create in creates:
            conn.execute(sa.text(create))
    built = time.perf_counter() - started
    scale.analyze(engine)
    try:
        with_index = measure(url, period, rounds)
    finally:
        with engine.begin() as conn:
            for name in names:
                conn.execute(sa.text(f"DROP INDEX {name}"))
        engine.dispose()
    return {"index": ddl, "build_s": round(built, 1), **with_index}


# --- both backends, both scales ----------------------------------------------------------------------


def run(
    pg_database: Callable[[], str] | None,
    statements: int = STATEMENTS,
    entries: int = ENTRIES,
    rounds: int = ROUNDS,
    backends: tuple[str, ...] = ("postgresql", "sqlite"),
) -> dict[str, Any]:
    """Seed and measure a tiny organisation and one at scale on each backend; return the figures and the verdict.

    `pg_database()` returns the URL of a new PostgreSQL database (None: PostgreSQL is left out). SQLite's
    databases are files in a temporary directory, removed afterwards.
    """
    out: dict[str, Any] = {"period": PERIOD, "target_s": TARGET_SECONDS, "max_queries": MAX_QUERIES}
    with tempfile.TemporaryDirectory(prefix="pressgate-reports-") as folder:
        for backend in backends:
            if backend == "postgresql" and pg_database is None:
                continue

            def database(name: str, backend: str = backend) -> str:
                return pg_database() if backend == "postgresql" and pg_database else f"sqlite:///{folder}/{name}.db"

            tiny_url = database("tiny")
            seed(
                tiny_url,
                TINY["statements"],
                TINY["entries"],
                provinces=TINY["provinces"],
                per_province=TINY["per_province"],
            )
            tiny = measure(tiny_url, rounds=2, explain=False)
            url = database("scale")
            seeded = seed(url, statements, entries)
            large = measure(url, rounds=rounds)
            out[backend] = {"seeded": seeded, "tiny": tiny, "at_scale": large}
    measured = [out[b] for b in backends if b in out]
    out["report_s"] = max((m["at_scale"]["max_s"] for m in measured), default=None)
    out["queries"] = max((m["at_scale"]["queries"] for m in measured), default=None)
    out["queries_grow"] = any(m["at_scale"]["queries"] != m["tiny"]["queries"] for m in measured)
    out["met"] = (
        bool(measured)
        and all(m["at_scale"]["max_s"] < TARGET_SECONDS and m["at_scale"]["queries"] <= MAX_QUERIES for m in measured)
        and not out["queries_grow"]
    )
    return out


def table(results: dict[str, Any]) -> None:
    """Print the figures and the verdict."""
    print(
        f"\nReports: the ministry's report ({results['period']}, rolled up) — target < {results['target_s']} s,"
        f" at most {results['max_queries']} SQL statements, none more at scale"
    )
    for backend in ("postgresql", "sqlite"):
        if backend not in results:
            continue
        b = results[backend]
        seeded, large, tiny = b["seeded"], b["at_scale"], b["tiny"]
        print(
            f"  {backend}: {seeded['statements']:,} statements, {seeded['entries']:,} entries over {seeded['units']}"
            f" units, seeded in {seeded['seconds']} s"
        )
        print(
            f"    report: median {large['median_s']} s, max {large['max_s']} s (first {large['first_s']} s),"
            f" SQL {tiny['queries']} -> {large['queries']}"
        )
        print(f"    figures: {json.dumps(large['report'], ensure_ascii=False)}")
        print("    per SQL statement, median ms: execute, and to the next statement (its rows, the Python between)")
        for name, ms in sorted(large["span_median_ms"].items(), key=lambda kv: -kv[1])[:5]:
            print(f"    {large['sql_median_ms'][name]:8.1f} {ms:8.1f}  {name}")
        if "slowest" in large:
            slowest = large["slowest"]
            print(f"    slowest ({slowest['by']}): {slowest['query']}, {slowest['ms']} ms; its plan:")
            for line in plan_summary(large["slowest"]["plan"]):
                print(f"      {line}")
    verdict = "met" if results["met"] else "not met"
    print(
        f"  report_s {results['report_s']} (< {results['target_s']}), SQL {results['queries']}"
        f" (<= {results['max_queries']}), grows: {results['queries_grow']}: {verdict}"
    )


def main(argv: list[str] | None = None) -> int:
    """Seed and measure on fresh databases (dropped afterwards); print the figures and write them as JSON."""
    from tests import pg

    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=STATEMENTS)
    parser.add_argument("--entries", type=int, default=ENTRIES)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--try-index", action="append", default=[], help="CREATE INDEX ... tried on PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database at scale, print its URL")
    parser.add_argument("--url", help="measure a database seeded before (--keep), and try the indexes on it")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "reports.json")
    args = parser.parse_args(argv)
    if args.url:
        return _trials(args.url, args.try_index, args.rounds)
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    admin = pg.server_url() if "postgresql" in backends else None
    if "postgresql" in backends and admin is None:
        print("no PostgreSQL server found", file=sys.stderr)
        return 2
    made: list[str] = []

    def database() -> str:
        made.append(pg.create_database(admin))
        return made[-1]

    try:
        results = run(database if admin else None, args.statements, args.entries, args.rounds, backends)
    finally:
        kept = made.pop() if args.keep and made else None
        for url in made:
            pg.drop_database(admin, url)
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    table(results)
    print(f"  written to {args.output}")
    if kept:
        print(f"  kept: {kept} (python -m bench.reports --url ... --try-index ...; drop it when done)")
        if args.try_index:
            return _trials(kept, args.try_index, args.rounds)
    return 0


def _trials(url: str, indexes: list[str], rounds: int) -> int:
    """Measure a seeded database as it is, with each index in turn (dropped after), and as it is again."""
    runs = [("as it is", measure(url, rounds=rounds))]
    runs += [(ddl, try_index(url, ddl, rounds=rounds)) for ddl in indexes]
    if indexes:
        runs.append(("as it is, again", measure(url, rounds=rounds)))
    for name, figures in runs:
        built = f" (built in {figures['build_s']} s)" if "build_s" in figures else ""
        print(f"\n  {name}{built}: median {figures['median_s']} s, max {figures['max_s']} s, SQL {figures['queries']}")
        for query, ms in sorted(figures["sql_median_ms"].items(), key=lambda kv: -kv[1])[:4]:
            print(f"    {ms:8.1f} ms  {query}")
        slowest = figures["slowest"]
        print(f"    slowest: {slowest['query']}, {slowest['ms']} ms")
        for line in plan_summary(slowest["plan"]):
            print(f"      {line}")
    return 0
