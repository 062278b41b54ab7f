"""The benchmarks' emulated disk: a throwaway PostgreSQL whose every flush waits (bench/slowdisk.py)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import sqlalchemy as sa

from bench import slowdisk

DELAY_US = 40_000
COMMITS = 5


@pytest.fixture
def slow_server():
    """A throwaway server from the installed binaries whose flushes each wait DELAY_US."""
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler to build bench/slowsync.c")
    try:
        server = slowdisk.server(DELAY_US)
        admin = server.__enter__()
    except (FileNotFoundError, KeyError, subprocess.CalledProcessError):
        pytest.skip("no PostgreSQL binaries to start a server of our own")
    yield admin
    server.__exit__(None, None, None)


def commits_take(admin: str) -> float:
    """Return the seconds COMMITS single-row commits take, one after the other, on a new table."""
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SHOW fsync")).scalar() == "on"
        conn.execute(sa.text("CREATE TABLE t (id serial PRIMARY KEY)"))
        took = time.perf_counter()
        for _ in range(COMMITS):  # each commit flushes the WAL before it returns
            conn.execute(sa.text("INSERT INTO t DEFAULT VALUES"))
        took = time.perf_counter() - took
        assert conn.execute(sa.text("SELECT count(*) FROM t")).scalar() == COMMITS
    engine.dispose()
    return took


def test_each_commit_waits_for_the_emulated_flush(slow_server):
    # A sleep lasts at least as long as asked, so this bound holds on any machine, however slow; without the
    # preloaded library the five commits take a few milliseconds in all here.
    assert commits_take(slow_server) >= COMMITS * DELAY_US / 1e6
