"""A new statement sent twice is created once (issue 26): back and save again, a double click, a retried call."""

from __future__ import annotations

import json
import re
import threading
import urllib.request

import pytest
import sqlalchemy as sa

from statements.lifecycle.models import Statement
from tests.serving import two_servers
from tests.test_api_statements import NEW
from tests.test_web import csrf, login


def _count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Statement))


def test_the_api_creates_once_per_key(api, session):
    before = _count(session)
    first = api("author").post("/api/v1/statements", json=NEW, headers={"Idempotency-Key": "3f1c-ab"})
    again = api("author").post("/api/v1/statements", json=NEW, headers={"Idempotency-Key": "3f1c-ab"})
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(session) == before + 1
    # The same key with another body is a mistake, not a second statement.
    other = api("author").post(
        "/api/v1/statements", json=NEW | {"title": "Khác"}, headers={"Idempotency-Key": "3f1c-ab"}
    )
    assert other.status_code == 422 and other.json["rule"] == "idempotency_key_reused"
    # Keys are each person's own; without a key every request creates.
    mine = api("drafter2").post("/api/v1/statements", json=NEW, headers={"Idempotency-Key": "3f1c-ab"})
    assert mine.status_code == 201 and mine.json["id"] != first.json["id"]
    assert api("author").post("/api/v1/statements", json=NEW).status_code == 201
    assert _count(session) == before + 3


@pytest.mark.parametrize("key", ["", "có dấu", "a b", "x" * 256])
def test_a_malformed_key_is_refused(api, key):
    r = api("author").post("/api/v1/statements", json=NEW, headers={"Idempotency-Key": key})
    assert r.status_code == 422 and r.json["rule"] in ("idempotency_key",), r.json


def test_the_form_sent_twice_creates_once(browser, session):
    c = login(browser(), "author")
    page = c.get("/statements/new").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf(c.get("/statements/new")), "form_token": token, "unit": "SYT-HN",
            "title": "Thông báo lịch tiêm", "body": "Lịch tiêm vắc xin sởi tuần tới.", "kind": "regular",
            "urgency": "normal"}  # fmt: skip
    before = _count(session)
    first = c.post("/statements/new", data=form)
    second = c.post("/statements/new", data=form, follow_redirects=True)  # back, and save again
    assert first.status_code == 302 and _count(session) == before + 1
    assert second.status_code == 200 and "đã được lưu trước đó" in second.get_data(as_text=True)
    assert first.headers["Location"].endswith(second.request.path)
    # Back, change the text, save: a new statement is not hidden behind the old one, nor made silently.
    changed = c.post("/statements/new", data=form | {"body": "Lịch tiêm đã đổi."})
    assert changed.status_code == 422 and "Lịch tiêm đã đổi." in changed.get_data(as_text=True)
    fresh = re.search(r'name="form_token" value="([^"]+)"', changed.get_data(as_text=True)).group(1)
    assert fresh != token
    assert c.post("/statements/new", data=form | {"form_token": fresh}).status_code == 302
    assert _count(session) == before + 2


def _post(port: int, token: str, body: dict, key: str) -> tuple[int, int]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/statements",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )
    with urllib.request.urlopen(request, timeout=15) as r:
        return r.status, json.loads(r.read())["id"]


def test_two_servers_racing_one_key_create_one_statement(tmp_path):
    """The same request, with one key, at the same moment through two server processes."""
    with two_servers(tmp_path) as (ports, seeded):
        token = seeded["tokens"]["drafter"]
        body = {"unit": "SYT-AH", "title": "Một lần thôi", "body": "Nội dung.", "kind": "regular", "urgency": "normal"}
        barrier, answers = threading.Barrier(8), []

        def send(i: int) -> None:
            barrier.wait()
            answers.append(_post(ports[i % 2], token, body, "race-1"))

        threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(answers) == 8 and {status for status, _ in answers} == {201}
    assert len({sid for _, sid in answers}) == 1
