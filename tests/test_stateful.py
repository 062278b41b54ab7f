"""Random people firing random actions never break the promises (hypothesis stateful testing).

Never release content that was not approved as it is; never approve sensitive content without a
leader's sign-off; never let anyone decide on their own draft. The oracles below are written from
the rules, not from the guard code.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from statements.lifecycle.models import Statement
from statements.lifecycle.service import add_version, create_statement, decide
from workflow.errors import Refusal
from workflow.ledger.verification import verify
from workflow.machine import ACTIONS

PEOPLE = ["author", "drafter2", "spokesperson", "leader", "ministry_leader", "auditor", "admin", "outsider"]
LEADERS = {"leader", "ministry_leader"}
BODIES = [
    "Toàn tỉnh tiêm 28.450 liều vắc xin sởi, đạt 96,2% kế hoạch.",
    "Một người có bệnh nền đã tử vong sau vụ ngộ độc.",  # matches the deaths rule
    "Ghi nhận 2 ca nghi nhiễm biến chủng cúm A mới.",  # matches the variant rule
    "Khuyến cáo người dân giữ ấm cơ thể mùa đông.",
    "Ghi nhan 1 ca tu vong.",  # deaths, typed without diacritics
]
SENSITIVE_WORDS = ("tử vong", "biến chủng", "tu vong")


def oracle_sensitive(body: str, flagged: bool, escalated: bool) -> bool:
    """Independent of the rules engine: what the test data makes sensitive."""
    return flagged or escalated or any(w in body for w in SENSITIVE_WORDS)


#: Moves a real office makes; drawn often so that deep states are reached, with random ones beside them.
PLAUSIBLE = [
    ("author", "submit"),
    ("drafter2", "submit"),
    ("spokesperson", "submit"),
    ("spokesperson", "approve"),
    ("spokesperson", "escalate"),
    ("spokesperson", "request_changes"),
    ("spokesperson", "reject"),
    ("spokesperson", "release"),
    ("leader", "sign_off"),
    ("ministry_leader", "sign_off"),
    ("leader", "request_changes"),
    ("leader", "reopen"),
    ("leader", "clear_sensitivity"),
    ("ministry_leader", "clear_sensitivity"),
    ("author", "withdraw"),
    ("spokesperson", "retract"),
]
MOVES = st.one_of(st.sampled_from(PLAUSIBLE), st.tuples(st.sampled_from(PEOPLE), st.sampled_from(list(ACTIONS))))
WRITERS = ["author", "drafter2", "spokesperson", "leader"]


def run(session, org):
    from auth.service import grant_role

    # Writers who also decide, so four-eyes is put to the test (rolled back with the test).
    grant_role(session, None, "spokesperson", "SYT-HN", "drafter")
    grant_role(session, None, "leader", "SYT-HN", "drafter")
    actors = {name: org.actor(name) for name in PEOPLE}
    user_ids = {name: org.users[name].id for name in PEOPLE}

    class Lifecycle(RuleBasedStateMachine):
        @initialize()
        def begin(self):
            self.savepoint = session.begin_nested()
            self.ids: list[int] = []
            #: statement id -> what the test believes: writers, approvals seen, escalated flag.
            self.model: dict[int, dict] = {}

        def teardown(self):
            self.savepoint.rollback()
            session.expire_all()

        @rule(body=st.sampled_from(BODIES), flagged=st.booleans(), by=st.sampled_from(WRITERS))
        def create(self, body, flagged, by):
            s = create_statement(
                session, actors[by], "SYT-HN", {"title": "Thông cáo", "body": body, "sensitive": flagged}
            )
            self.ids.append(s.id)
            self.model[s.id] = {"writers": {user_ids[by]}, "escalated": False, "approved": None}

        @precondition(lambda self: self.ids)
        @rule(
            data=st.data(),
            body=st.sampled_from(BODIES),
            flagged=st.booleans(),
            who=st.sampled_from([*WRITERS, "outsider", "auditor"]),
        )
        def revise(self, data, body, flagged, who):
            sid = data.draw(st.sampled_from(self.ids))
            try:
                add_version(session, sid, actors[who], {"body": body, "sensitive": flagged})
            except Refusal:
                session.expire_all()
                return
            self.model[sid]["writers"].add(user_ids[who])

        @precondition(lambda self: self.ids)
        @rule(
            data=st.data(),
            move=MOVES,
            stale=st.sampled_from([False] * 9 + [True]),
            comment=st.sampled_from([None, "", *["Lý do cụ thể."] * 4]),
        )
        def act(self, data, move, stale, comment):
            who, action = move
            self.attempt(data.draw(st.sampled_from(self.ids)), action, who, stale, comment)

        @precondition(lambda self: self.ids)
        @rule(data=st.data(), who=st.sampled_from([*PEOPLE, "spokesperson", "leader", "spokesperson"]))
        def advance(self, data, who):
            """Pick an action the statement's state allows, so that deep states are reached often."""
            sid = data.draw(st.sampled_from(self.ids))
            state = session.get(Statement, sid).state
            choices = [name for name, spec in ACTIONS.items() if state in spec.sources]
            if choices:
                self.attempt(sid, data.draw(st.sampled_from(choices)), who, False, "Lý do cụ thể.")

        def attempt(self, sid, action, who, stale, comment):
            statement = session.get(Statement, sid)
            version = statement.current_version + (1 if stale else 0)
            current = statement.current
            sensitive_before = oracle_sensitive(current.body, current.sensitive_flag, self.model[sid]["escalated"])
            cleared = statement.sensitivity_cleared_hash == current.content_hash
            try:
                decide(session, sid, actors[who], action, version=version, comment=comment)
            except Refusal:
                session.expire_all()
                return
            assert not stale, "a stale version was accepted"
            m = self.model[sid]
            if action in ("approve", "sign_off", "request_changes", "reject", "clear_sensitivity"):
                assert user_ids[who] not in m["writers"], f"{who} decided ({action}) on their own statement"
            if action == "approve":
                assert not sensitive_before or cleared, "sensitive content approved without a leader's sign-off"
                assert who == "spokesperson"
            if action == "sign_off":
                assert who in LEADERS
            if action in ("approve", "sign_off"):
                m["approved"] = current.content_hash
            if action == "escalate":
                m["escalated"] = True
            if action == "clear_sensitivity":
                assert who in LEADERS
            if action == "reopen":
                m["approved"] = None
            if action == "release":
                assert m["approved"] is not None and statement.released_hash == m["approved"]
                assert statement.current.recompute_hash() == m["approved"], "released content differs from approved"

        @invariant()
        def released_content_is_what_was_approved(self):
            for sid in getattr(self, "ids", []):
                s = session.get(Statement, sid)
                if s.state in ("released", "retracted"):
                    version = next(v for v in s.versions if v.number == s.released_version)
                    assert version.recompute_hash() == s.approved_hash == s.released_hash

    run_state_machine_as_test(
        Lifecycle,
        # No shrinking: each step touches the database, and a failure's steps are printed as they are.
        settings=settings(
            max_examples=60,
            stateful_step_count=40,
            deadline=None,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert verify(session).ok


def test_random_people_never_break_the_promises(session, org):
    run(session, org)
