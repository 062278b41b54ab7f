"""The ledger: one entry per decision, none for refusals, tampering found at its seq, the database refusing change."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from statements.lifecycle.service import decide
from workflow import ledger
from workflow.ledger import GENESIS_HASH, LedgerEntry, canonical_bytes, chain_hash
from workflow.ledger.verification import verify


def _entries(session, statement_id):
    return list(
        session.scalars(
            sa.select(LedgerEntry).where(LedgerEntry.statement_id == statement_id).order_by(LedgerEntry.seq)
        )
    )


def _drop_triggers(session, backend):
    if backend == "postgresql":
        session.execute(sa.text("DROP TRIGGER ledger_entries_seal_once ON ledger_entries"))
    else:
        session.execute(sa.text("DROP TRIGGER ledger_entries_no_update"))
        session.execute(sa.text("DROP TRIGGER ledger_entries_no_delete"))


def test_a_whole_life_is_on_the_ledger(session, org, statement_in):
    statement = statement_in("retracted")
    entries = _entries(session, statement.id)
    assert [e.action for e in entries] == ["create", "submit", "approve", "release", "retract"]
    submit, approve, release, retract = entries[1:]
    assert (submit.from_state, submit.to_state, submit.actor, submit.role, submit.unit) == (
        "draft",
        "in_review",
        "author",
        "drafter",
        "SYT-HN",
    )
    assert approve.role == "spokesperson" and approve.content_hash == statement.approved_hash
    assert approve.data["approved_hash"] == statement.approved_hash
    assert release.data["channels"] == []  # none given, none recorded
    assert retract.comment == "Thông tin đã được cập nhật."
    assert verify(session).ok


def test_admin_changes_are_logged(session, org):
    from auth.service import designate_spokesperson

    designate_spokesperson(session, org.actor("admin"), "SYT-HN", "drafter2")
    entry = session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1)).one()
    assert (entry.kind, entry.action, entry.actor, entry.unit) == ("admin", "designate_spokesperson", "admin", "SYT-HN")
    assert entry.data == {"username": "drafter2", "previous": "spokesperson"}


def test_chain_links_and_hashes(session, org, statement_in):
    statement_in("released")
    rows = list(session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq)))
    prev = GENESIS_HASH
    for i, entry in enumerate(rows, start=1):
        fields = {name: getattr(entry, name) for name in ledger.HASHED_FIELDS}
        assert entry.seq == i and entry.prev_hash == prev
        assert entry.hash == hashlib.sha256(prev.encode() + canonical_bytes(fields)).hexdigest()
        prev = entry.hash
    result = verify(session)
    assert result.ok and result.entries == len(rows) and result.head_hash == prev


def test_canonical_form_keeps_vietnamese_as_written():
    fields = {
        "seq": 1,
        "at": None,
        "kind": "decision",
        "action": "approve",
        "comment": "Đồng ý phát hành: tử vong",
        "data": {"b": 2, "a": "ổ dịch"},
    }
    raw = canonical_bytes(fields)
    assert "Đồng ý phát hành: tử vong".encode() in raw and "ổ dịch".encode() in raw
    assert raw.index(b'"a"') < raw.index(b'"b"')  # keys sorted
    assert chain_hash(GENESIS_HASH, raw) == chain_hash(GENESIS_HASH, raw)


def test_floats_are_refused(session, org):
    with pytest.raises(TypeError):
        ledger.append(session, kind="admin", action="x", data={"ratio": 0.5})


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entries SET comment = 'sửa' WHERE seq = 1",
        "DELETE FROM ledger_entries WHERE seq = 1",
    ],
)
def test_database_refuses_update_and_delete(session, org, sql):
    with pytest.raises(sa.exc.DBAPIError) as err, session.begin_nested():
        session.execute(sa.text(sql))
    assert "append-only" in str(err.value)


def test_postgres_refuses_truncate(session, org, backend):
    if backend != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(sa.exc.DBAPIError), session.begin_nested():
        session.execute(sa.text("TRUNCATE ledger_entries CASCADE"))


@pytest.mark.parametrize(
    ("mutation", "reason"),
    [
        ("UPDATE ledger_entries SET comment = 'Đã sửa sau khi ghi' WHERE seq = :seq", "altered"),
        ("UPDATE ledger_entries SET actor = 'someone_else' WHERE seq = :seq", "altered"),
        ("UPDATE ledger_entries SET to_state = 'released' WHERE seq = :seq", "altered"),
        ("UPDATE ledger_entries SET at = at + INTERVAL '1 hour' WHERE seq = :seq", "altered"),
        ("UPDATE ledger_entries SET prev_hash = :fake WHERE seq = :seq", "prev_hash"),
        ("DELETE FROM ledger_entries WHERE seq = :seq", "missing"),
    ],
)
def test_tampering_is_found_at_its_seq(session, org, statement_in, backend, mutation, reason):
    statement = statement_in("released")
    target = _entries(session, statement.id)[2].seq  # the approval
    _drop_triggers(session, backend)
    if "INTERVAL" in mutation and backend == "sqlite":
        mutation = "UPDATE ledger_entries SET at = datetime(at, '+1 hour') WHERE seq = :seq"
    session.execute(sa.text(mutation), {"seq": target, "fake": "f" * 64})
    session.expire_all()
    result = verify(session)
    assert not result.ok and result.first_bad_seq == target and reason in result.reason


def test_refused_decisions_add_nothing(session, org, statement_in, count_ledger):
    from workflow.errors import Refusal

    statement = statement_in("in_review")
    before = count_ledger()
    for name, action, version in [
        ("author", "approve", 1),
        ("spokesperson", "approve", 7),
        ("spokesperson", "escalate", 1),
        ("outsider", "approve", 1),
    ]:
        with pytest.raises(Refusal):
            decide(session, statement.id, org.actor(name), action, version=version)
        session.rollback()
    assert count_ledger() == before


_json_scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text()
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(
    data=st.dictionaries(st.text(max_size=8), _json_values, max_size=5),
    comment=st.none() | st.text(),
    seq=st.integers(1, 2**31),
)
@settings(max_examples=300, deadline=None)
def test_fast_canonical_form_is_rfc8785(data, comment, seq):
    import rfc8785

    from workflow.ledger import HASHED_FIELDS, canonical_bytes

    fields = dict.fromkeys(HASHED_FIELDS) | {"seq": seq, "at": "2026-11-23T01:02:03.000004Z", "kind": "decision"}
    fields |= {"action": "approve", "comment": comment, "data": data, "actor": "Người dùng"}
    try:
        expected = rfc8785.dumps({k: fields[k] for k in HASHED_FIELDS} | {"data": data or {}})
    except Exception:
        return  # what RFC 8785 cannot write (lone surrogates) the ledger never holds
    assert canonical_bytes(fields) == expected
