"""The deadline sweep: reminders, overdue notices and escalation up the tree, each on the ledger by the system."""

from __future__ import annotations

import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from statements.lifecycle import timeliness
from statements.lifecycle.models import Statement
from statements.notifications.models import Notification
from statements.notifications.texts import details
from tests.test_api_statements import act, create
from tests.test_deadlines import hanoi
from tests.test_notifications import told
from tests.test_web import login
from workflow.ledger import EntryKind, LedgerEntry


def _sweep(session, *when: int) -> int:
    return timeliness.sweep(session, hanoi(*when))


def _entries(session, statement_id: int) -> list[tuple[str, list[str], object]]:
    rows = session.scalars(
        sa.select(LedgerEntry)
        .where(LedgerEntry.statement_id == statement_id, LedgerEntry.kind == EntryKind.DEADLINE)
        .order_by(LedgerEntry.id)
    ).all()
    return [(e.action, e.data["told"], e.data["level"]) for e in rows]


def test_a_late_review_is_reminded_then_told_then_escalated_up_the_tree(app, api, session):
    with time_machine.travel(hanoi(2026, 12, 4, 9, 0), tick=False):
        s = create(api)
        act(api, "author", s["id"], "submit")  # due Tuesday 9:00; the reminder half-way, Monday 9:00
    sid = s["id"]
    assert _sweep(session, 2026, 12, 4, 17, 0) == 0  # nothing has come yet
    assert _sweep(session, 2026, 12, 7, 9, 1) == 1
    assert told(session, sid)[-1] == ("spokesperson", "reminder", "none")
    assert _sweep(session, 2026, 12, 7, 9, 2) == 0  # once
    assert _sweep(session, 2026, 12, 8, 9, 1) == 1
    assert told(session, sid)[-1] == ("spokesperson", "overdue", "none")
    assert _sweep(session, 2026, 12, 8, 13, 0) == 0  # within the grace of four working hours
    assert _sweep(session, 2026, 12, 8, 14, 33) == 1
    assert told(session, sid)[-1] == ("leader", "overdue_escalated", "none")  # the unit's leader
    assert _sweep(session, 2026, 12, 9, 9, 4) == 1
    assert told(session, sid)[-1] == ("ministry_leader", "overdue_escalated", "none")  # the ministry above it
    assert _sweep(session, 2026, 12, 31, 9, 0) == 0  # nothing more is said
    assert _entries(session, sid) == [
        ("deadline_reminder", ["spokesperson"], None),
        ("deadline_overdue", ["spokesperson"], None),
        ("deadline_escalation", ["leader"], 1),
        ("deadline_escalation", ["ministry_leader"], 2),
    ]
    entry = session.scalar(sa.select(LedgerEntry).where(LedgerEntry.action == "deadline_escalation"))
    assert entry.actor == "system" and entry.role == "system" and entry.data["rule"] == "review:deadline_escalation"
    assert session.get(Statement, sid).state == "in_review"  # nothing is ever decided by the sweep
    ledger_page = login(app.test_client(), "auditor").get(f"/audit/ledger?statement={sid}").text
    assert "data-rule>quy tắc review:deadline_escalation<" in ledger_page
    # The leader is told when it was due and who is late, in the app and the mail alike.
    notification = session.scalar(
        sa.select(Notification).where(Notification.statement_id == sid, Notification.kind == "overdue_escalated")
    )
    with app.test_request_context(), force_locale("vi"):
        assert details(notification) == [
            "Hạn xử lý là 08/12/2026 09:00 (giờ Hà Nội).",
            "Đang chờ: Người dùng spokesperson.",
        ]
    reminder = session.scalar(
        sa.select(Notification).where(Notification.kind == "reminder", Notification.statement_id == sid)
    )
    with app.test_request_context(), force_locale("en"):
        assert details(reminder) == ["It is due 08/12/2026 09:00 (Hanoi time)."]  # sent before it


def test_a_decision_starts_the_next_step_afresh_and_an_urgent_one_counts_round_the_clock(api, session):
    with time_machine.travel(hanoi(2026, 12, 5, 22, 0), tick=False):  # Saturday night
        s = create(api, urgency="urgent")
        act(api, "author", s["id"], "submit")  # due in 2 hours, reminded in 1
    assert _sweep(session, 2026, 12, 5, 23, 1) == 1
    assert told(session, s["id"])[-1][:2] == ("spokesperson", "reminder")
    with time_machine.travel(hanoi(2026, 12, 5, 23, 30), tick=False):
        act(api, "spokesperson", s["id"], "escalate", comment="Cần lãnh đạo.")
    row = session.get(Statement, s["id"])
    session.refresh(row)
    assert row.due_stage == 0 and row.next_check_at is not None  # the sign-off is a step of its own
    # The leaders are the ones late now: the escalation goes to the ministry above them.
    assert _sweep(session, 2026, 12, 6, 0, 31) == 1
    assert _sweep(session, 2026, 12, 6, 1, 31) == 1
    assert _sweep(session, 2026, 12, 6, 2, 32) == 1
    assert told(session, s["id"])[-1] == ("ministry_leader", "overdue_escalated", "none")
    # Nobody leads above the ministry: the next escalation would tell nobody, so nothing is said.
    entries = len(_entries(session, s["id"]))
    assert _sweep(session, 2026, 12, 6, 3, 33) == 1 and len(_entries(session, s["id"])) == entries
    assert _sweep(session, 2026, 12, 31, 9, 0) == 0


def test_drafts_and_final_statements_are_never_swept(api, session):
    with time_machine.travel(hanoi(2026, 12, 4, 9, 0), tick=False):
        draft = create(api)
        done = create(api)
        act(api, "author", done["id"], "submit")
        act(api, "author", done["id"], "withdraw")
    assert _sweep(session, 2027, 1, 4, 9, 0) == 0
    assert told(session, draft["id"]) == [] and _entries(session, done["id"]) == []


def test_a_sweep_sends_as_many_sql_statements_for_many_due_statements_as_for_one(app, api, session, count_queries):
    with time_machine.travel(hanoi(2026, 12, 4, 9, 0), tick=False):
        first = create(api)
        act(api, "author", first["id"], "submit")
    with count_queries() as one:
        assert _sweep(session, 2026, 12, 7, 9, 1) == 1
    with time_machine.travel(hanoi(2026, 12, 4, 9, 0), tick=False):
        more = [create(api) for _ in range(5)]
        for s in more:
            act(api, "author", s["id"], "submit")
        returned = create(api)  # one waiting on its author, whose name the reminder needs
        act(api, "author", returned["id"], "submit")
        act(api, "spokesperson", returned["id"], "request_changes", comment="Bổ sung nguồn số liệu.")
    with count_queries() as many:
        assert _sweep(session, 2026, 12, 7, 9, 1) == 6
    assert len(many) <= len(one) + 1, many  # the author's name: one query for them all
    assert [told(session, s["id"])[-1][:2] for s in more] == [("spokesperson", "reminder")] * 5
    assert told(session, returned["id"])[-1][:2] == ("author", "reminder")
