"""The leaders' dashboard (issue 28): what waits on whom and for how long, who is late, this week against the last.

Every figure links to the statements behind it: the tests open each link as the same person and hold
the list's total to the figure, so a figure and its list can never drift apart.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine

from tests.test_api_statements import act, create
from tests.test_deadlines import hanoi
from tests.test_web import login

REASON = "Người phát ngôn không liên lạc được; tin đồn đang lan."
#: Thursday 3 December 2026, 10:00 in Hanoi: the dashboard is read then.
NOW = hanoi(2026, 12, 3, 10, 0)


def _at(when, step):
    with time_machine.travel(when, tick=False):
        return step()


@pytest.fixture
def week(api):
    """A week in SYT-HN (and one statement in SYT-DN), from last week's release to this Thursday morning."""
    made = {}
    # Last week: drafted Tuesday 9:00, released Thursday 15:00 (54 hours).
    made["last"] = _at(hanoi(2026, 11, 24, 9, 0), lambda: create(api))["id"]
    _at(hanoi(2026, 11, 24, 9, 5), lambda: act(api, "author", made["last"], "submit"))
    _at(hanoi(2026, 11, 26, 14, 0), lambda: act(api, "spokesperson", made["last"], "approve"))
    _at(hanoi(2026, 11, 26, 15, 0), lambda: act(api, "spokesperson", made["last"], "release", channels=["website"]))
    # This week, Monday 9:00: one submitted (overdue by Thursday), one escalated, one sent back to its author.
    monday = hanoi(2026, 11, 30, 9, 0)
    for name in ("late_review", "escalated", "revising", "released"):
        made[name] = _at(monday, lambda: create(api))["id"]
        _at(monday, lambda name=name: act(api, "author", made[name], "submit"))
    _at(monday, lambda: act(api, "spokesperson", made["escalated"], "escalate", comment="Cần lãnh đạo cho ý kiến."))
    _at(monday, lambda: act(api, "spokesperson", made["revising"], "request_changes", comment="Bổ sung số liệu."))
    # Released Wednesday 9:00: 48 hours from its draft.
    _at(hanoi(2026, 12, 2, 8, 0), lambda: act(api, "spokesperson", made["released"], "approve"))
    _at(hanoi(2026, 12, 2, 9, 0), lambda: act(api, "spokesperson", made["released"], "release", channels=["website"]))
    # Thursday 8:00: a fresh submission (not yet due), and an approved statement whose release is scheduled.
    thursday = hanoi(2026, 12, 3, 8, 0)
    made["fresh"] = _at(thursday, lambda: create(api))["id"]
    _at(thursday, lambda: act(api, "author", made["fresh"], "submit"))
    made["scheduled"] = _at(thursday, lambda: create(api))["id"]
    _at(thursday, lambda: act(api, "author", made["scheduled"], "submit"))
    _at(thursday, lambda: act(api, "spokesperson", made["scheduled"], "approve"))
    release_at = hanoi(2026, 12, 4, 8, 0).isoformat()
    _at(thursday, lambda: act(api, "spokesperson", made["scheduled"], "schedule_release", release_at=release_at))
    # An urgent statement released by the leader in an emergency on Wednesday: its review is due.
    made["emergency"] = _at(monday, lambda: create(api, urgency="urgent"))["id"]
    _at(monday, lambda: act(api, "author", made["emergency"], "submit"))
    _at(monday, lambda: act(api, "spokesperson", made["emergency"], "approve"))
    body = {"comment": REASON, "channels": ["website"]}
    _at(hanoi(2026, 12, 2, 9, 0), lambda: act(api, "leader", made["emergency"], "emergency_release", **body))
    # Another province's statement, overdue too: the SYT-HN leader never sees it counted.
    made["elsewhere"] = _at(monday, lambda: create(api, by="outsider", unit="SYT-DN"))["id"]
    _at(monday, lambda: act(api, "outsider", made["elsewhere"], "submit"))
    return made


def _dashboard(api, who):
    r = _at(NOW, lambda: api(who).get("/api/v1/dashboard"))
    assert r.status_code == 200, r.json
    return r.json


def _figures(value):
    """Yield every figure of the dashboard: each dict that names the statements behind it."""
    if isinstance(value, dict):
        if "statements" in value:
            yield value
        for item in value.values():
            yield from _figures(item)
    elif isinstance(value, list):
        for item in value:
            yield from _figures(item)


def _total(api, who, url):
    r = _at(NOW, lambda: api(who).get(url + ("&" if "?" in url else "?") + "per_page=100"))
    assert r.status_code == 200, (url, r.json)
    return r.json["total"], {s["id"] for s in r.json["items"]}


def test_a_leader_sees_who_is_late_in_the_units_they_lead(api, week):
    d = _dashboard(api, "leader")
    assert "SYT-DN" not in d["units"] and {"SYT-HN", "BV-HN"} <= set(d["units"])
    rows = {(w["unit"], w["state"]): w for w in d["waiting"]}
    assert set(rows) == {("SYT-HN", "in_review"), ("SYT-HN", "escalated"), ("SYT-HN", "changes_requested")}
    review = rows[("SYT-HN", "in_review")]
    assert (review["count"], review["overdue"]) == (2, 1)  # the scheduled release waits on nobody
    assert [p["username"] for p in review["waits_on"]] == ["spokesperson"]
    assert [(p["username"], p["role"]) for p in rows[("SYT-HN", "escalated")]["waits_on"]] == [("leader", "leader")]
    assert [(p["username"], p["role"]) for p in rows[("SYT-HN", "changes_requested")]["waits_on"]] == [
        ("author", "author")
    ]
    assert review["waiting_since"].startswith("2026-11-30T02:00")  # Monday 9:00 in Hanoi
    late = {p["username"]: p["overdue"] for p in d["overdue_by_person"]}
    assert late == {"spokesperson": 1, "leader": 1, "author": 1}
    assert [(u["unit"], u["overdue"]) for u in d["overdue_by_unit"]] == [("SYT-HN", 3)]
    this, last = d["draft_to_release"]["this_week"], d["draft_to_release"]["last_week"]
    assert (this["count"], this["median_hours"], this["p90_hours"]) == (2, 48.0, 48.0)
    assert (last["count"], last["median_hours"]) == (1, 54.0)
    assert d["weeks"] == {
        "this_week": {"since": "2026-11-30", "until": "2026-12-03"},
        "last_week": {"since": "2026-11-23", "until": "2026-11-29"},
    }
    assert d["escalations"]["this_week"]["sign_off"]["count"] == 1
    assert d["escalations"]["last_week"]["sign_off"]["count"] == 0
    assert d["emergency_releases"]["this_week"]["count"] == 1
    assert d["emergency_releases"]["awaiting_review"]["count"] == 1
    assert d["scheduled_releases"]["count"] == 1  # it goes out by itself: shown, linked, waiting on nobody


@pytest.mark.parametrize("who", ["leader", "ministry_leader", "auditor"])
def test_every_figure_links_to_exactly_the_statements_it_counts(api, week, who):
    d = _dashboard(api, who)
    figures = list(_figures(d))
    assert len(figures) >= 12
    for figure in figures:
        count = figure["count"] if "count" in figure else figure["overdue"]  # a unit's or a person's overdue steps
        total, _ = _total(api, who, figure["statements"])
        assert total == count, (figure["statements"], total, count)
        if "overdue_statements" in figure:
            assert _total(api, who, figure["overdue_statements"])[0] == figure["overdue"]


def test_the_ministry_sees_the_other_province_and_whom_it_waits_on(api, week):
    d = _dashboard(api, "ministry_leader")
    rows = {(w["unit"], w["state"]): w for w in d["waiting"]}
    assert [p["username"] for p in rows[("SYT-DN", "in_review")]["waits_on"]] == ["dn_spokesperson"]
    late = {p["username"]: p for p in d["overdue_by_person"]}
    _, ids = _total(api, "ministry_leader", late["dn_spokesperson"]["statements"])
    assert ids == {week["elsewhere"]}


def test_the_dashboard_is_refused_to_whoever_leads_nothing(api, client, week):
    for who in ("author", "spokesperson", "admin", "outsider"):
        r = api(who).get("/api/v1/dashboard")
        assert r.status_code == 403 and r.json["rule"] == "dashboard_viewer", (who, r.json)
    login(client, "spokesperson")
    page = client.get("/dashboard")
    assert page.status_code == 403 and "lãnh đạo" in page.get_data(as_text=True)


def test_the_page_shows_each_figure_as_a_link_to_its_list(client, week):
    with time_machine.travel(NOW, tick=False):
        login(client, "leader")
        page = client.get("/dashboard")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Tổng quan" in html and "Người dùng spokesperson" in html
        assert "Bản tin" not in html  # counts and names, never a statement's title or text
        links = [unescape(href) for href in re.findall(r'href="(/statements\?[^"]+)"', html)]
        late = next(link for link in links if "late=spokesperson" in link)
        listed = client.get(late).get_data(as_text=True)
        assert "1 thông tin" in listed and "quá hạn, đang chờ Người dùng spokesperson" in listed
        assert 'name="overdue" value="1" checked' in listed  # whoever is late is late on an overdue step
        this_week = next(link for link in links if "event=released" in link and "since=2026-11-30" in link)
        listed = client.get(this_week).get_data(as_text=True)
        assert "2 thông tin" in listed and "đã phát hành từ 30/11/2026 đến 03/12/2026" in listed
        assert "Tuần này đến nay (30/11/2026 – 03/12/2026)" in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=2026-11-30", "event"),
        ("event=released&since=2026-12-03&until=2026-11-30", "until"),
        ("event=opened", "event"),
        ("event=released&since=30/11/2026", "since"),
    ],
)
def test_a_period_the_list_cannot_read_is_refused_by_name(api, query, field):
    r = api("leader").get(f"/api/v1/statements?{query}")
    assert r.status_code == 422 and field in str(r.json), r.json
