"""Find a PostgreSQL for the tests: TEST_DATABASE_URL, else 127.0.0.1:5432, else a throwaway server."""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid

import sqlalchemy as sa

from statements.db import normalise_url
from tests.serving import free_port


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _usable(url: str) -> bool:
    try:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # any failure means "not usable": try the next way
        return False


class Throwaway:
    """A private PostgreSQL from the installed binaries, in a temporary folder: started, stopped, removed."""

    def __init__(self) -> None:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
        initdb = candidates[0] if candidates else shutil.which("initdb")
        if not initdb:
            raise FileNotFoundError("no PostgreSQL binaries (initdb) installed")
        self.bindir = os.path.dirname(initdb)
        # initdb refuses to run as root: run the server as the postgres user (KeyError: no such user, no server).
        owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        self.prefix = ["runuser", "-u", "postgres", "--"] if owner else []
        self.datadir = tempfile.mkdtemp(prefix="pressgate-pg-")
        if owner:
            os.chown(self.datadir, owner.pw_uid, owner.pw_gid)
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        auth = ["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
        subprocess.run([*self.prefix, initdb, "-D", self.datadir, *auth], check=True, capture_output=True)

    def _ctl(self, *args: str, check: bool = True, environ: dict[str, str] | None = None) -> None:
        pg_ctl = os.path.join(self.bindir, "pg_ctl")
        # runuser keeps the environment, but `env` states what the server is started with either way.
        launcher = ["env", *(f"{name}={value}" for name, value in environ.items())] if environ else []
        command = [*self.prefix, *launcher, pg_ctl, "-D", self.datadir, *args]
        subprocess.run(command, check=check, capture_output=True)

    def start(self, settings: str = "-c fsync=off", environ: dict[str, str] | None = None) -> None:
        """Start the server with these settings (tests need no durability) and wait until it takes connections."""
        options = f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 {settings}"
        self._ctl("-o", options, "-w", "-l", os.path.join(self.datadir, "log"), "start", environ=environ)

    def stop(self) -> None:
        """Stop the server at once, as a crash would (no checkpoint; it recovers on the next start)."""
        self._ctl("-m", "immediate", "-w", "stop", check=False)

    def remove(self) -> None:
        """Stop the server and delete its files."""
        self.stop()
        shutil.rmtree(self.datadir, ignore_errors=True)


def start_throwaway() -> str | None:
    """Start a private PostgreSQL from the installed binaries; stopped when the tests end."""
    try:
        server = Throwaway()
    except (FileNotFoundError, KeyError):
        return None
    server.start()
    atexit.register(server.remove)
    return server.url


_server_url: str | None = None
_looked = False


def server_url() -> str | None:
    """Return an admin URL of a PostgreSQL server the tests may create databases on, or None."""
    global _server_url, _looked
    if _looked:
        return _server_url
    _looked = True
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        _server_url = normalise_url(explicit)
    elif (
        os.environ.get("PRESSGATE_TEST_PG") != "throwaway"
        and _answers("127.0.0.1", 5432)
        and _usable("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ):
        _server_url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    else:
        _server_url = start_throwaway()
    return _server_url


def create_database(admin_url: str) -> str:
    """Create a fresh database named pressgate_test_*; return its URL."""
    name = f"pressgate_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    engine.dispose()
    return sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    """Drop a database the tests created (and only such a one)."""
    name = sa.make_url(url).database
    if not name or not name.startswith("pressgate_test_"):
        raise RuntimeError(f"refusing to drop {name!r}: not a test database")
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()
