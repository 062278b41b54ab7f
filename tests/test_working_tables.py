"""Working tables that lie are caught (issue 25): the press room trusts the ledger, and verify replays it.

The probe: as the application's own database role, `UPDATE statements SET state='released'` on an
escalated statement put it in the public API with no release on the ledger, and `ledger verify` still
said intact. Here the same forgeries are made in the test's transaction and must be refused or named.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Membership, Unit, User
from auth.service import designate_spokesperson, grant_role
from statements.lifecycle.models import Statement
from tests.conftest import own_postgres, seeded_engine
from tests.test_api_statements import act, create
from tests.test_web import login
from workflow import ledger
from workflow.ledger import checkpoints


def _forge_release(session, s) -> None:
    """Make the row say released, as an UPDATE with the application's credentials can."""
    now = dt.datetime.now(dt.UTC)
    session.execute(
        sa.update(Statement)
        .where(Statement.id == s.id)
        .values(
            state="released",
            approved_version=s.current_version,
            approved_hash=s.current.content_hash,
            approved_by_id=s.author_id,
            approved_at=now,
            approved_via="approve",
            released_version=s.current_version,
            released_hash=s.current.content_hash,
            released_by_id=s.author_id,
            released_at=now,
        )
    )
    session.commit()
    session.expire_all()


def _forge_entry(session, s, action: str, from_state: str, to_state: str) -> None:
    """Append a decision no one took, as an INSERT with the application's credentials can."""
    ledger.append(
        session,
        kind=ledger.EntryKind.DECISION,
        action=action,
        statement_id=s.id,
        version=s.current_version,
        content_hash=s.current.content_hash,
        from_state=from_state,
        to_state=to_state,
        actor_id=s.author_id,
        actor="spokesperson",
        role="spokesperson",
        unit="SYT-HN",
        data={"via": "api"},
    )


def test_a_release_the_ledger_does_not_hold_is_served_to_nobody(client, api, browser, session, statement_in):
    s = statement_in("escalated", body="Một bệnh nhân đã tử vong tại khoa hồi sức.")
    _forge_release(session, s)
    assert s.id not in [i["id"] for i in client.get("/api/v1/public/statements").json["items"]]
    assert client.get(f"/api/v1/public/statements/{s.id}").status_code == 404
    assert client.get(f"/press/{s.id}").status_code == 404
    assert f"/press/{s.id}" not in client.get("/press").get_data(as_text=True)
    assert f"/press/{s.id}" not in client.get("/press/feed.atom").get_data(as_text=True)
    # Nor does it become readable by another unit: it is still the unit's unreleased statement.
    assert api("outsider").get(f"/api/v1/statements/{s.id}").status_code == 404
    assert s.id not in [i["id"] for i in api("outsider").get("/api/v1/statements").json["items"]]


def test_a_real_release_is_served(client, statement_in):
    s = statement_in("released")
    assert client.get(f"/api/v1/public/statements/{s.id}").status_code == 200
    assert client.get(f"/press/{s.id}").status_code == 200


def test_verify_names_the_forged_statement_everywhere(api, browser, runner, session, statement_in):
    s = statement_in("escalated", body="Một bệnh nhân đã tử vong tại khoa hồi sức.")
    statement_in("released")
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0
    _forge_release(session, s)
    out = runner.invoke(args=["ledger", "verify"])
    assert out.exit_code == 1 and "DISAGREE" in out.output and f"statement {s.id}" in out.output, out.output
    assert "state; ledger 'escalated', table 'released'" in out.output
    report = api("auditor").get("/api/v1/ledger/verify").json
    assert report["ok"] is False and report["tables"]["ok"] is False
    found = {(d["statement"], d["what"]) for d in report["tables"]["disagreements"]}
    assert {(s.id, "state"), (s.id, "released content"), (s.id, "approved content")} <= found
    page = login(browser(), "auditor").get("/audit/verify").get_data(as_text=True)
    assert 'data-ledger-ok="false"' in page and "data-disagreements" in page and f"#{s.id}" in page


def test_verify_names_a_role_given_without_an_entry(api, session, org):
    hn = session.scalar(sa.select(Unit.id).where(Unit.code == "SYT-HN"))
    outsider = session.scalar(sa.select(User.id).where(User.username == "outsider"))
    session.execute(sa.insert(Membership).values(user_id=outsider, unit_id=hn, role="leader"))
    session.commit()
    report = api("auditor").get("/api/v1/ledger/verify").json
    assert report["ok"] is False
    assert any("outsider holds leader in SYT-HN" in d["what"] for d in report["tables"]["disagreements"])


def test_verify_names_a_decision_under_a_role_given_by_hand_for_the_moment(api, session, statement_in):
    """A leader's role put in the table for one sign-off and taken out after: the tables agree again, the entry not."""
    s = statement_in("escalated")
    hn = session.scalar(sa.select(Unit.id).where(Unit.code == "SYT-HN"))
    outsider = _user(session, "outsider")
    session.execute(sa.insert(Membership).values(user_id=outsider, unit_id=hn, role="leader"))
    session.commit()
    act(api, "outsider", s.id, "sign_off")
    session.execute(sa.delete(Membership).where(Membership.user_id == outsider, Membership.unit_id == hn))
    session.commit()
    report = api("auditor").get("/api/v1/ledger/verify").json
    assert report["ok"] is False
    assert _whats(api, s.id) == ["'sign_off' by outsider as leader of SYT-HN, a role no entry had given them then"]


def test_verify_names_a_forged_release_entry(api, session, statement_in):
    """An entry appended with the application's credentials must still follow the lifecycle to pass."""
    s = statement_in("escalated")
    _forge_entry(session, s, "release", "escalated", "released")
    _forge_release(session, s)
    report = api("auditor").get("/api/v1/ledger/verify").json
    whats = [d["what"] for d in report["tables"]["disagreements"] if d["statement"] == s.id]
    assert "'release' cannot lead from escalated to released" in whats
    assert "released content that was not approved" in whats


def test_verify_names_an_approval_that_skipped_the_leader(api, session, statement_in):
    """A forged approve entry on content the ledger holds sensitive, with the row made to match it."""
    s = statement_in("in_review", body="Một bệnh nhân đã tử vong tại khoa hồi sức.")
    assert s.sensitive
    _forge_entry(session, s, "approve", "in_review", "approved")
    session.execute(
        sa.update(Statement)
        .where(Statement.id == s.id)
        .values(
            state="approved",
            sensitive=False,
            approved_version=1,
            approved_hash=s.current.content_hash,
            approved_by_id=s.author_id,
            approved_at=dt.datetime.now(dt.UTC),
            approved_via="approve",
        )
    )
    session.commit()
    report = api("auditor").get("/api/v1/ledger/verify").json
    whats = [d["what"] for d in report["tables"]["disagreements"] if d["statement"] == s.id]
    assert "approved without sign-off though the ledger holds it sensitive" in whats, report
    # The forger approved as the statement's own author, and the row's verdict is not the ledger's.
    assert "'approve' by spokesperson breaks the four-eyes rule (four_eyes)" in whats
    assert "sensitive" in whats


def _whats(api, statement_id: int) -> list[str]:
    report = api("auditor").get("/api/v1/ledger/verify").json
    return [d["what"] for d in report["tables"]["disagreements"] if d["statement"] == statement_id]


def _set(session, statement_id: int, **values) -> None:
    session.execute(sa.update(Statement).where(Statement.id == statement_id).values(**values))
    session.commit()
    session.expire_all()


def _user(session, username: str) -> int:
    return session.scalar(sa.select(User.id).where(User.username == username))


def test_a_hand_moved_clearance_lets_one_person_through_and_verify_names_both(api, session, org):
    """The guards read who cleared from the row: pointing it at another leader is named, and so is the approval."""
    designate_spokesperson(session, None, "SYT-HN", "leader")  # one person, leader and spokesperson
    session.commit()
    s = create(api, body="Một bệnh nhân đã tử vong tại khoa hồi sức.", sensitive=False)
    act(api, "author", s["id"], "submit")
    act(api, "leader", s["id"], "clear_sensitivity", comment="Đã xác minh, không nhạy cảm.")
    assert _whats(api, s["id"]) == []
    _set(session, s["id"], sensitivity_cleared_by_id=_user(session, "ministry_leader"))
    act(api, "leader", s["id"], "approve")  # the forged row let them through...
    whats = _whats(api, s["id"])  # ...and the ledger says who cleared it
    assert "sensitivity_cleared_by_id" in whats
    assert "'approve' by leader breaks the four-eyes rule (four_eyes_clearance)" in whats


def test_a_hand_moved_escalation_is_named_with_the_sign_off_it_let_through(api, session, org):
    s = create(api, body="Thông tin về tình hình dịch bệnh trên địa bàn.", sensitive=False)
    act(api, "author", s["id"], "submit")
    # The ministry leader is SYT-HN's spokesperson here, escalates, and is the leader who signs off too.
    designate_spokesperson(session, None, "SYT-HN", "ministry_leader")
    session.commit()
    act(api, "ministry_leader", s["id"], "escalate", comment="Cần ý kiến lãnh đạo.")
    _set(session, s["id"], escalated_by_id=_user(session, "leader"))
    act(api, "ministry_leader", s["id"], "sign_off")
    whats = _whats(api, s["id"])
    assert "escalated_by_id" in whats
    assert "'sign_off' by ministry_leader breaks the four-eyes rule (four_eyes_escalation)" in whats


def test_verify_names_hand_changed_verdicts_and_pointers(api, session, statement_in):
    """Sensitivity, who decided and which version was approved and released: each is the ledger's to say."""
    held = statement_in("in_review", body="Một bệnh nhân đã tử vong tại khoa hồi sức.")
    assert held.sensitive
    _set(session, held.id, sensitive=False)
    assert _whats(api, held.id) == ["sensitive"]
    out = statement_in("released")
    _set(session, out.id, approved_by_id=_user(session, "leader"), released_version=None, approved_via="sign_off")
    assert sorted(_whats(api, out.id)) == ["approved_by_id", "approved_via", "released_version"]
    _set(session, held.id, sensitive=True, sensitivity_reasons=[])
    assert _whats(api, held.id) == ["sensitive with no reason given"]


def test_a_bundle_is_not_trusted_on_its_own_key(runner, app, statement_in, tmp_path):
    statement_in("released")
    app.config["LEDGER_KEY"] = str(tmp_path / "ledger.pem")
    assert runner.invoke(args=["ledger", "keygen"]).exit_code == 0
    bundle = tmp_path / "bundle.zip"
    assert runner.invoke(args=["ledger", "export", "--bundle", str(bundle)]).exit_code == 0
    # The auditor's machine: no signing key, no pinned key. The bundle's own key proves nothing.
    app.config["LEDGER_KEY"] = str(tmp_path / "elsewhere" / "none.pem")
    out = runner.invoke(args=["ledger", "verify", "--bundle", str(bundle)])
    assert out.exit_code == 1 and "--public-key" in out.output, out.output
    public = str(tmp_path / "ledger.pem") + ".pub"
    given = runner.invoke(args=["ledger", "verify", "--bundle", str(bundle), "--public-key", public])
    assert given.exit_code == 0, given.output
    app.config["LEDGER_PUBLIC_KEY"] = public
    try:
        assert runner.invoke(args=["ledger", "verify", "--bundle", str(bundle)]).exit_code == 0
        stranger = tmp_path / "stranger.pem"
        checkpoints.generate_key(stranger)
        app.config["LEDGER_PUBLIC_KEY"] = str(stranger) + ".pub"
        assert runner.invoke(args=["ledger", "verify", "--bundle", str(bundle)]).exit_code == 1
    finally:
        app.config["LEDGER_PUBLIC_KEY"] = None


def test_a_released_row_pointed_at_another_version_is_served_to_nobody(client, api, session):
    """The released version's text is what is served: pointing the row at a version never approved hides it."""
    s = create(api, title="Tình hình ca bệnh", body="Một bệnh nhân đã tử vong tại khoa hồi sức.")
    r = api("author").post(f"/api/v1/statements/{s['id']}/versions", json={"body": "Không ghi nhận ca tử vọng mới."})
    assert r.status_code in (200, 201), r.json
    act(api, "author", s["id"], "submit", version=2)
    act(api, "spokesperson", s["id"], "approve", version=2)
    act(api, "spokesperson", s["id"], "release", version=2, channels=["website"])
    assert client.get(f"/api/v1/public/statements/{s['id']}").status_code == 200
    session.execute(sa.update(Statement).where(Statement.id == s["id"]).values(released_version=1))
    session.commit()
    assert client.get(f"/api/v1/public/statements/{s['id']}").status_code == 404
    assert client.get(f"/press/{s['id']}").status_code == 404
    assert s["id"] not in [i["id"] for i in client.get("/api/v1/public/statements").json["items"]]


def test_rules_roles_and_appointments_change_only_with_their_entry(backend):
    """On PostgreSQL a hand change to what decides who acts and what is sensitive is refused at commit.

    The probe: the deaths rule switched off by hand, a statement approved without a leader, the rule switched
    back on; the tables then agree with the ledger. Committed for real here, as the tests' own transactions
    never commit.
    """
    from auth.service import actor_for
    from statements.org.acting import appoint, end
    from statements.org.rules import update_rule

    with own_postgres(backend, "the check is a PostgreSQL trigger") as url:
        engine = seeded_engine(url)
        hn = "(SELECT id FROM units WHERE code = 'SYT-HN')"
        forgeries = [
            f"UPDATE sensitivity_rules SET active = false WHERE code = 'deaths' AND unit_id = {hn}",
            f"DELETE FROM sensitivity_rules WHERE code = 'deaths' AND unit_id = {hn}",
            f"INSERT INTO memberships (user_id, unit_id, role, created_at) SELECT id, {hn}, 'leader', now()"
            " FROM users WHERE username = 'outsider'",
            f"DELETE FROM memberships WHERE unit_id = {hn} AND role = 'spokesperson'",
            f"INSERT INTO acting_appointments (unit_id, user_id, appointed_by_id, reason, starts_at, ends_at,"
            f" created_at) SELECT {hn}, id, id, 'x', now(), now() + interval '1 day', now() FROM users"
            " WHERE username = 'outsider'",
        ]
        try:
            for sql in forgeries:
                with Session(engine) as session:
                    session.execute(sa.text(sql))
                    with pytest.raises(sa.exc.IntegrityError, match="changes only with its ledger entry"):
                        session.commit()
            # Nor does an entry of another kind, or of the right kind about another unit or rule, vouch for it,
            # nor a temporary table standing in for the ledger (the re-audit's ways round the first version).
            vouchers = [
                {"action": "grant_role", "unit": "SYT-HN", "data": {"username": "outsider"}},
                {"action": "update_rule", "unit": "BYT", "data": {"rule": "deaths"}},
                {"action": "update_rule", "unit": "SYT-HN", "data": {"rule": "other"}},
            ]
            for voucher in vouchers:
                with Session(engine) as session:
                    session.execute(sa.text(forgeries[0]))
                    ledger.append(session, kind=ledger.EntryKind.ADMIN, **voucher)
                    with pytest.raises(sa.exc.IntegrityError):
                        session.commit()
            with Session(engine) as session:
                session.execute(
                    sa.text("CREATE TEMP TABLE ledger_entries (kind text, action text, unit text, data json)")
                )
                session.execute(sa.text("INSERT INTO pg_temp.ledger_entries VALUES ('admin', 'update_rule', 'SYT-HN',"
                                        " '{\"rule\": \"deaths\"}')"))  # fmt: skip
                session.execute(sa.text(forgeries[0]))
                with pytest.raises(sa.exc.IntegrityError):
                    session.commit()
            # Through the services, with their entries, the same changes commit.
            with Session(engine) as session:
                actor = actor_for(session, session.scalar(sa.select(User).where(User.username == "admin")))
                update_rule(session, actor, "SYT-HN", "deaths", {"active": False})
                grant_role(session, None, "outsider", "SYT-HN", "leader")
                designate_spokesperson(session, None, "SYT-HN", "leader")  # the old holder's row goes too
                ends = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
                appointment = appoint(session, actor, "SYT-HN", "outsider", "Người phát ngôn nghỉ phép.", ends_at=ends)
                session.commit()
                end(session, actor, appointment.id, "Đã trở lại.")
                session.commit()
            with Session(engine) as session:
                assert (
                    session.scalar(
                        sa.text(f"SELECT active FROM sensitivity_rules WHERE code = 'deaths' AND unit_id = {hn}")
                    )
                    is False
                )
        finally:
            engine.dispose()
