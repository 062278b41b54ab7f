"""One transaction per request and per command: views and services never commit, refusals keep nothing.

The boundary (statements/web_session.py for requests, statements/cli/support.py for commands)
commits what a view or command did when it ends normally; a raised refusal or error leaves nothing
behind, whatever was written before it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from statements.lifecycle import service
from tests.conftest import PASSWORD
from tests.test_web import csrf, login
from workflow.errors import Conflict
from workflow.ledger import EntryKind, LedgerEntry

ROOT = Path(__file__).parent.parent
#: The only modules that commit: the request's boundary, and a job's (statements/jobs.py: a transaction per job).
COMMITTERS = {"statements/web_session.py", "statements/jobs.py"}


def test_nothing_but_the_boundaries_commits():
    found = []
    for package in ("statements", "auth", "workflow"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr == "commit" and name not in COMMITTERS:
                    found.append(f"{name}:{node.lineno}")
    assert found == [], f"commits outside the transaction boundaries: {found}"


@pytest.fixture
def decide_then_refuse(monkeypatch):
    """Make every decision write its change and ledger entry, then be refused (as a late guard would)."""
    real = service.decide

    def decide(*args, **kwargs):
        real(*args, **kwargs)
        raise Conflict("late_refusal", "Refused after writing.")

    monkeypatch.setattr(service, "decide", decide)


def _decisions(session, statement_id: int) -> int:
    where = (LedgerEntry.statement_id == statement_id) & (LedgerEntry.kind != EntryKind.ACCESS)
    return session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry).where(where))


def _state(session, statement_id: int) -> str:
    session.expire_all()
    return session.scalar(sa.text("SELECT state FROM statements WHERE id = :id"), {"id": statement_id})


def test_a_refusal_after_writing_keeps_nothing_on_the_api_the_form_and_the_cli(
    api, browser, runner, statement_in, session, decide_then_refuse
):
    s = statement_in("in_review")
    before = _decisions(session, s.id)

    r = api("spokesperson").post(f"/api/v1/statements/{s.id}/actions", json={"action": "approve", "version": 1})
    assert r.status_code == 409 and r.json["rule"] == "late_refusal"
    assert (_state(session, s.id), _decisions(session, s.id)) == ("in_review", before)

    c = login(browser(), "spokesperson")
    page = c.post(
        f"/statements/{s.id}/act",
        data={"csrf_token": csrf(c.get(f"/statements/{s.id}")), "action": "approve", "version": "1"},
    )
    assert page.status_code == 409
    assert (_state(session, s.id), _decisions(session, s.id)) == ("in_review", before)

    args = ["statement", "act", str(s.id), "approve", "--version", "1", "--user", "spokesperson", "--password-stdin"]
    result = runner.invoke(args=args, input=PASSWORD + "\n")
    assert result.exit_code == 3 and "late_refusal" in result.output, result.output
    assert (_state(session, s.id), _decisions(session, s.id)) == ("in_review", before)


def test_a_decision_is_committed_by_the_boundary_with_its_entry(api, statement_in, session):
    s = statement_in("in_review")
    before = _decisions(session, s.id)
    r = api("spokesperson").post(f"/api/v1/statements/{s.id}/actions", json={"action": "approve", "version": 1})
    assert r.status_code == 200, r.json
    assert (_state(session, s.id), _decisions(session, s.id)) == ("approved", before + 1)


def test_a_form_given_back_with_its_error_keeps_the_record_of_the_text_it_showed(browser, statement_in, session):
    """The refused change is rolled back; the page that answers it shows the draft, and that read stands."""
    s = statement_in("in_review")
    c = login(browser(), "spokesperson")
    token = csrf(c.get(f"/statements/{s.id}"))
    reads = sa.select(sa.func.count()).where(
        LedgerEntry.statement_id == s.id, LedgerEntry.kind == EntryKind.ACCESS, LedgerEntry.actor == "spokesperson"
    )
    before = session.scalar(reads)
    page = c.post(f"/statements/{s.id}/act", data={"csrf_token": token, "action": "reject", "version": "1"})
    assert page.status_code == 422  # a rejection needs its reason
    assert _state(session, s.id) == "in_review"
    assert session.scalar(reads) == before + 1


def test_a_refused_sign_in_still_counts(client, org):
    """The attempt's count has a transaction of its own: the refused request keeps nothing else."""
    token = csrf(client.get("/login"))
    data = {"username": "author", "password": "sai", "csrf_token": token}
    codes = [client.post("/login", data=data).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]  # the default: 5 attempts per 15 minutes for a username from an address
