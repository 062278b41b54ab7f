"""Four-eyes holds between people, not role names (issue 25): one person in two roles never approves alone.

Decree 09/2017 Art. 2 makes the head of an agency its spokesperson unless another is designated, so one
person may be a unit's leader and its spokesperson, designated or acting. The guards must then make every
path that takes sensitive content to the press need a second person. The search below tries every
sequence of actions such a person can take, with the drafter resubmitting as often as asked, through the
real state machine and the real effects of each decision; the probes from outside are replayed through
the API; and a unit with no designated spokesperson is reviewed by its leader, never by nobody.
"""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from auth.acting import Speakers
from auth.service import create_unit, create_user, designate_spokesperson, remove_spokesperson
from statements.demo import DEMO_USERS, SAMPLES
from statements.lifecycle.models import Statement, content_hash
from statements.lifecycle.service import refresh_sensitivity
from statements.lifecycle.snapshots import StatementView, UnitView, VersionView
from tests.conftest import PASSWORD
from tests.test_api_statements import act, create
from tests.test_web import csrf, login
from workflow.actor import Actor
from workflow.db import utcnow
from workflow.errors import Refusal
from workflow.machine import ACTIONS, fire
from workflow.states import EDITABLE_STATES, OPEN_STATES

UNIT, PARENT = 2, 1
DEATHS = SimpleNamespace(code="deaths", label="Tử vong", keywords=["tử vong"], topics=[], detectors=[], active=True)
TEXT = {"title": "Thông tin ca bệnh", "body": "Một bệnh nhân đã tử vong.", "kind": "regular", "topics": []}
DRAFTER = Actor(1, "drafter", frozenset({(UNIT, "drafter")}), read_scope=frozenset({UNIT}))
#: The one person: designated spokesperson and leader of the unit, and leader of the unit above.
COMBINED = Actor(
    2,
    "head",
    frozenset({(UNIT, "spokesperson"), (UNIT, "leader"), (PARENT, "leader")}),
    leader_scope=frozenset({UNIT, PARENT}),
    read_scope=frozenset({UNIT, PARENT}),
)
#: The same person when nobody is designated: the unit's leader, acting as its spokesperson.
ACTING = Actor(
    2,
    "head",
    frozenset({(UNIT, "leader"), (PARENT, "leader")}),
    leader_scope=frozenset({UNIT, PARENT}),
    read_scope=frozenset({UNIT, PARENT}),
    acting_for=frozenset({UNIT}),
)
#: What decisions record on a statement, unset before the first one.
_COLUMNS = [
    c.key
    for c in Statement.__table__.c
    if c.key.startswith(
        ("sensitivity_cleared", "escalated", "approved", "released", "retract", "release_", "emergency", "due_at")
    )
    or c.key == "next_check_at"
]


def _version(number: int) -> VersionView:
    return VersionView(number=number, author_id=DRAFTER.user_id, sensitive_flag=False, figures=None, **TEXT,
                       content_hash=content_hash(**TEXT))  # fmt: skip


def _sensitive_in_review() -> StatementView:
    s = StatementView(
        id=1, unit_id=UNIT, unit=UnitView(id=UNIT, code="U", name="U"), state="in_review", author_id=1,
        urgency="normal", current_version=1, versions=[_version(1)], channels=[], sensitivity_reasons=[],
        sensitive=False, rules=[DEATHS], **dict.fromkeys(_COLUMNS),
    )  # fmt: skip
    refresh_sensitivity(None, s, s.rules)
    assert s.sensitive
    return s


def _copy(s: StatementView) -> StatementView:
    return StatementView(**{**vars(s), "versions": list(s.versions)})


def _step(s: StatementView, who: Actor, action: str) -> StatementView | None:
    """Take one decision as the service does (sensitivity refreshed, guards, effects), or None if refused."""
    s = _copy(s)
    if action == "resubmit_same_text":  # the drafter writes the next version, unchanged, and submits it
        if s.state not in EDITABLE_STATES:
            return None
        s.versions.append(_version(s.current_version + 1))
        s.current_version += 1
        action = "submit"
    if s.state in OPEN_STATES:
        refresh_sensitivity(None, s, s.rules)
    try:
        fire(s, action, who, "Lý do.")
        ACTIONS[action].effect(s, who, "Lý do.", ["website"], utcnow(), utcnow() + dt.timedelta(hours=1))
    except Refusal:
        return None
    return s


def _key(s: StatementView) -> tuple:
    return (s.state, s.sensitive, s.current_version > 1, *(getattr(s, c) for c in _COLUMNS if c.endswith("_id")),
            s.approved_via, s.sensitivity_cleared_hash is not None)  # fmt: skip


@pytest.mark.parametrize("person", [COMBINED, ACTING], ids=["designated and leader", "acting as spokesperson"])
def test_one_person_holding_both_roles_never_releases_sensitive_content_alone(person):
    moves = [(person, a) for a in ACTIONS] + [(DRAFTER, "submit"), (DRAFTER, "resubmit_same_text")]
    seen: set[tuple] = set()
    stack = [(_sensitive_in_review(), ())]
    released_paths = []
    while stack:
        s, path = stack.pop()
        if _key(s) in seen or len(path) > 12:
            continue
        seen.add(_key(s))
        for who, action in moves:
            if (after := _step(s, who, action)) is None:
                continue
            taken = (*path, f"{who.username}:{action}")
            if after.state == "released":
                released_paths.append(taken)
            stack.append((after, taken))
    assert len(seen) > 10, "the search went nowhere: the model of the lifecycle is broken"
    assert released_paths == [], f"one person released sensitive content: {released_paths[:3]}"


def test_with_a_second_leader_the_same_person_can_still_release():
    """The guards block one person, not the process: another leader's sign-off lets the head release."""
    other = Actor(3, "other", frozenset({(PARENT, "leader")}), leader_scope=frozenset({UNIT, PARENT}))
    s = _sensitive_in_review()
    for who, action in [(COMBINED, "escalate"), (other, "sign_off"), (COMBINED, "release")]:
        s = _step(s, who, action)
        assert s is not None, action
    assert s.state == "released"


# --- the probes from outside, replayed through the API ------------------------------------------


@pytest.fixture
def head(session, org, api):
    """SYT-HN's leader designated its spokesperson too: one person in both roles."""
    designate_spokesperson(session, None, "SYT-HN", "leader")
    session.commit()
    return "leader"


def test_probe_clear_then_approve_is_refused(api, head):
    s = create(api, body="Một bệnh nhân đã tử vong tại khoa hồi sức.", sensitive=False)
    assert s["sensitive"]
    act(api, "author", s["id"], "submit")
    act(api, head, s["id"], "clear_sensitivity", comment="Đã xác minh, không nhạy cảm.")
    r = act(api, head, s["id"], "approve", expect=403)
    assert r["rule"] == "four_eyes_clearance"


def test_probe_escalate_then_clear_own_escalation_is_refused(api, head):
    s = create(api, body="Thông tin về tình hình dịch bệnh trên địa bàn.", sensitive=False)
    act(api, "author", s["id"], "submit")
    act(api, head, s["id"], "escalate", comment="Cần ý kiến lãnh đạo.")
    r = act(api, head, s["id"], "clear_sensitivity", comment="Không nhạy cảm.", expect=403)
    assert r["rule"] == "four_eyes_own_escalation"
    assert act(api, head, s["id"], "sign_off", expect=403)["rule"] == "four_eyes_escalation"
    # Another leader decides; the head may then release what that leader signed off.
    act(api, "ministry_leader", s["id"], "sign_off")
    assert act(api, head, s["id"], "release")["state"] == "released"


def test_probe_who_signed_off_does_not_release(api, session, org):
    # The ministry leader signs off; were they SYT-HN's spokesperson too, they could not release it.
    designate_spokesperson(session, None, "SYT-HN", "ministry_leader")
    session.commit()
    s = create(api, body="Thông tin về tình hình dịch bệnh trên địa bàn.", sensitive=False)
    act(api, "author", s["id"], "submit")
    act(api, "ministry_leader", s["id"], "escalate", comment="Cần ý kiến lãnh đạo Sở.")
    act(api, "leader", s["id"], "sign_off")
    designate_spokesperson(session, None, "SYT-HN", "leader")
    session.commit()
    r = act(api, "leader", s["id"], "release", expect=403)
    assert r["rule"] == "four_eyes_release"


def test_the_head_does_not_edit_the_rules_they_review_under(api, head):
    r = api(head).post(
        "/api/v1/units/SYT-HN/rules",
        json={"code": "thu-nghiem", "label": "Thử nghiệm", "keywords": ["thử nghiệm"]},
    )
    assert r.status_code == 403 and r.json["rule"] == "four_eyes_rules"
    r = api(head).patch("/api/v1/units/SYT-HN/rules/deaths", json={"active": False})
    assert r.status_code == 403 and r.json["rule"] == "four_eyes_rules"
    # The leader above, who reviews nothing here, may.
    r = api("ministry_leader").patch("/api/v1/units/SYT-HN/rules/deaths", json={"active": False})
    assert r.status_code == 200


def _appoint_self(api, who: str) -> None:
    ends = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=48)).isoformat()
    body = {"username": who, "reason": "Người phát ngôn nghỉ phép.", "ends_at": ends}
    r = api(who).post("/api/v1/units/SYT-HN/acting-spokespersons", json=body)
    assert r.status_code == 201, r.json


@pytest.mark.parametrize(
    "change",
    [[{"active": False}], [{"keywords": ["tử vong do tai nạn"]}], [{"active": False}, {"keywords": [], "topics": []}],
     [{"keywords": [], "topics": []}, {"active": False}]],
    ids=["switched off", "keyword narrowed", "off then emptied", "emptied then off"],
)  # fmt: skip
def test_who_lifted_a_rule_does_not_approve_what_it_held(api, session, org, change):
    # The probe: a leader who reviews nothing may change the rules; appointed acting spokesperson (by
    # themselves) they then approved a death report their own change let through. The ledger's entry of the
    # change says what the rule was, and the approval is refused; another reviewer may approve it.
    for step in change:  # in one change, or two that each leave half of the rule (the re-audit's bypass)
        assert api("leader").patch("/api/v1/units/SYT-HN/rules/deaths", json=step).status_code == 200
    _appoint_self(api, "leader")
    s = create(api, body="Một bệnh nhân đã tử vong tại khoa hồi sức.", sensitive=False)
    act(api, "author", s["id"], "submit")
    assert not api("leader").get(f"/api/v1/statements/{s['id']}").json["sensitive"]
    r = act(api, "leader", s["id"], "approve", expect=403)
    assert r["rule"] == "four_eyes_rule_change" and "tử vong" in r["message"]
    assert act(api, "spokesperson", s["id"], "approve")["state"] == "approved"


def test_a_keyword_another_leader_added_between_two_of_mine_still_counts(api, session, org):
    # The review's way round the first reading: L changes the keywords, M adds one, L sets them back
    # without it. What L's second change replaced (with M's keyword) is what the rule held before L.
    rule = "/api/v1/units/SYT-HN/rules/deaths"
    assert api("leader").patch(rule, json={"keywords": ["tử vong", "ngừng thở"]}).status_code == 200
    assert api("ministry_leader").patch(rule, json={"keywords": ["tử vong", "ngừng thở", "qua đời"]}).status_code == 200
    assert api("leader").patch(rule, json={"keywords": ["tử vong"]}).status_code == 200
    _appoint_self(api, "leader")
    s = create(api, body="Một bệnh nhân đã qua đời tại khoa hồi sức.", sensitive=False)
    act(api, "author", s["id"], "submit")
    assert act(api, "leader", s["id"], "approve", expect=403)["rule"] == "four_eyes_rule_change"


def test_a_rule_change_that_holds_nothing_here_stops_no_approval(api, session, org):
    assert api("leader").patch("/api/v1/units/SYT-HN/rules/deaths", json={"active": False}).status_code == 200
    _appoint_self(api, "leader")
    s = create(api, body="Toàn tỉnh đã tiêm 28.450 liều vắc xin sởi.", sensitive=False)
    act(api, "author", s["id"], "submit")
    assert act(api, "leader", s["id"], "approve")["state"] == "approved"


def test_a_rule_switched_back_on_holds_again_and_clearance_by_another_counts(api, session, org):
    # The rule on again: the statement is sensitive, and once another leader clears it the one who had
    # switched the rule off may approve: the rule as it is holds it too, and the clearance answers for it.
    api("leader").patch("/api/v1/units/SYT-HN/rules/deaths", json={"active": False})
    api("ministry_leader").patch("/api/v1/units/SYT-HN/rules/deaths", json={"active": True})
    _appoint_self(api, "leader")
    s = create(api, body="Một bệnh nhân đã tử vong tại khoa hồi sức.", sensitive=False)
    act(api, "author", s["id"], "submit")
    assert act(api, "leader", s["id"], "approve", expect=409)["rule"] == "sensitive_requires_sign_off"
    act(api, "ministry_leader", s["id"], "clear_sensitivity", comment="Đã xác minh với bệnh viện.")
    assert act(api, "leader", s["id"], "approve")["state"] == "approved"


# --- a unit with no designated spokesperson -----------------------------------------------------


def test_without_a_designation_the_units_leader_reviews(api, session, org):
    remove_spokesperson(session, None, "SYT-HN")
    session.commit()
    s = create(api, sensitive=False)
    act(api, "author", s["id"], "submit")
    waiting = api("leader").get("/api/v1/statements?awaiting_me=true").json
    assert s["id"] in [i["id"] for i in waiting["items"]]
    shown = api("leader").get(f"/api/v1/statements/{s['id']}").json
    assert "approve" in shown["allowed_actions"]
    act(api, "leader", s["id"], "approve")
    act(api, "leader", s["id"], "release")
    entries = api("auditor").get(f"/api/v1/statements/{s['id']}/history").json["items"]
    assert [e["role"] for e in entries if e["action"] in ("approve", "release")] == ["acting_spokesperson"] * 2


def test_a_hospital_without_spokesperson_or_leader_goes_to_the_leader_above(api, browser):
    s = create(api, by="bv_drafter", unit="BV-HN", sensitive=False)
    client = login(browser(), "bv_drafter")
    r = client.post(
        f"/statements/{s['id']}/act",
        data={"csrf_token": csrf(client.get(f"/statements/{s['id']}")), "action": "submit", "version": "1"},
        follow_redirects=True,
    )
    page = r.get_data(as_text=True)
    assert "Người dùng leader" in page and "data-waiting" in page
    assert s["id"] in [i["id"] for i in api("leader").get("/api/v1/statements?awaiting_me=true").json["items"]]


def test_submitting_where_nobody_can_review_is_refused_and_says_so(api, session, org):
    create_unit(session, None, "TT-DOC-LAP", "Trung tâm độc lập")  # no parent, no leader, no spokesperson
    org.users["lone_drafter"] = create_user(
        session,
        None,
        "lone_drafter",
        "Người soạn một mình",
        PASSWORD,
        roles=[{"unit": "TT-DOC-LAP", "role": "drafter"}],
    )
    session.commit()
    s = create(api, by="lone_drafter", unit="TT-DOC-LAP")
    r = act(api, "lone_drafter", s["id"], "submit", expect=409)
    assert r["rule"] == "no_reviewer" and "spokesperson" in r["message"]
    assert api("lone_drafter").get(f"/api/v1/statements/{s['id']}").json["state"] == "draft"


def test_the_demo_has_a_reviewer_for_every_unit_with_drafters():
    units = {u["code"]: u["parent_code"] for u in json.loads(SAMPLES.read_text(encoding="utf-8"))["units"]}
    ids = {code: i for i, code in enumerate(units)}
    roles = [(r["unit"], r["role"], n) for n, u in enumerate(DEMO_USERS) for r in u["roles"]]
    speakers = Speakers(
        parents={ids[c]: ids.get(p) for c, p in units.items()},
        leaders={ids[u]: {n for uu, r, n in roles if uu == u and r == "leader"} for u, r, _n in roles if r == "leader"},
        designated={ids[u]: n for u, r, n in roles if r == "spokesperson"},
    )
    drafted = {u for u, r, _n in roles if r == "drafter"}
    for unit in drafted:
        reviewers, acting = speakers.speakers_of(ids[unit])
        assert reviewers, f"{unit} has drafters and nobody to review them"
        # A unit's reviewer is its own: the demo does not send a hospital's drafts to the department.
        if acting:
            assert speakers.leaders.get(ids[unit]), f"{unit} is reviewed from above"


def test_the_submit_check_agrees_with_who_is_named_as_reviewer(session, org):
    """The check a decision reads with its statement answers as `reviewers_of` (which names them) does."""
    from auth.acting import reviewer_exists, reviewers_of
    from auth.models import Unit

    def has_reviewer(session, unit_id: int) -> bool:
        return session.scalar(sa.select(reviewer_exists(sa.literal(unit_id))), {"now": utcnow()})

    create_unit(session, None, "TT-DOC-LAP", "Trung tâm độc lập")  # nobody at or above it
    session.flush()
    units = session.scalars(sa.select(Unit)).all()

    def agree() -> None:
        for unit in units:
            assert has_reviewer(session, unit.id) == bool(reviewers_of(session, unit.id)), unit.code

    agree()
    assert not has_reviewer(session, next(u.id for u in units if u.code == "TT-DOC-LAP"))
    for unit in units:  # then nobody designated anywhere: the nearest leaders up the tree act
        named = reviewers_of(session, unit.id)
        if named and not named[0].acting:
            remove_spokesperson(session, None, unit.code)
    session.flush()
    agree()
