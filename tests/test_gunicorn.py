"""The project's gunicorn settings (gunicorn.conf.py), as `gunicorn wsgi:app` run in its folder applies them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.test_crash import _port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def served(tmp_path):
    port = _port()
    env = os.environ | {
        "PRESSGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'pressgate.db'}",
        "PRESSGATE_ENV": "production",
        "PRESSGATE_SECRET_KEY": "gunicorn-settings",
        "PRESSGATE_INSTANCE_PATH": str(tmp_path),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [gunicorn, "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/api/v1/workflow", timeout=2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield base
    process.terminate()
    process.wait(timeout=30)


def test_a_long_query_reaches_the_api_and_is_answered_in_json(served):
    # Past gunicorn's default of 4,094 bytes, gunicorn itself would answer 414 in HTML.
    query = "&".join(f"per_page=x{i}" for i in range(400))
    assert 4094 < len(query) < 8000
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{served}/api/v1/statements?{query}", timeout=10)
    assert refused.value.code == 422
    assert refused.value.headers["Content-Type"] == "application/json"


def test_past_gunicorns_limit_its_own_answer_is_the_documented_one(served):
    query = "&".join(f"per_page=x{i}" for i in range(800))
    assert len(query) > 8190
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{served}/api/v1/statements?{query}", timeout=10)
    assert refused.value.code == 414
    with urllib.request.urlopen(f"{served}/api/v1/openapi.json", timeout=10) as response:
        document = json.load(response)
    documented = document["paths"]["/api/v1/statements"]["get"]["responses"]["414"]["content"]
    assert refused.value.headers["Content-Type"].split(";")[0] in documented
