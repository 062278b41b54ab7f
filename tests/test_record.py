"""Commendations (issue 31): a unit's leaders commend its people for their work on its statements, beside the
violations its disclosure cases found; on the ledger, read by leaders for their units and by auditors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.test_api_statements import create
from tests.test_web import csrf, login
from workflow.ledger import LedgerEntry

PRAISE = "Soạn thông cáo về dịch sởi kịp thời, số liệu có phân tích rõ ràng, được báo chí trích dẫn đúng."


def test_a_leader_commends_one_of_the_units_people_on_the_ledger(api, session):
    s = create(api)
    r = api("leader").post("/api/v1/commendations", json={
        "unit": "SYT-HN", "person": "author", "description": PRAISE, "statements": [s["id"], s["id"]]})  # fmt: skip
    assert r.status_code == 201, r.json
    assert (r.json["person"], r.json["statements"], r.json["description"]) == ("author", [s["id"]], PRAISE)
    entry = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == "record_commendation")).one()
    assert entry.comment == PRAISE and entry.data == {"commendation": r.json["id"], "person": "author",
                                                       "statements": [s["id"]]}  # fmt: skip
    above = {"unit": "SYT-HN", "person": "spokesperson", "description": "Phát ngôn kịp thời."}
    assert api("ministry_leader").post("/api/v1/commendations", json=above).status_code == 201
    # Read by the unit's leaders and those above, and by auditors; nobody else.
    assert api("auditor").get("/api/v1/commendations").json["total"] == 2
    assert api("leader").get("/api/v1/commendations").json["total"] == 2
    assert api("author").get("/api/v1/commendations").status_code == 403


@pytest.mark.parametrize(
    "who, body, status",
    [
        ("author", {"person": "drafter2"}, 403),
        ("spokesperson", {"person": "author"}, 403),
        ("leader", {"person": "outsider"}, 422),  # not one of the unit's people
        ("leader", {"description": " "}, 422),
        ("leader", {"statements": [999_999]}, 422),
        ("leader", {"unit": "NO-SUCH"}, 422),  # an unknown unit named in the body is a field error
    ],
)
def test_bad_or_unlawful_commendations_are_refused_clearly(api, who, body, status):
    given = {"unit": "SYT-HN", "person": "author", "description": PRAISE} | body
    r = api(who).post("/api/v1/commendations", json=given)
    assert r.status_code == status, r.json


def test_another_units_statements_are_refused(api):
    elsewhere = create(api, by="outsider", unit="SYT-DN", title="Tin Đà Nẵng")
    refused = api("leader").post("/api/v1/commendations", json={
        "unit": "SYT-HN", "person": "author", "description": PRAISE, "statements": [elsewhere["id"]]})  # fmt: skip
    assert refused.status_code == 422 and "statements" in refused.json["errors"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_record_page_shows_both_and_leaders_commend_there(app, api, lang):
    leader = login(app.test_client(), "leader", lang)
    page = leader.get("/record")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "data-commend>" in html and 'value="SYT-HN/author"' in html
    empty = leader.post("/record", data={"do": "commend", "person": "SYT-HN/author", "description": "",
                                         "csrf_token": csrf(page)})  # fmt: skip
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.get_data(as_text=True)
    done = leader.post("/record", data={"do": "commend", "person": "SYT-HN/author", "description": PRAISE,
                                        "statements": "", "csrf_token": csrf(page)})  # fmt: skip
    assert done.status_code == 302
    shown = leader.get("/record").get_data(as_text=True)
    assert "data-commendation" in shown and PRAISE in shown and "Người dùng author" in shown
    assert "data-commend>" not in login(app.test_client(), "auditor", lang).get("/record").get_data(as_text=True)
    assert login(app.test_client(), "author", lang).get("/record").status_code == 403
