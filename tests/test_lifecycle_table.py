"""Every (state x action x person) -> allowed, or the exact refusal; written out, not derived from the guards."""

from __future__ import annotations

import datetime as dt

import pytest

from statements.lifecycle import snapshots
from statements.lifecycle.service import decide
from workflow.errors import Refusal
from workflow.machine import allowed_actions

STATES = [
    "draft",
    "in_review",
    "changes_requested",
    "escalated",
    "approved",
    "released",
    "rejected",
    "withdrawn",
    "retracted",
]
ACTIONS = [
    "submit",
    "approve",
    "escalate",
    "sign_off",
    "request_changes",
    "reject",
    "release",
    "schedule_release",
    "cancel_schedule",
    "emergency_release",
    "emergency_agree",
    "emergency_finding",
    "reopen",
    "withdraw",
    "retract",
    "clear_sensitivity",
    "record_consent",
    "record_legal_duty",
]
PEOPLE = [
    "author",
    "drafter2",
    "spokesperson",
    "leader",
    "ministry_leader",
    "auditor",
    "admin",
    "outsider",
    "bv_drafter",
]
LEADERS = {"leader", "ministry_leader"}

#: Who may fire each action from each state; everything else is refused.
ALLOWED = {
    ("draft", "submit"): {"author", "drafter2"},
    ("changes_requested", "submit"): {"author", "drafter2"},
    ("in_review", "approve"): {"spokesperson"},
    ("in_review", "escalate"): {"spokesperson"},
    ("escalated", "sign_off"): LEADERS,
    ("in_review", "request_changes"): {"spokesperson"},
    ("escalated", "request_changes"): LEADERS,
    ("in_review", "reject"): {"spokesperson"},
    ("escalated", "reject"): LEADERS,
    ("approved", "release"): {"spokesperson"},
    ("approved", "schedule_release"): {"spokesperson"},
    ("approved", "reopen"): {"spokesperson"} | LEADERS,
    ("draft", "withdraw"): {"author"},
    ("in_review", "withdraw"): {"author"},
    ("changes_requested", "withdraw"): {"author"},
    ("released", "retract"): {"spokesperson"} | LEADERS,
    ("escalated", "clear_sensitivity"): LEADERS,  # escalation made it sensitive
}
#: States each action may start from.
SOURCES = {
    "submit": {"draft", "changes_requested"},
    "approve": {"in_review"},
    "escalate": {"in_review"},
    "sign_off": {"escalated"},
    "request_changes": {"in_review", "escalated"},
    "reject": {"in_review", "escalated"},
    "release": {"approved"},
    "schedule_release": {"approved"},
    "cancel_schedule": {"approved"},
    "emergency_release": {"approved"},
    "emergency_agree": {"released", "retracted"},
    "emergency_finding": {"released", "retracted"},
    "reopen": {"approved"},
    "withdraw": {"draft", "in_review", "changes_requested"},
    "retract": {"released"},
    "clear_sensitivity": {"draft", "in_review", "changes_requested", "escalated"},
    "record_consent": {"draft", "in_review", "changes_requested", "escalated", "approved"},
    "record_legal_duty": {"draft", "in_review", "changes_requested", "escalated", "approved"},
}
#: Who gets past the guards on who they are, and is then refused for what the statement is (409): nothing
#: is scheduled to cancel, a statement of normal urgency is never released in an emergency, no emergency
#: release awaits a review.
CONFLICTING = {
    ("approved", "cancel_schedule"): {"spokesperson"} | LEADERS,
    ("approved", "emergency_release"): LEADERS,
    ("released", "emergency_agree"): {"spokesperson"} | LEADERS,
    ("released", "emergency_finding"): {"spokesperson"} | LEADERS,
    ("retracted", "emergency_agree"): {"spokesperson"} | LEADERS,
    ("retracted", "emergency_finding"): {"spokesperson"} | LEADERS,
}
#: Who may read a statement of SYT-HN before it is released.
READERS = {"author", "drafter2", "spokesperson", "leader", "ministry_leader", "auditor"}
TO = {
    "submit": "in_review",
    "approve": "approved",
    "escalate": "escalated",
    "sign_off": "approved",
    "request_changes": "changes_requested",
    "reject": "rejected",
    "release": "released",
    "reopen": "draft",
    "withdraw": "withdrawn",
    "retract": "retracted",
}


def expected(state: str, action: str, person: str) -> int | str:
    """Return the destination state when allowed, else the status of the refusal."""
    if person not in READERS and state not in ("released", "retracted"):
        return 404
    if state not in SOURCES[action]:
        return 409
    if person in ALLOWED.get((state, action), set()):
        return TO.get(action, state)
    if action == "clear_sensitivity" and person in LEADERS:
        return 409  # a leader may clear, but this statement is not sensitive
    if action in ("record_consent", "record_legal_duty") and person in LEADERS:
        return 409  # a leader may record a legal basis, but this statement identifies nobody
    if person in CONFLICTING.get((state, action), set()):
        return 409
    return 403


def _given(action: str) -> dict:
    """Return what an action needs beyond a comment: a scheduled release, its time."""
    if action == "schedule_release":
        return {"release_at": dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)}
    return {}


@pytest.mark.parametrize("state", STATES)
def test_lifecycle(session, org, statement_in, count_ledger, state):
    """Try every action by every person on a statement in `state`, each attempt rolled back after it."""
    statement = statement_in(state)
    actors = {person: org.actor(person) for person in PEOPLE}
    mismatches = []
    for action in ACTIONS:
        for person in PEOPLE:
            want = expected(state, action, person)
            before = count_ledger()
            attempt = session.begin_nested()
            try:
                decide(
                    session,
                    statement.id,
                    actors[person],
                    action,
                    version=statement.current_version,
                    comment="Lý do: kiểm tra bảng quy tắc.",
                    **_given(action),
                )
                got, added = statement.state, count_ledger() - before
                if added != 1:
                    mismatches.append(f"{person} {action}: allowed but added {added} ledger entries")
            except Refusal as refusal:
                got = refusal.status
                attempt.rollback()
                attempt = None
                if count_ledger() != before:
                    mismatches.append(f"{person} {action}: refused but the ledger grew")
            if attempt is not None:
                attempt.rollback()
            session.expire_all()
            if got != want:
                mismatches.append(f"{person} {action} on {state}: got {got}, expected {want}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_are_the_table(session, org, statement_in, state):
    """The actions offered to each person are exactly those the table allows, on the ORM row and on its view."""
    statement = statement_in(state)
    view = snapshots.one(session, statement.id)
    for person in PEOPLE:
        want = [a for a in ACTIONS if isinstance(expected(state, a, person), str)]
        actor = org.actor(person)
        assert allowed_actions(statement, actor) == want, person
        assert allowed_actions(view, actor) == want, person


# --- one person in both roles ------------------------------------------------------------------
#
# Decree 09/2017 lets a unit's head be its spokesperson. Here SYT-HN's leader is also its designated
# spokesperson (the former spokesperson holds nothing any more): they take every spokesperson step, and
# four-eyes refuses them exactly where they would vouch twice for the same content.

#: Refused to the combined person although each of their roles alone would allow it.
COMBINED_REFUSED = {("escalated", "sign_off"), ("escalated", "clear_sensitivity")}


def expected_combined(state: str, action: str, person: str) -> int | str:
    """Return what the table says when `leader` is SYT-HN's spokesperson too."""
    if person == "spokesperson":  # no role left: an outsider to SYT-HN
        return expected(state, action, "outsider")
    if person != "leader":
        return expected(state, action, person)
    if state not in SOURCES[action]:
        return 409
    if (state, action) in COMBINED_REFUSED:
        return 403
    if {"spokesperson", "leader"} & ALLOWED.get((state, action), set()):
        return TO.get(action, state)
    return expected(state, action, person)


@pytest.mark.parametrize("state", STATES)
def test_lifecycle_with_the_leader_as_spokesperson(session, org, make_statement, state):
    from auth.service import designate_spokesperson
    from tests.conftest import PATHS

    designate_spokesperson(session, None, "SYT-HN", "leader")
    session.commit()
    statement = make_statement()
    for who, action, comment in PATHS[state]:
        who = "leader" if who == "spokesperson" else who
        decide(session, statement.id, org.actor(who), action, version=statement.current_version, comment=comment)
    session.commit()
    actors = {person: org.actor(person) for person in PEOPLE}
    mismatches = []
    for action in ACTIONS:
        for person in PEOPLE:
            want = expected_combined(state, action, person)
            attempt = session.begin_nested()
            try:
                decide(
                    session,
                    statement.id,
                    actors[person],
                    action,
                    version=statement.current_version,
                    comment="Vì",
                    **_given(action),
                )
                got = statement.state
            except Refusal as refusal:
                got = refusal.status
            attempt.rollback()
            session.expire_all()
            if got != want:
                mismatches.append(f"{person} {action} on {state}: got {got}, expected {want}")
    assert not mismatches, "\n".join(mismatches)
