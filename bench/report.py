"""The benchmarks' table: every figure of a run, and each target's verdict beside its key."""

from __future__ import annotations

from pathlib import Path

#: The targets judged since issue 27: PressGate against its own floor and against an earlier tree
#: (`decision_ratio` and `read_ratio`, against the bare stack, were retired: its own SQL cannot reach them).
TARGETS = {
    "decision_of_floor": 0.7,
    "read_of_floor": 0.75,
    "verify_ratio": 0.25,
    "decision_vs_baseline": 0.9,
    "read_vs_baseline": 0.9,
}
#: Targets that are ceilings, not floors.
LIMITS = {"read_p95_ms": 50, "max_queries_per_request": 8, "rss_growth_mb": 20}


def table(r: dict, written: Path) -> None:
    """Print the results of one run beside the targets and limits."""
    server = r["server"]
    rows = [
        ("database ceiling (psycopg INSERT tx/s)", r["db_ceiling"]["ok_per_s"], ""),
        ("stack ceiling (gunicorn+Flask INSERT req/s)", r["stack_ceiling"]["ok_per_s"], ""),
        (
            "decisions/s",
            r["decision"]["ok_per_s"],
            f"p95 {r['decision']['p95_ms']} ms, non-2xx {r['decision']['non2xx']}",
        ),
        ("reads of unreleased statements/s", r["read"]["ok_per_s"], f"p95 {r['read']['p95_ms']} ms"),
        ("decision floor (its statements, no logic)/s", r["floor"]["decision"]["ok_per_s"], "bench/floor.py"),
        ("read floor (its statements, no logic)/s", r["floor"]["read"]["ok_per_s"], "bench/floor.py"),
        (
            "ledger verify entries/s",
            r["verify"]["verify_per_s"],
            f"raw SHA-256 {r['verify']['raw_sha256_per_s']}/s; one connection {r['verify']['one_connection_per_s']}/s",
        ),
        (
            "ledger replay vs tables entries/s",
            r["verify"]["replay_per_s"],
            f"{r['verify']['replay_seconds']} s for {r['verify']['entries']} entries,"
            f" {r['verify']['replay_statements']} statements",
        ),
    ]
    load = (
        f"gunicorn {server['gunicorn']['workers']}×{server['gunicorn']['threads']} gthread,"
        f" {server['clients']} clients, {server['duration_s']}s each in {server['rounds']} alternating rounds"
    )
    print(f"\nPressGate benchmarks ({'quick' if r['quick'] else 'full'}; {r['machine']['cpus']} CPUs, {load})")
    if r["emulated_sync_delay_us"]:
        print(f"  EMULATED DISK: every flush sleeps {r['emulated_sync_delay_us']} µs first (bench/slowdisk.py);"
              " these are not this machine's figures")  # fmt: skip
    for name, value, note in rows:
        print(f"  {name:<46} {value:>10}  {note}")
    seeded = r["read_path"]["seeded"]
    print(f"  read path at {seeded['statements']} more statements, {r['verify']['entries']} ledger entries"
          " (in process; p50 / p95 ms, SQL statements small -> at scale):")  # fmt: skip
    for name, page in r["read_path"]["at_scale"].items():
        small = r["read_path"]["small"][name]
        queries = f"queries {small['queries']} -> {page['queries']}"
        print(f"    {name:<44} {page['p50_ms']:>6} / {page['p95_ms']:<6}  {queries}")
    if sweep := r.get("deadline_sweep"):
        idle, due = sweep["idle"], sweep["due"]
        index = "by its index" if sweep["uses_index"] else "NOT BY ITS INDEX"
        print(f"  deadline sweep among {sweep['open_statements']} open statements ({index}):"
              f" none due {idle['ms']} ms, {idle['queries']} SQL;"
              f" {due['handled']} due {due['ms']} ms, {due['queries']} SQL")  # fmt: skip
    memory_note = f"{r['memory']['decisions']} decisions, {r['memory']['worker_rss_before_mb']} MiB before"
    print(f"  {'worker RSS growth (MiB)':<46} {r['rss_growth_mb']:>10}  {memory_note}")
    ratios = ("decision_ratio", "decision_db_ratio", "read_ratio", "read_db_ratio", "verify_ratio")
    if "baseline" in r:
        old = r["baseline"]
        for name in ("decision", "read"):
            rounds = ", ".join(map(str, old[name]["rounds_ok_per_s"]))
            print(f"  {'baseline ' + old['ref'] + ' ' + name + 's/s':<46} {old[name]['ok_per_s']:>10}  rounds {rounds}")
    compared = ("decision_vs_baseline", "read_vs_baseline") if "baseline" in r else ()
    for key in (*ratios, "decision_floor_ratio", "read_floor_ratio", "decision_of_floor", "read_of_floor", *compared):
        target = TARGETS.get(key)
        verdict = "" if target is None else ("meets" if r[key] >= target else "BELOW") + f" target {target}"
        print(f"  {key:<46} {r[key]:>10}  {verdict}")
    for key, limit in LIMITS.items():
        within = r[key] <= limit if key.startswith("max") else r[key] < limit
        print(f"  {key:<46} {r[key]:>10}  {'meets' if within else 'ABOVE'} limit {limit}")
    print(f"  {'queries grow with data or page size':<46} {'yes' if r['queries_grow'] else 'no':>10}")
    print(f"  written to {written} in {r['seconds']} s")
