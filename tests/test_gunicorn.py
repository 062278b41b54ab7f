"""The project's gunicorn settings (gunicorn.conf.py), as `gunicorn wsgi:app` run in its folder applies them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.serving import served


@pytest.fixture
def base(tmp_path):
    with served(f"sqlite:///{tmp_path / 'pressgate.db'}", tmp_path) as url:
        yield url


def test_a_long_query_reaches_the_api_and_is_answered_in_json(base):
    # Past gunicorn's default of 4,094 bytes, gunicorn itself would answer 414 in HTML.
    query = "&".join(f"per_page=x{i}" for i in range(400))
    assert 4094 < len(query) < 8000
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}/api/v1/statements?{query}", timeout=10)
    assert refused.value.code == 422
    assert refused.value.headers["Content-Type"] == "application/json"


def test_past_gunicorns_limit_its_own_answer_is_the_documented_one(base):
    query = "&".join(f"per_page=x{i}" for i in range(800))
    assert len(query) > 8190
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}/api/v1/statements?{query}", timeout=10)
    assert refused.value.code == 414
    with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=10) as response:
        document = json.load(response)
    documented = document["paths"]["/api/v1/statements"]["get"]["responses"]["414"]["content"]
    assert refused.value.headers["Content-Type"].split(";")[0] in documented
