"""PressGate served for real in the tests: `gunicorn wsgi:app` started in the project's folder, as in production."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The installed console script, beside this interpreter.
PRESSGATE = str(Path(sys.executable).with_name("pressgate"))


def free_port() -> int:
    """Return a port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, port: int, instance: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start gunicorn (2 workers × 4 threads) on the database at `url`, in a session of its own."""
    env = (
        os.environ
        | {
            "PRESSGATE_DATABASE_URL": url,
            "PRESSGATE_ENV": "production",
            "PRESSGATE_SECRET_KEY": "served-in-tests",
            "PRESSGATE_BASE_URL": "http://127.0.0.1:5000",
            "PRESSGATE_INSTANCE_PATH": str(instance),
        }
        | (env or {})
    )
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "-w", "2", "--threads", "4", "-k", "gthread", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stderr=subprocess.DEVNULL)


def wait_until_serving(port: int) -> None:
    """Wait until the server answers, or fail after 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/workflow", timeout=2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not come back")


@contextlib.contextmanager
def served(url: str, instance: Path) -> Iterator[str]:
    """Serve the database at `url` until the block ends; yield the server's base URL."""
    port = free_port()
    server = serve(url, port, instance)
    try:
        wait_until_serving(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def call(base: str, path: str, token: str | None = None, body: dict | None = None, *, accept: str = "application/json",
         timeout: float = 15) -> tuple[int, Message, str]:  # fmt: skip
    """Send one request (POST when there is a body) and return its status, headers and text, errors included."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers={"Accept": accept})
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


@contextlib.contextmanager
def two_servers(tmp: Path, statements: int = 1) -> Iterator[tuple[list[int], dict]]:
    """Seed a PostgreSQL database of its own and serve it from two gunicorn processes; yield their ports and the seed.

    Skips when no PostgreSQL is available; the servers are killed and the database dropped afterwards.
    """
    import signal

    import pytest

    from bench.run import seed
    from tests import pg

    admin = pg.server_url()
    if admin is None:
        pytest.skip("no PostgreSQL available")
    url = pg.create_database(admin)
    servers: list[subprocess.Popen] = []
    try:
        seeded = seed(url, statements=statements)
        ports = [free_port(), free_port()]
        servers = [serve(url, port, tmp / f"server-{port}") for port in ports]
        for port in ports:
            wait_until_serving(port)
        yield ports, seeded
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        pg.drop_database(admin, url)
