"""Four-eyes, sensitive routing, the default sensitivity rules and their editing, and who may see what."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from auth.service import actor_for, create_user, designate_spokesperson, grant_role
from statements.lifecycle.service import add_version, create_statement, decide
from statements.org.rules import create_rule, update_rule
from workflow.errors import Conflict, Forbidden, Invalid, NotFound
from workflow.sensitivity import match_rules
from workflow.states import State

SAMPLES = json.loads((Path(__file__).parent.parent / "statements" / "demo_data" / "statements.json").read_text())


def act(session, statement, actor, action, comment="Lý do cụ thể.", **kw):
    result = decide(session, statement.id, actor, action, version=statement.current_version, comment=comment, **kw)
    session.commit()
    return result


# --- four-eyes ----------------------------------------------------------------------------------


def test_spokesperson_who_wrote_a_version_may_only_escalate(session, org, statement_in):
    statement = statement_in("changes_requested")
    grant_role(session, None, "spokesperson", "SYT-HN", "drafter")
    session.commit()
    spokesperson = org.actor("spokesperson")
    add_version(session, statement.id, spokesperson, {"body": "Bản sửa của người phát ngôn."})
    act(session, statement, org.actor("author"), "submit")
    for action in ("approve", "reject", "request_changes"):
        with pytest.raises(Forbidden) as err:
            act(session, statement, spokesperson, action)
        session.rollback()
        assert err.value.rule == "four_eyes"
    act(session, statement, spokesperson, "escalate")
    assert statement.state == State.ESCALATED


def test_leader_who_wrote_it_may_not_sign_off(session, org, make_statement):
    grant_role(session, None, "leader", "SYT-HN", "drafter")
    session.commit()
    statement = make_statement(by="leader")
    act(session, statement, org.actor("leader"), "submit")
    act(session, statement, org.actor("spokesperson"), "escalate")
    with pytest.raises(Forbidden) as err:
        act(session, statement, org.actor("leader"), "sign_off")
    session.rollback()
    assert err.value.rule == "four_eyes"
    act(session, statement, org.actor("ministry_leader"), "sign_off")  # a parent unit's leader may
    assert statement.state == State.APPROVED and statement.approved_via == "sign_off"


def test_escalating_spokesperson_who_also_leads_may_not_sign_off(session, org, statement_in):
    create_user(
        session,
        None,
        "dual",
        "Vừa phát ngôn vừa lãnh đạo",
        "correct horse battery",
        roles=[{"unit": "SYT-HN", "role": "leader"}],
    )
    designate_spokesperson(session, None, "SYT-HN", "dual")
    session.commit()
    statement = statement_in("in_review")
    dual = actor_for(session, _user(session, "dual"))
    act(session, statement, dual, "escalate")
    with pytest.raises(Forbidden) as err:
        act(session, statement, dual, "sign_off")
    session.rollback()
    assert err.value.rule == "four_eyes_escalation"


def _user(session, username):
    from auth.models import User

    return session.scalar(sa.select(User).where(User.username == username))


def test_designation_moves_the_role(session, org):
    designate_spokesperson(session, None, "SYT-HN", "drafter2")
    session.commit()
    assert not org.actor("spokesperson").has_role("spokesperson", _user(session, "author").memberships[0].unit_id)
    assert org.actor("drafter2").has_role("spokesperson", _user(session, "author").memberships[0].unit_id)


def test_one_spokesperson_per_unit_is_enforced_by_the_database(session, org):
    from auth.models import Membership, Unit

    unit = session.scalar(sa.select(Unit).where(Unit.code == "SYT-HN"))
    session.add(Membership(user_id=_user(session, "drafter2").id, unit_id=unit.id, role="spokesperson"))
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    session.rollback()


# --- sensitivity --------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["drafter", "rule", "escalation"])
def test_sensitive_statement_reaches_approved_only_by_sign_off(session, org, make_statement, source):
    fields = {"sensitive": True} if source == "drafter" else {}
    if source == "rule":
        fields["body"] = "Một người có bệnh nền đã tử vong tại bệnh viện."
    statement = make_statement(**fields)
    act(session, statement, org.actor("author"), "submit")
    if source == "escalation":
        act(session, statement, org.actor("spokesperson"), "escalate")
        act(session, statement, org.actor("leader"), "request_changes")
        act(session, statement, org.actor("author"), "submit")
    assert statement.sensitive
    with pytest.raises(Conflict) as err:
        act(session, statement, org.actor("spokesperson"), "approve")
    session.rollback()
    assert err.value.rule == "sensitive_requires_sign_off" and "escalate" in err.value.message
    act(session, statement, org.actor("spokesperson"), "escalate")
    act(session, statement, org.actor("leader"), "sign_off")
    assert statement.state == State.APPROVED and statement.approved_via == "sign_off"


@pytest.mark.parametrize(
    ("index", "expected_rule"),
    [
        (0, None),
        (1, "deaths"),
        (2, None),
        (3, None),
        (4, None),
        (5, "outbreak_variant"),
        (6, None),
        (7, "patient_identity"),
    ],
)
def test_default_rules_on_the_samples(session, org, index, expected_rule):
    sample = SAMPLES["statements"][index]
    unit = "SYT-HN" if sample["unit"] != "BV-AH" else "BV-HN"
    by = "author" if unit == "SYT-HN" else "bv_drafter"
    fields = {k: sample[k] for k in ("title", "body", "kind", "urgency", "topics")} | {"sensitive": False}
    statement = create_statement(session, org.actor(by), unit, fields)
    rules = [r["rule"] for r in statement.sensitivity_reasons if r["source"] == "rule"]
    if expected_rule is None:
        assert not statement.sensitive, statement.sensitivity_reasons
    else:
        assert statement.sensitive and expected_rule in rules, "a drafter's sensitive=false must not override a rule"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Ghi nhận 1 ca tử vong do sốt xuất huyết.", "deaths"),
        ("Ghi nhan 1 ca tu vong do sot xuat huyet.", "deaths"),  # typed without diacritics
        ("GHI NHẬN CA TỬ VONG", "deaths"),
        ("Phát hiện ổ dịch cúm gia cầm tại xã Phú Lâm.", "outbreak_variant"),
        ("Có 3 trường hợp sốc phản vệ sau tiêm.", "vaccine_adverse_event"),
        ("Bệnh nhân Trần Thị Bưởi, trú tại phường Đông Hòa.", "patient_identity"),
        ("Một cháu bé 5 tuổi, trú tại thôn Hạ, đang điều trị.", "patient_identity"),
    ],
)
def test_rule_matches(session, org, text, rule):
    from statements.lifecycle.service import unit_rules

    rules = unit_rules(session, _unit_id(session, "SYT-HN"))
    assert rule in [m.code for m in match_rules(rules, "Thông tin", text, [])]


@pytest.mark.parametrize(
    "text",
    [
        "Hạn chế biến chứng ở trẻ nhỏ bằng tiêm chủng đầy đủ.",  # "biến chứng" (complication) is not "biến chủng"
        "Sốt nhẹ sau tiêm là phản ứng thông thường.",
        "Bộ Y tế khuyến cáo người dân giữ ấm cơ thể.",
        # Neither across the title's end into the body, nor on two capitals after an everyday "em".
        "Sở Y tế khuyến cáo phụ huynh giữ ấm cho trẻ em Sở Y tế đã phát khẩu trang.",
        "Chị em phụ nữ Hà Nội tham gia hiến máu.",
        "Bé 5 tuổi.\nTrú tại nhà văn hóa có bác sĩ trực.",
    ],
)
def test_rule_does_not_match(session, org, text):
    from statements.lifecycle.service import unit_rules

    assert match_rules(unit_rules(session, _unit_id(session, "SYT-HN")), "Khuyến cáo", text, []) == []


def _unit_id(session, code):
    from auth.models import Unit

    return session.scalar(sa.select(Unit.id).where(Unit.code == code))


def test_only_a_leader_clears_sensitivity_and_only_for_that_content(session, org, make_statement):
    statement = make_statement(body="Một ca tử vong được ghi nhận.")
    act(session, statement, org.actor("author"), "submit")
    with pytest.raises(Forbidden):
        act(session, statement, org.actor("spokesperson"), "clear_sensitivity")
    session.rollback()
    with pytest.raises(Invalid):
        act(session, statement, org.actor("leader"), "clear_sensitivity", comment="  ")
    session.rollback()
    act(session, statement, org.actor("leader"), "clear_sensitivity", comment="Ca tử vong đã được công bố trước đó.")
    assert not statement.sensitive and statement.sensitivity_reasons  # reasons still shown
    act(session, statement, org.actor("spokesperson"), "request_changes")
    add_version(session, statement.id, org.actor("author"), {"body": "Thêm: một ca tử vong nữa."})
    session.commit()
    assert statement.sensitive, "a clearance holds only for the content it was given for"


def test_rules_are_edited_by_leaders_and_admins_and_apply_to_open_statements(session, org, statement_in):
    statement = statement_in("in_review", body="Thông tin về bệnh dại tại huyện Đông Anh.")
    assert not statement.sensitive
    with pytest.raises(Forbidden):
        create_rule(session, org.actor("author"), "SYT-HN", {"code": "rabies", "label": "Bệnh dại", "keywords": ["x"]})
    create_rule(
        session,
        org.actor("leader"),
        "SYT-HN",
        {"code": "rabies", "label": "Bệnh dại", "keywords": ["bệnh dại"], "source": "Quyết định của Sở"},
    )
    session.commit()
    session.refresh(statement)
    assert statement.sensitive and statement.sensitivity_reasons[0]["rule"] == "rabies"
    with pytest.raises(Conflict):
        act(session, statement, org.actor("spokesperson"), "approve")
    session.rollback()
    update_rule(session, org.actor("admin"), "SYT-HN", "rabies", {"active": False})
    session.commit()
    act(session, statement, org.actor("spokesperson"), "approve")
    assert statement.state == State.APPROVED


def _insert_rule(session, unit_code, code, keywords, *, active=True, detectors=()):
    """Write a rule straight into its table: no service applies it to open statements."""
    from workflow.sensitivity import SensitivityRule

    rule = SensitivityRule(
        unit_id=_unit_id(session, unit_code),
        code=code,
        label=f"Quy tắc «{code}»",
        keywords=list(keywords),
        topics=["Dịch tễ"],
        detectors=list(detectors),
        active=active,
    )
    session.add(rule)
    session.flush()
    return rule


def test_a_decision_reads_the_units_active_rules_as_they_are(session, org, statement_in):
    """Loaded with the locked statement: exactly its unit's active rules, in id order, text and lists intact."""
    from statements.lifecycle import snapshots
    from statements.lifecycle.service import unit_rules

    statement = statement_in("in_review")
    _insert_rule(session, "SYT-HN", "z-first", ["tả", "sốt xuất huyết"], detectors=["patient_identity"])
    _insert_rule(session, "SYT-HN", "a-second", ["dịch hạch"])
    _insert_rule(session, "SYT-HN", "off", ["tắt"], active=False)
    _insert_rule(session, "SYT-DN", "elsewhere", ["nơi khác"])
    view = snapshots.one(session, statement.id, for_update=True)
    fields = ("code", "label", "keywords", "topics", "detectors")
    got = [tuple(getattr(r, f) for f in fields) for r in view.rules]
    assert got == [tuple(getattr(r, f) for f in fields) for r in unit_rules(session, statement.unit_id)]
    assert [g[0] for g in got][-2:] == ["z-first", "a-second"] and ("Quy tắc «z-first»", ["tả", "sốt xuất huyết"]) in [
        (g[1], g[2]) for g in got
    ]
    assert "off" not in [g[0] for g in got] and "elsewhere" not in [g[0] for g in got]


def test_a_unit_without_active_rules_gives_a_decision_none(session, org, statement_in):
    from statements.lifecycle import snapshots
    from workflow.sensitivity import SensitivityRule

    statement = statement_in("in_review")
    session.execute(sa.update(SensitivityRule).values(active=False))
    assert snapshots.one(session, statement.id, for_update=True).rules == []
    decided = act(session, statement, org.actor("spokesperson"), "approve")
    assert decided.state == State.APPROVED and decided.sensitivity_reasons == []


def test_a_decision_applies_rules_written_since_the_statement_last_changed(session, org, statement_in):
    """A rule no service has applied yet still makes the statement sensitive when someone decides on it."""
    statement = statement_in("in_review", body="Bệnh viện bắt đầu dùng thuốc Zêtamix tại xã Nậm Cang.")
    assert not statement.sensitive
    _insert_rule(session, "SYT-HN", "zetamix", ["zêtamix"])
    with pytest.raises(Conflict):
        act(session, statement, org.actor("spokesperson"), "approve")
    session.rollback()
    _insert_rule(session, "SYT-HN", "zetamix", ["zêtamix"])
    decided = act(session, statement, org.actor("spokesperson"), "request_changes")
    assert decided.sensitive and decided.sensitivity_reasons[-1]["rule"] == "zetamix"
    session.refresh(statement)
    assert statement.sensitive and statement.sensitivity_reasons[-1]["rule"] == "zetamix"


def test_another_units_unreleased_statement_does_not_exist_for_outsiders(session, org, statement_in):
    statement = statement_in("approved")
    for name in ("outsider", "admin", "bv_drafter"):
        with pytest.raises(NotFound):
            decide(session, statement.id, org.actor(name), "release", version=1)
        session.rollback()
    act(session, statement, org.actor("spokesperson"), "release")
    from statements.lifecycle.queries import get_statement

    assert get_statement(session, statement.id, org.actor("outsider")).id == statement.id


def test_a_detector_never_runs_from_the_title_into_the_body(session, org):
    from statements.lifecycle.service import unit_rules

    rules = unit_rules(session, _unit_id(session, "SYT-HN"))
    title, body = "Khuyến cáo phòng chống rét cho trẻ em", "Sở Y tế khuyến cáo người dân giữ ấm cơ thể."
    assert "patient_identity" not in [m.code for m in match_rules(rules, title, body, [])]
    named = match_rules(rules, "Tình hình điều trị", "Em Nguyễn Văn An, 9 tuổi, đã xuất viện.", [])
    assert [m.matched for m in named if m.code == "patient_identity"] == ["Em Nguyễn Văn An"]


def test_a_keyword_never_runs_from_the_title_into_the_body(session, org):
    from statements.lifecycle.service import unit_rules

    rules = unit_rules(session, _unit_id(session, "SYT-HN"))
    keywords = {kw for r in rules for kw in r.keywords}
    assert "phản ứng sau tiêm" in keywords
    split = match_rules(rules, "Theo dõi phản ứng", "Sau tiêm chủng, trẻ được theo dõi 30 phút.", [])
    assert [m.matched for m in split if m.matched == "phản ứng sau tiêm"] == []
    whole = match_rules(rules, "Theo dõi", "Ghi nhận 2 ca phản ứng sau tiêm, đã ổn định.", [])
    assert "phản ứng sau tiêm" in [m.matched for m in whole]


def test_the_rules_page_says_what_a_detector_looks_for(browser, org):
    from tests.test_web import login

    page = login(browser(), "leader").get("/units/SYT-HN/rules").text
    assert 'data-detector="patient_identity"' in page and "trong cùng một câu" in page
