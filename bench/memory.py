"""Memory: the resident set of one gunicorn worker before and after a long stream of decisions."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path


def worker_pids(master: int) -> list[int]:
    """Return the pids of a gunicorn master's workers (its children)."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def the_worker(master: int, timeout: float = 30.0) -> int:
    """Return the pid of a one-worker gunicorn's worker, waiting for the master to fork it."""
    # The master listens before it forks: a server that takes connections may have no worker yet.
    deadline = time.monotonic() + timeout
    while not (pids := worker_pids(master)) and time.monotonic() < deadline:
        time.sleep(0.1)
    (pid,) = pids
    return pid


def rss_mb(pid: int) -> float:
    """Return a process's resident set size in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def decisions_until(run_chunk, target: int) -> tuple[int, int]:
    """Run load in chunks until `target` decisions succeeded; return (decisions, chunks)."""
    done = chunks = 0
    while done < target:
        figures = run_chunk()
        done += figures["requests"] - figures["non2xx"]
        chunks += 1
    return done, chunks


def measure(gunicorn, wrk, url: str, load_env: Callable[[], dict], warmup: int, decisions: int) -> dict:
    """Serve with one worker; warm it up, read its RSS, run `decisions` more, read it again."""
    with gunicorn("wsgi:app", url, workers=1) as (base, process):
        pid = the_worker(process.pid)

        def chunk() -> dict:
            return wrk(base, "decide.lua", load_env(), duration=10)

        decisions_until(chunk, warmup)
        before = rss_mb(pid)
        done, _ = decisions_until(chunk, decisions)
        after = rss_mb(pid)
        assert worker_pids(process.pid) == [pid], "the worker was replaced mid-run; its memory says nothing"
    return {
        "worker_rss_before_mb": round(before, 1),
        "worker_rss_after_mb": round(after, 1),
        "decisions": done,
        "warmup_decisions": warmup,
        "rss_growth_mb": round(after - before, 1),
    }
