"""Acting spokespersons (issue 28): a leader appoints someone for a period, with a reason, on the ledger.

While the appointment holds, the appointee speaks for the unit under the same guards as its spokesperson,
the unit's work waits for them, and each decision names the appointment; it ends by itself.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import time_machine

from auth.models import ActingAppointment, User
from statements.notifications.models import Notification
from tests.test_api_statements import act, create
from tests.test_web import csrf, login
from workflow.ledger import LedgerEntry

HOUR = dt.timedelta(hours=1)


def _iso(when: dt.datetime) -> str:
    return when.isoformat()


def _appoint(api, who="leader", username="drafter2", unit="SYT-HN", *, hours=48, expect=201, **extra):
    ends = dt.datetime.now(dt.UTC) + hours * HOUR
    body = {"username": username, "reason": "Người phát ngôn nghỉ phép.", "ends_at": _iso(ends)} | extra
    r = api(who).post(f"/api/v1/units/{unit}/acting-spokespersons", json=body)
    assert r.status_code == expect, r.json
    return r.json


def _told(session, statement_id: int) -> set[str]:
    rows = session.execute(
        sa.select(User.username).join(Notification, Notification.user_id == User.id)
        .where(Notification.statement_id == statement_id)
    )  # fmt: skip
    return set(rows.scalars())


def test_an_appointee_reviews_while_it_holds_and_each_decision_names_the_appointment(api, session, org):
    appointment = _appoint(api, username="bv_drafter")
    assert appointment["status"] == "active" and appointment["appointed_by"] == "leader"
    s = create(api)
    act(api, "author", s["id"], "submit")
    # The work waits for the appointee as well as the designated spokesperson, and both are told.
    assert {"bv_drafter", "spokesperson"} <= _told(session, s["id"])
    seen = api("bv_drafter").get(f"/api/v1/statements/{s['id']}")
    assert seen.status_code == 200 and "approve" in seen.json["allowed_actions"]
    act(api, "bv_drafter", s["id"], "approve")
    entry = session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.statement_id == s["id"], LedgerEntry.action == "approve")
    ).one()
    assert entry.role == "acting_spokesperson" and entry.data["acting_under"] == appointment["id"]
    report = api("auditor").get("/api/v1/ledger/verify").json
    assert report["ok"], report


def test_the_appointment_ends_by_itself_and_can_be_ended_early(api, session, org):
    appointment = _appoint(api, hours=2)
    s = create(api)
    act(api, "author", s["id"], "submit")
    with time_machine.travel(dt.datetime.now(dt.UTC) + 3 * HOUR, tick=False):
        assert "approve" not in api("drafter2").get(f"/api/v1/statements/{s['id']}").json["allowed_actions"]
        r = api("drafter2").post(f"/api/v1/statements/{s['id']}/actions", json={"action": "approve", "version": 1})
        assert r.status_code == 403
        listed = api("leader").get("/api/v1/units/SYT-HN/acting-spokespersons").json["items"]
        assert [(a["id"], a["status"]) for a in listed] == [(appointment["id"], "ended")]
    # In real time it still holds, until a leader ends it early.
    r = api("leader").post(f"/api/v1/acting-spokespersons/{appointment['id']}/end", json={"reason": "Đã trở lại."})
    assert r.status_code == 200 and r.json["status"] == "ended" and r.json["ended_by"] == "leader"
    assert act(api, "drafter2", s["id"], "approve", expect=403)["rule"] == "spokesperson_of_unit"
    r = api("leader").post(f"/api/v1/acting-spokespersons/{appointment['id']}/end", json={"reason": "Lần nữa."})
    assert r.status_code == 409 and r.json["rule"] == "appointment_over"
    actions = session.scalars(
        sa.select(LedgerEntry.action).where(LedgerEntry.action.like("%acting%")).order_by(LedgerEntry.id)
    ).all()
    assert actions == ["appoint_acting_spokesperson", "end_acting_spokesperson"]


def test_a_planned_appointment_starts_later_and_can_be_cancelled(api, org):
    start = dt.datetime.now(dt.UTC) + 24 * HOUR
    planned = _appoint(api, hours=72, starts_at=_iso(start))
    assert planned["status"] == "planned"
    s = create(api)
    act(api, "author", s["id"], "submit")
    assert "approve" not in api("drafter2").get(f"/api/v1/statements/{s['id']}").json["allowed_actions"]
    with time_machine.travel(start + HOUR, tick=False):
        assert "approve" in api("drafter2").get(f"/api/v1/statements/{s['id']}").json["allowed_actions"]
    r = api("leader").post(f"/api/v1/acting-spokespersons/{planned['id']}/end", json={"reason": "Không cần nữa."})
    assert r.status_code == 200 and r.json["status"] == "cancelled"


def test_who_may_appoint_and_what_is_refused(api, org):
    for who in ("author", "spokesperson", "auditor", "outsider"):
        assert _appoint(api, who=who, expect=403)["rule"] == "acting_appointer"
    assert _appoint(api, who="ministry_leader", username="bv_drafter")["appointed_by"] == "ministry_leader"
    # One at a time: a second appointment in the same period is refused, with whom it clashes.
    clash = _appoint(api, username="drafter2", expect=409)
    assert clash["rule"] == "acting_overlap"
    boss = "ministry_leader"
    assert _appoint(api, boss, "auditor", "SYT-DN", expect=409)["rule"] == "auditor_not_spokesperson"
    assert _appoint(api, boss, "nobody", "SYT-DN", expect=422)["errors"]["username"]
    assert _appoint(api, boss, "drafter2", "SYT-DN", hours=-1, expect=422)["errors"]["ends_at"]
    assert _appoint(api, boss, "drafter2", "SYT-DN", hours=24 * 91, expect=422)["errors"]["ends_at"]
    assert _appoint(api, boss, "drafter2", "SYT-DN", reason="   ", expect=422)["errors"]["reason"]
    naive = {"username": "drafter2", "reason": "Nghỉ phép.", "ends_at": "2030-01-01T10:00:00"}
    r = api("leader").post("/api/v1/units/SYT-DN/acting-spokespersons", json=naive)
    assert r.status_code == 422 and r.json["errors"]["ends_at"]
    assert api("outsider").get("/api/v1/units/SYT-HN/acting-spokespersons").status_code == 403
    assert api("author").get("/api/v1/units/SYT-HN/acting-spokespersons").status_code == 200
    assert api("leader").post("/api/v1/acting-spokespersons/999999/end", json={"reason": "x"}).status_code == 404


def test_verify_names_an_appointment_changed_by_hand(api, session, org):
    appointment = _appoint(api, hours=2)
    assert api("auditor").get("/api/v1/ledger/verify").json["ok"]
    later = dt.datetime.now(dt.UTC) + 240 * HOUR
    session.execute(sa.update(ActingAppointment).where(ActingAppointment.id == appointment["id"]).values(ends_at=later))
    session.commit()
    report = api("auditor").get("/api/v1/ledger/verify").json
    assert [d["what"] for d in report["tables"]["disagreements"]] == [f"acting appointment {appointment['id']}"]


def test_the_page_lists_appoints_and_ends(browser, api, org):
    leader = login(browser(), "leader")
    page = leader.get("/units/SYT-HN/acting")
    assert page.status_code == 200 and 'id="ends_at"' in page.get_data(as_text=True)
    token = csrf(page)
    r = leader.post(
        "/units/SYT-HN/acting", data={"csrf_token": token, "username": "drafter2", "reason": "", "ends_at": ""}
    )
    assert r.status_code == 422 and 'aria-invalid="true"' in r.get_data(as_text=True)
    r = leader.post(
        "/units/SYT-HN/acting",
        data={"csrf_token": token, "username": "drafter2", "reason": "Nghỉ phép năm.", "ends_at": "2099-01-01T17:00"},
    )
    assert r.status_code == 422  # beyond 90 days
    ends = (dt.datetime.now(dt.UTC) + 30 * HOUR).astimezone(dt.timezone(dt.timedelta(hours=7)))
    given = {
        "csrf_token": token,
        "username": "drafter2",
        "reason": "Nghỉ phép năm.",
        "ends_at": ends.strftime("%Y-%m-%dT%H:%M"),
    }
    r = leader.post("/units/SYT-HN/acting", data=given, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-status="active"' in text and "Nghỉ phép năm." in text
    again = leader.post("/units/SYT-HN/acting", data=given)
    assert again.status_code == 409 and "đã là người phát ngôn thay" in again.get_data(as_text=True)
    appointment = api("leader").get("/api/v1/units/SYT-HN/acting-spokespersons").json["items"][0]
    r = leader.post(
        f"/acting/{appointment['id']}/end",
        data={"csrf_token": token, "unit": "SYT-HN", "reason": "Đã trở lại."},
        follow_redirects=True,
    )
    assert 'data-status="ended"' in r.get_data(as_text=True)
    # The drafter reads the list; only leaders and admins see the form.
    author = login(browser(), "author").get("/units/SYT-HN/acting").get_data(as_text=True)
    assert "data-appointments" in author and 'id="ends_at"' not in author
    assert login(browser(), "outsider").get("/units/SYT-HN/acting").status_code == 403


def test_the_cli_appoints_lists_and_ends(runner, org):
    from tests.conftest import PASSWORD

    until = _iso(dt.datetime.now(dt.UTC) + 5 * HOUR)
    out = runner.invoke(
        args=["acting", "appoint", "SYT-HN", "drafter2", "--until", until, "--reason", "Trực dịch.", "--user", "leader",
              "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert out.exit_code == 0 and "drafter2 is acting spokesperson of SYT-HN" in out.output, out.output
    listed = runner.invoke(
        args=["acting", "list", "SYT-HN", "--user", "author", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert listed.exit_code == 0 and '"status": "active"' in listed.output
    refused = runner.invoke(
        args=["acting", "appoint", "SYT-HN", "bv_drafter", "--until", until, "--reason", "x", "--user", "author",
              "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert refused.exit_code == 3, refused.output
    naive = runner.invoke(
        args=["acting", "appoint", "SYT-HN", "bv_drafter", "--until", "2030-01-01T10:00", "--reason", "x", "--user",
              "leader", "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert naive.exit_code == 2 and "offset" in naive.output
    appointment = int(out.output.rsplit("appointment ", 1)[1].rstrip(").\n"))
    ended = runner.invoke(
        args=["acting", "end", str(appointment), "--reason", "Xong.", "--user", "leader", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert ended.exit_code == 0 and "is ended" in ended.output, ended.output


def test_an_appointee_is_never_made_an_auditor(api, session, org):
    from auth.service import grant_role
    from workflow.errors import Conflict

    _appoint(api, username="drafter2")
    try:
        grant_role(session, None, "drafter2", "BYT", "auditor")
    except Conflict as refusal:
        assert refusal.rule == "auditor_not_spokesperson"
    else:
        raise AssertionError("an appointee was made an auditor")


def test_an_appointees_scheduled_release_verifies(api, session, org, statement_in):
    import time_machine

    from statements.lifecycle import scheduled

    _appoint(api, username="bv_drafter")
    s = statement_in("approved")
    when = dt.datetime.now(dt.UTC) + HOUR
    body = {"action": "schedule_release", "version": 1, "release_at": when.isoformat(), "channels": ["website"]}
    assert api("bv_drafter").post(f"/api/v1/statements/{s.id}/actions", json=body).status_code == 200
    with time_machine.travel(when + dt.timedelta(minutes=1), tick=False):
        assert scheduled.release_due(session) == 1
    session.commit()
    release = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == "release")).one()
    assert release.actor == "system" and release.data["on_authority_of"] == "bv_drafter"
    assert "acting_under" in release.data
    report = api("auditor").get("/api/v1/ledger/verify").json
    assert report["ok"], report


def test_the_page_cancels_one_to_come_and_says_why_it_refuses(browser, api, org):
    start = dt.datetime.now(dt.UTC) + 24 * HOUR
    planned = _appoint(api, hours=72, starts_at=_iso(start))
    leader = login(browser(), "leader")
    token = csrf(leader.get("/units/SYT-HN/acting"))
    blank = leader.post(f"/acting/{planned['id']}/end", data={"csrf_token": token, "unit": "SYT-HN", "reason": " "})
    assert blank.status_code == 302 and blank.headers["Location"].endswith("/units/SYT-HN/acting")
    page = leader.get("/units/SYT-HN/acting").get_data(as_text=True)
    assert "flash error" in page and 'data-status="planned"' in page
    done = leader.post(
        f"/acting/{planned['id']}/end",
        data={"csrf_token": token, "unit": "SYT-HN", "reason": "Không cần nữa."},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Đã hủy việc giao phát ngôn thay." in done and 'data-status="cancelled"' in done


def test_the_appointee_is_told_and_finds_the_units_waiting_work(app, api, session):
    s = create(api)
    act(api, "author", s["id"], "submit")  # waiting before anyone is appointed
    appointment = _appoint(api, username="bv_drafter")
    told = session.scalars(
        sa.select(Notification).join(User, User.id == Notification.user_id).where(User.username == "bv_drafter")
    ).all()
    assert [(n.kind, n.unit, n.detail["appointment"]) for n in told] == [
        ("acting_appointed", "SYT-HN", appointment["id"])
    ]
    page = login(app.test_client(), "bv_drafter")
    listed = page.get("/notifications").text
    assert "Bạn được giao làm người phát ngôn thay của SYT-HN" in listed and "Việc chờ tôi xử lý" in listed
    opened = page.get(f"/notifications/{told[0].id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/inbox")
    assert f'href="/statements/{s["id"]}"' in page.get("/inbox").text
    # The leader who appointed is not told of their own step.
    leader = session.scalar(sa.select(User.id).where(User.username == "leader"))
    assert not session.scalar(
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == leader, Notification.kind == "acting_appointed")
    )  # fmt: skip
    # The unit's list names the appointee beside the designated spokesperson.
    units = login(app.test_client(), "admin").get("/admin/units").text
    row = units.split('data-unit="SYT-HN"', 1)[1].split("</tr>", 1)[0]
    assert "data-acting>người phát ngôn thay: Người dùng bv_drafter, đến" in row
