"""A PostgreSQL whose disk flushes take as long as a slower disk's: `make bench SYNC_DELAY_US=2500`.

On this machine a commit's flush costs next to nothing, so every figure is bound by CPU. The issue's
starting point (2,800 inserts a second straight to the database) came from a machine whose flushes took
milliseconds. To see the ratios on such a disk, the benchmarks can run against a throwaway server from
the installed binaries, fsync on, with `slowsync.c` preloaded: it sleeps before each fsync and fdatasync.
Only the flush is slowed, for the ceilings and PressGate alike; the figures say so, and are not this
machine's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests import pg

SOURCE = Path(__file__).with_name("slowsync.c")


@contextlib.contextmanager
def server(delay_us: int) -> Iterator[str]:
    """Start a throwaway PostgreSQL whose every flush first sleeps `delay_us`; yield its admin URL."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise RuntimeError("SYNC_DELAY_US needs a C compiler (cc or gcc) to build bench/slowsync.c")
    built = tempfile.mkdtemp(prefix="pressgate-slowsync-")
    os.chmod(built, 0o755)  # the server runs as postgres and must read the library
    library = os.path.join(built, "slowsync.so")
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", library, str(SOURCE), "-ldl"], check=True)
    throwaway = pg.Throwaway()
    try:
        # fsync on, as on the machine's own server; autovacuum off as there, so that it does not run mid-turn.
        throwaway.start("-c fsync=on -c autovacuum=off", environ={"LD_PRELOAD": library, "SLOW_SYNC_US": str(delay_us)})
        yield throwaway.url
    finally:
        throwaway.remove()
        shutil.rmtree(built, ignore_errors=True)
