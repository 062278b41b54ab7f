"""The stock schemathesis CLI against PressGate served as in production (gunicorn, PostgreSQL, the demo
organisation), as a new user would run it from the project's folder: every check, no failure.

It finds what the in-process test cannot: gunicorn's own answers (a request line too long for it was
an HTML page), and data that only a live run's stateful sequences build up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests import pg, serving
from tests.serving import ROOT

pytestmark = pytest.mark.postgres_only
#: Examples per operation; the slow run tries many more.
EXAMPLES = int(os.environ.get("PRESSGATE_FUZZ_EXAMPLES", "8"))
DEMO_LOGINS = {"admin": "admin-demo-2026", "drafter": "drafter-demo-2026", "spokesperson": "spokes-demo-2026"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    admin = pg.server_url()
    if admin is None:
        pytest.skip("no PostgreSQL available")
    url = pg.create_database(admin)
    instance = tmp_path_factory.mktemp("served")
    env = os.environ | {"PRESSGATE_DATABASE_URL": url, "PRESSGATE_INSTANCE_PATH": str(instance)}
    for command in (["init-db"], ["demo", "--if-empty"]):
        subprocess.run([serving.PRESSGATE, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    try:
        with serving.served(url, instance) as base:
            # Every sign-in first: the fuzzer's own wrong passwords from this address soon reach the
            # per-address sign-in limit (429, as documented), which must not stop the next run's sign-in.
            yield base, {name: _token(base, name) for name in DEMO_LOGINS}
    finally:
        pg.drop_database(admin, url)


def _token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": DEMO_LOGINS[username]}).encode()
    request = urllib.request.Request(f"{base}/api/v1/tokens", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


@pytest.mark.parametrize("username", list(DEMO_LOGINS))
def test_the_stock_cli_finds_nothing_in_the_served_api(served, username):
    base, tokens = served
    st = str(Path(sys.executable).with_name("st"))
    command = [
        st, "run", f"{base}/api/v1/openapi.json",
        "--checks", "all",
        "-H", f"Authorization: Bearer {tokens[username]}",
        # Revoking its own token would leave the fuzzer nothing but 401s for the rest of the run.
        "--exclude-name", "DELETE /api/v1/tokens/current",
        "--max-examples", str(EXAMPLES),
        "--seed", "20261125",
        # One worker: Python 3.11 can fail building an AST in two threads at once (CPython gh-106905),
        # which hypothesis does while it draws, and the run would end in that error instead of a verdict.
        "--workers", "1",
        "--no-color",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-6000:]
