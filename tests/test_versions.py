"""Versions and release binding: stale versions, versions only while editable, reopen, release what was approved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from statements.lifecycle.models import StatementVersion
from statements.lifecycle.service import add_version, decide
from tests.test_rules import act
from workflow.errors import Conflict, Forbidden, Invalid, NotFound
from workflow.states import State

# --- versions, reopen, release ------------------------------------------------------------------


def test_stale_version_is_refused(session, org, statement_in):
    statement = statement_in("changes_requested")
    add_version(session, statement.id, org.actor("drafter2"), {"body": "Phiên bản 2."})
    session.commit()
    with pytest.raises(Conflict) as err:
        decide(session, statement.id, org.actor("author"), "submit", version=1)
    session.rollback()
    assert err.value.rule == "stale_version"
    with pytest.raises(Conflict):
        add_version(session, statement.id, org.actor("author"), {"body": "Phiên bản 3."}, version=1)
    session.rollback()
    decide(session, statement.id, org.actor("author"), "submit", version=2)


@pytest.mark.parametrize("version", [1, 3, 2**70])
def test_a_version_other_than_the_current_is_refused_truthfully(session, org, statement_in, version):
    statement = statement_in("changes_requested")
    add_version(session, statement.id, org.actor("author"), {"body": "Phiên bản 2."})
    session.commit()
    said = "but version 2 is newer" if version < 2 else f"There is no version {version}: the current one is 2"
    for attempt in (
        lambda: decide(session, statement.id, org.actor("author"), "submit", version=version),
        lambda: add_version(session, statement.id, org.actor("author"), {"body": "Phiên bản 3."}, version=version),
    ):
        with pytest.raises(Conflict) as err:
            attempt()
        session.rollback()
        assert err.value.rule == "stale_version" and said in err.value.message


@pytest.mark.parametrize("state", ["in_review", "escalated", "approved", "released", "rejected"])
def test_versions_only_while_editable(session, org, statement_in, state):
    statement = statement_in(state)
    with pytest.raises(Conflict):
        add_version(session, statement.id, org.actor("author"), {"body": "Không được phép."})
    session.rollback()


def test_only_drafters_of_the_unit_write_versions(session, org, statement_in):
    statement = statement_in("draft")
    with pytest.raises(Forbidden):
        add_version(session, statement.id, org.actor("spokesperson"), {"body": "x"})
    session.rollback()
    with pytest.raises(NotFound):
        add_version(session, statement.id, org.actor("outsider"), {"body": "x"})
    session.rollback()


def test_reopen_voids_the_approval(session, org, statement_in):
    statement = statement_in("approved")
    approved_hash = statement.approved_hash
    act(session, statement, org.actor("leader"), "reopen", comment="Cần cập nhật số liệu mới.")
    assert statement.state == State.DRAFT and statement.approved_hash is None and statement.approved_version is None
    add_version(session, statement.id, org.actor("author"), {"body": "Số liệu mới: 30.000 liều."})
    act(session, statement, org.actor("author"), "submit")
    act(session, statement, org.actor("spokesperson"), "approve")
    assert statement.approved_version == 2 and statement.approved_hash != approved_hash


def test_release_publishes_exactly_the_approved_content(session, org, statement_in):
    statement = statement_in("approved")
    act(session, statement, org.actor("spokesperson"), "release", channels=["website", "press_conference"])
    version = session.scalar(sa.select(StatementVersion).where(StatementVersion.statement_id == statement.id))
    assert statement.released_hash == statement.approved_hash == version.content_hash == version.recompute_hash()
    assert statement.channels == ["website", "press_conference"] and statement.released_at is not None


def test_release_refuses_content_changed_behind_the_approval(session, org, statement_in, backend):
    statement = statement_in("approved")
    _drop_version_triggers(session, backend)
    session.execute(
        sa.text("UPDATE statement_versions SET body = 'Nội dung bị sửa lén.' WHERE statement_id = :id"),
        {"id": statement.id},
    )
    session.expire_all()
    with pytest.raises(Conflict) as err:
        decide(session, statement.id, org.actor("spokesperson"), "release", version=1)
    assert err.value.rule == "approved_content_changed"
    session.rollback()


def test_release_checks_channels(session, org, statement_in):
    statement = statement_in("approved")
    with pytest.raises(Invalid):
        act(session, statement, org.actor("spokesperson"), "release", channels=["carrier_pigeon"])
    session.rollback()


def test_versions_are_immutable_in_the_database(session, org, make_statement):
    statement = make_statement()
    with pytest.raises(sa.exc.DBAPIError), session.begin_nested():
        session.execute(
            sa.text("UPDATE statement_versions SET body = 'x' WHERE statement_id = :id"), {"id": statement.id}
        )
    with pytest.raises(sa.exc.DBAPIError), session.begin_nested():
        session.execute(sa.text("DELETE FROM statement_versions WHERE statement_id = :id"), {"id": statement.id})


def _drop_version_triggers(session, backend):
    if backend == "postgresql":
        session.execute(sa.text("DROP TRIGGER statement_versions_append_only ON statement_versions"))
    else:
        session.execute(sa.text("DROP TRIGGER statement_versions_no_update"))
