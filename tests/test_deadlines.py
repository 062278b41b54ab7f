"""Deadlines: every open step is due by the unit's policy, in working hours on Vietnam's working days."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from tests.test_api_statements import act, create
from tests.test_web import csrf, login
from workflow.deadlines import ZONE, Policy, add_working_hours, is_working_day
from workflow.ledger import LedgerEntry


def hanoi(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Friday afternoon: what is left of the day, then Monday morning.
        (hanoi(2026, 12, 4, 16, 0), 4, hanoi(2026, 12, 7, 10, 30)),
        # Late on a public holiday (National Day): the next working morning.
        (hanoi(2026, 9, 2, 22, 0), 4, hanoi(2026, 9, 3, 11, 30)),
        # Saturday 22 August 2026 is worked, in exchange for Monday 31 August.
        (hanoi(2026, 8, 21, 16, 0), 2, hanoi(2026, 8, 22, 8, 30)),
        # Across the lunch break.
        (hanoi(2026, 12, 4, 11, 0), 1, hanoi(2026, 12, 4, 13, 30)),
        # Before the day starts.
        (hanoi(2026, 12, 4, 6, 0), 8, hanoi(2026, 12, 4, 17, 0)),
        # Tết 2027: from the Wednesday before, past the whole holiday week.
        (hanoi(2027, 2, 3, 16, 0), 2, hanoi(2027, 2, 11, 8, 30)),
    ],
)
def test_working_hours_follow_vietnams_calendar(start, hours, due):
    assert add_working_hours(start.astimezone(dt.UTC), hours) == due.astimezone(dt.UTC)


def test_a_units_days_off_and_its_own_hours_count():
    assert not is_working_day(dt.date(2026, 8, 31)) and is_working_day(dt.date(2026, 8, 22))
    policy = Policy.from_stored({"normal": {"review": {"regular": 3}}}, ["2026-12-07"])
    friday = hanoi(2026, 12, 4, 16, 0).astimezone(dt.UTC)
    # One hour on Friday, Monday is the unit's day off, two more hours on Tuesday.
    assert policy.due("in_review", "regular", "normal", friday) == hanoi(2026, 12, 8, 9, 30).astimezone(dt.UTC)
    # Urgent items count round the clock, holidays or not.
    urgent = policy.due("in_review", "ad_hoc", "urgent", hanoi(2026, 9, 2, 22, 0).astimezone(dt.UTC))
    assert urgent == hanoi(2026, 9, 3, 0, 0).astimezone(dt.UTC)
    assert policy.due("released", "regular", "normal", friday) is None  # no step: nothing is due


def test_each_step_gets_its_due_time_on_the_statement_and_its_ledger_entry(api, session):
    with time_machine.travel(hanoi(2026, 12, 4, 16, 0), tick=False):
        s = create(api)
        assert s["due_at"] is None and s["overdue"] is False  # a draft waits on nobody
        submitted = act(api, "author", s["id"], "submit")
    assert submitted["due_at"] == "2026-12-08T09:00:00.000000Z"  # 16 working hours: Tuesday 16:00 in Hanoi
    entry = session.scalar(
        sa.select(LedgerEntry).where(LedgerEntry.statement_id == s["id"], LedgerEntry.action == "submit")
    )
    assert entry.data["due_at"] == submitted["due_at"]
    with time_machine.travel(hanoi(2026, 12, 8, 16, 30), tick=False):
        late = api("spokesperson").get(f"/api/v1/statements/{s['id']}").json
        assert late["overdue"] is True
        changes = act(api, "spokesperson", s["id"], "request_changes", comment="Bổ sung.")
    # The drafter's step: half an hour on Tuesday, Wednesday, then Thursday until 16:30 in Hanoi.
    assert changes["due_at"] == "2026-12-10T09:30:00.000000Z" and changes["overdue"] is False
    urgent = create(api, urgency="urgent")
    with time_machine.travel(hanoi(2026, 12, 5, 22, 0), tick=False):  # a Saturday night
        assert act(api, "author", urgent["id"], "submit")["due_at"] == "2026-12-05T17:00:00.000000Z"


def test_the_inbox_puts_overdue_and_urgent_first_and_lists_filter_by_overdue(api, app):
    with time_machine.travel(hanoi(2026, 12, 1, 9, 0), tick=False):
        old = create(api, title="Cũ")
        act(api, "author", old["id"], "submit")  # due Thursday 9:00
    with time_machine.travel(hanoi(2026, 12, 3, 10, 0), tick=False):
        normal = create(api, title="Thường")
        act(api, "author", normal["id"], "submit")
        urgent = create(api, title="Khẩn", urgency="urgent")
        act(api, "author", urgent["id"], "submit")
        inbox = api("spokesperson").get("/api/v1/statements?awaiting_me=true").json["items"]
        assert [i["id"] for i in inbox][:3] == [old["id"], urgent["id"], normal["id"]]
        overdue = api("spokesperson").get("/api/v1/statements?overdue=true").json
        assert [i["id"] for i in overdue["items"]] == [old["id"]] and overdue["total"] == 1
        page = login(app.test_client(), "spokesperson").get("/inbox").text
        assert page.index("Cũ") < page.index("Khẩn") < page.index("Thường")
        assert "data-overdue" in page and "Quá hạn" in page
        shown = login(app.test_client(), "leader").get(f"/statements/{old['id']}").text
        assert "data-due data-overdue" in shown and "chậm: Người dùng spokesperson" in shown
        listed = login(app.test_client(), "spokesperson").get("/statements?overdue=1").text
        assert "Cũ" in listed and "Thường" not in listed


def test_leaders_set_the_units_deadlines_on_the_ledger_and_drafters_only_read_them(api, app, session):
    leader = api("leader")
    policy = leader.get("/api/v1/units/SYT-HN/deadlines").json
    assert policy["hours"]["normal"]["review"]["regular"] == 16 and policy["days_off"] == []
    changed = leader.put(
        "/api/v1/units/SYT-HN/deadlines",
        json={"hours": {"normal": {"review": {"regular": 3}}}, "days_off": ["2026-12-07"]},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["hours"]["normal"]["review"]["regular"] == 3 and changed.json["days_off"] == ["2026-12-07"]
    entry = session.scalar(sa.select(LedgerEntry).where(LedgerEntry.action == "update_deadlines"))
    assert entry.actor == "leader" and entry.data["minutes"] == {"normal": {"review": {"regular": 180}}}
    # The reminder's share and the grace before escalation are the unit's too.
    tuned = leader.put(
        "/api/v1/units/SYT-HN/deadlines",
        json={
            "hours": {"normal": {"review": {"regular": 3}}},
            "days_off": ["2026-12-07"],
            "remind_percent": 75,
            "grace_minutes": {"urgent": 30},
        },
    ).json
    assert tuned["remind_percent"] == 75 and tuned["grace_minutes"] == {"urgent": 30, "normal": 240}
    assert leader.put("/api/v1/units/SYT-HN/deadlines", json={"remind_percent": 5}).status_code == 422
    for bad in ({"hours": {"normal": {"review": {"regular": -1}}}}, {"hours": {"slow": {}}}, {"days_off": ["x"]}):
        assert leader.put("/api/v1/units/SYT-HN/deadlines", json={"hours": {}, "days_off": []} | bad).status_code == 422
    assert api("author").get("/api/v1/units/SYT-HN/deadlines").status_code == 200
    assert api("author").put("/api/v1/units/SYT-HN/deadlines", json={"hours": {}, "days_off": []}).status_code == 403
    assert api("outsider").get("/api/v1/units/SYT-HN/deadlines").status_code == 403
    with time_machine.travel(hanoi(2026, 12, 4, 16, 0), tick=False):
        s = create(api)
        assert act(api, "author", s["id"], "submit")["due_at"] == "2026-12-08T02:30:00.000000Z"
    # The page: the same refusals, the days written as people write them.
    c = login(app.test_client(), "leader")
    form = c.get("/units/SYT-HN/deadlines")
    assert form.status_code == 200 and "Quốc khánh" in form.text
    bad = c.post(
        "/units/SYT-HN/deadlines",
        data={"normal.review.regular": "nhiều", "days_off": "07/12/2026", "csrf_token": csrf(form)},
    )
    assert bad.status_code == 422 and "07/12/2026" in bad.text and "Không phải là một số hợp lệ" not in bad.text
    assert "Mỗi ô phải lớn hơn 0 và không quá 176 giờ." in bad.text
    odd = c.post(
        "/units/SYT-HN/deadlines", data={"remind_percent": "5", "days_off": "31/02/2026", "csrf_token": csrf(form)}
    )
    assert odd.status_code == 422 and "Một số nguyên từ 10 đến 90." in odd.text and "dd/mm/yyyy" in odd.text
    ok = c.post(
        "/units/SYT-HN/deadlines",
        data={"normal.review.regular": "4", "days_off": "07/12/2026\n24/12/2026", "csrf_token": csrf(form)},
    )
    assert ok.status_code == 302
    assert leader.get("/api/v1/units/SYT-HN/deadlines").json["days_off"] == ["2026-12-07", "2026-12-24"]
    page = login(app.test_client(), "author").get("/units/SYT-HN/deadlines").text
    assert "data-deadlines-read-only" in page and "24/12/2026" in page


def test_the_deadlines_page_names_the_public_holidays_in_the_readers_language(app):
    leader = login(app.test_client(), "leader")
    assert "Tết Dương lịch" in leader.get("/units/SYT-HN/deadlines").text
    leader.get("/lang/en")
    english = leader.get("/units/SYT-HN/deadlines").text
    assert "Lunar New Year" in english and "Tết Dương lịch" not in english
