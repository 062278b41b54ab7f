"""API: the ledger's entries and its verification, for those who may read them."""

from __future__ import annotations

import sqlalchemy as sa

from tests.test_api_auth_org import assert_error
from tests.test_api_statements import act, create
from workflow.ledger import LedgerEntry


def test_ledger_endpoints(api):
    s = create(api)
    act(api, "author", s["id"], "submit")
    auditor = api("auditor")
    r = auditor.get(f"/api/v1/ledger?statement={s['id']}").json
    assert [e["action"] for e in r["items"]] == ["create", "submit"]
    seqs = [e["seq"] for e in auditor.get("/api/v1/ledger?per_page=100").json["items"]]
    assert seqs == sorted(seqs)
    assert auditor.get("/api/v1/ledger?actor=author&kind=decision").json["items"][-1]["action"] == "submit"
    assert auditor.get("/api/v1/ledger?since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z").json["total"] > 0
    assert_error(auditor.get("/api/v1/ledger?since=yesterday"), 422)
    verified = auditor.get("/api/v1/ledger/verify").json
    assert verified["ok"] is True and verified["head"]["seq"] == verified["entries"]
    assert api("admin").get("/api/v1/ledger/verify").status_code == 200
    for name in ("author", "spokesperson", "leader"):
        assert_error(api(name).get("/api/v1/ledger"), 403)
        assert_error(api(name).get("/api/v1/ledger/verify"), 403)
    assert_error(api(None).get("/api/v1/ledger"), 401)


def test_verify_endpoint_reports_tampering(api, session, backend):
    s = create(api)
    if backend == "postgresql":
        session.execute(sa.text("DROP TRIGGER ledger_entries_seal_once ON ledger_entries"))
    else:
        session.execute(sa.text("DROP TRIGGER ledger_entries_no_update"))
    seq = session.scalar(sa.select(LedgerEntry.seq).where(LedgerEntry.statement_id == s["id"]))
    session.execute(sa.text("UPDATE ledger_entries SET actor = 'ke_gian' WHERE seq = :s"), {"s": seq})
    session.commit()
    result = api("auditor").get("/api/v1/ledger/verify").json
    assert result["ok"] is False and result["first_bad_seq"] == seq
