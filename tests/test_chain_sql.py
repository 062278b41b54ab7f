"""PostgreSQL recomputes the chain itself: the same bytes as Python, in parallel ranges, and never more lenient."""

from __future__ import annotations

import datetime as dt
import string

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.conftest import own_postgres, seeded_engine, settle
from workflow import ledger
from workflow.ledger import LedgerEntry, chain_sql, sealing, verification
from workflow.ledger.canonical import canonical_bytes, json_text

pytestmark = pytest.mark.postgres_only

# PostgreSQL text holds every character but NUL; the rest (controls, quotes, backslashes, emoji) must survive.
_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
_plain = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(string.ascii_letters, max_size=6), inner),
    max_leaves=8,
)


@pytest.fixture
def postgres(session, backend):
    if backend != "postgresql":
        pytest.skip("the server-side recomputation is PostgreSQL's")
    return session


@given(
    comment=st.none() | _text,
    actor=st.none() | _text,
    data=st.dictionaries(st.text(string.ascii_letters + "_", max_size=8), _plain, max_size=4),
    at=st.datetimes(dt.datetime(1000, 1, 1), dt.datetime(9999, 12, 31)),
    seq=st.integers(1, 2**53 - 1),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_server_builds_the_bytes_python_hashes(postgres, comment, actor, data, at, seq):
    fields = dict.fromkeys(ledger.HASHED_FIELDS) | {"kind": "decision", "action": "approve", "unit": "SYT-HN"}
    fields |= {"comment": comment, "actor": actor, "data": data, "at": at, "seq": seq, "statement_id": 7}
    assert _server_document(postgres, fields) == canonical_bytes(fields)


#: Every ASCII character (the quote, the backslash and each control among them), DEL, and characters
#: beyond ASCII that JSON leaves as they are, Vietnamese among them.
_EVERY_KIND = [chr(c) for c in range(1, 128)] + ["\x80", "ã", "ệ", "Đ", "\u2028", "\ufeff", "😷"]


@pytest.mark.parametrize("column", chain_sql.TEXT_KEYS)
def test_server_escapes_every_text_column_as_python_does(postgres, column):
    # The server quotes text without to_json unless some text column holds a character JSON escapes:
    # each character, alone and inside a word, in each column, must give Python's bytes either way.
    base = dict.fromkeys(ledger.HASHED_FIELDS) | {"kind": "decision", "action": "approve", "data": {}, "seq": 3}
    base["at"] = dt.datetime(2026, 11, 26, 4, 27, 42, 50, tzinfo=dt.UTC)
    for char in _EVERY_KIND:
        for text in (char, f"Sở Y tế{char}An Hòa"):
            fields = base | {column: text}
            assert _server_document(postgres, fields) == canonical_bytes(fields), (column, text)


def _server_document(session: Session, fields: dict) -> bytes:
    """Return the canonical bytes PostgreSQL builds for an entry with these fields."""
    row = (
        "SELECT CAST(:action AS varchar) AS action, CAST(:actor AS varchar) AS actor, CAST(NULL AS int) AS actor_id,"
        " CAST(:at AS timestamp) AS at, CAST(:comment AS text) AS comment, CAST(:content_hash AS varchar)"
        " AS content_hash, CAST(:data AS json) AS data, CAST(:from_state AS varchar) AS from_state,"
        " CAST(:kind AS varchar) AS kind, CAST(:role AS varchar) AS role, CAST(:seq AS bigint) AS seq,"
        " CAST(:statement_id AS int) AS statement_id, CAST(:to_state AS varchar) AS to_state,"
        " CAST(:unit AS varchar) AS unit, CAST(NULL AS int) AS version"
    )
    params = fields | {"data": json_text(fields["data"])}
    built = session.execute(sa.text(f"SELECT {chain_sql.document('entry')} FROM ({row}) AS entry"), params).scalar()
    return built.encode("utf-8")


def test_a_whole_chain_raises_no_doubt(postgres, statement_in, api):
    for state in ("released", "escalated", "rejected"):
        api("auditor").get(f"/api/v1/statements/{statement_in(state).id}")
    size = ledger.head(postgres)[0]
    first_doubt = postgres.execute(chain_sql.SUSPECTS, {"lo": 1, "hi": size}).scalar()
    assert size > 10 and first_doubt is None


def test_data_stored_before_canonical_text_is_checked_in_python(postgres, org):
    """Entries written with JSON text in another spelling (older versions) still verify: Python re-checks them."""
    postgres.execute(sa.text("SET LOCAL session_replication_role = replica"))  # write a row as an old version did
    seq, prev = ledger.head(postgres)
    fields = dict.fromkeys(ledger.HASHED_FIELDS) | {"kind": "admin", "action": "old", "seq": seq + 1}
    fields |= {"at": dt.datetime(2025, 1, 2, 3, 4, 5), "data": {"b": "Hà Nội", "a": 1}}
    h = ledger.chain_hash(prev, canonical_bytes(fields | {"at": "2025-01-02T03:04:05.000000Z"}))
    postgres.execute(
        sa.text(
            "INSERT INTO ledger_entries (seq, at, kind, action, data, prev_hash, hash)"
            " VALUES (:seq, :at, 'admin', 'old', CAST(:data AS json), :prev, :hash)"
        ),
        {
            "seq": seq + 1,
            "at": fields["at"],
            "data": '{"b": "H\\u00e0 N\\u1ed9i", "a": 1}',
            "prev": prev,
            "hash": h,
        },
    )
    assert postgres.execute(chain_sql.SUSPECTS, {"lo": 1, "hi": seq + 1}).scalar() == seq + 1
    assert verification.verify(postgres).ok


@pytest.fixture
def committed(backend, monkeypatch):
    """A database of its own with committed entries; verify runs ranges of 7 on connections of its own."""
    with own_postgres(backend, "the server-side recomputation is PostgreSQL's") as url:
        monkeypatch.setattr(chain_sql, "RANGE", 7)
        engine = seeded_engine(url, sealing_mode="background")
        for batch in range(4):
            with Session(engine) as session:
                note = {"kind": "admin", "action": "note"}
                entries = [note | {"comment": f"Ghi chú {batch}.{i}", "data": {"i": i, "tên": "Hà"}} for i in range(9)]
                ledger.append_many(session, entries)
                session.commit()
        settle(engine)
        yield engine
        sealing.stop(engine)
        engine.dispose()


def test_parallel_ranges_verify_a_whole_chain(committed, monkeypatch):
    def doubted(*args):
        raise AssertionError(f"the server doubted a whole chain at {args[1:]}")

    monkeypatch.setattr(chain_sql, "_python_holds", doubted)  # every range, its first entry's link included
    with Session(committed) as session:
        result = verification.verify(session)
        size = ledger.head(session)[0]
    assert result.ok and result.entries == size and size > 3 * chain_sql.RANGE


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_parallel_ranges_find_an_altered_entry(committed, where):
    with Session(committed) as session:
        size = ledger.head(session)[0]
    target = {"first": 1, "middle": size // 2, "last": size}[where]
    with committed.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.update(LedgerEntry).where(LedgerEntry.seq == target).values(comment="Đã sửa"))
    with Session(committed) as session:
        result = verification.verify(session)
    assert not result.ok and result.first_bad_seq == target and "altered" in result.reason


def test_parallel_ranges_find_a_broken_link_at_a_range_boundary(committed):
    target = chain_sql.RANGE + 1  # the first entry of the second range: only its link to the first shows it
    with committed.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.update(LedgerEntry).where(LedgerEntry.seq == target).values(prev_hash="e" * 64))
    with Session(committed) as session:
        result = verification.verify(session)
    assert not result.ok and result.first_bad_seq == target and "prev_hash" in result.reason


@pytest.mark.parametrize("where", ["first", "middle", "range_start", "range_end"])
def test_parallel_ranges_find_a_removed_entry(committed, where):
    """The server's ranges alone find an entry missing anywhere below the head: nothing counts the entries."""
    target = {"first": 1, "middle": chain_sql.RANGE + 3, "range_start": chain_sql.RANGE + 1}.get(where, chain_sql.RANGE)
    with committed.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.delete(LedgerEntry).where(LedgerEntry.seq == target))
    with Session(committed) as session:
        size = ledger.head(session)[0]
        assert not chain_sql.chain_holds(committed, size)
        result = verification.verify(session)
    assert not result.ok and result.first_bad_seq == target and "missing" in result.reason, result


@pytest.mark.parametrize("where", ["boundary", "middle"])
def test_parallel_ranges_find_an_entry_rehashed_after_its_successor(committed, where):
    """An entry rewritten with a hash that matches its new content: only its successor's link shows it."""
    target = {"boundary": chain_sql.RANGE, "middle": chain_sql.RANGE + 3}[where]  # boundary: the link crosses ranges
    with committed.begin() as conn:
        row = next(ledger.pg_rows(conn, target, target))
        forged = row | {"comment": "Đã sửa, băm lại"}
        new_hash = ledger.chain_hash(row["prev_hash"], canonical_bytes(forged))
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            sa.update(LedgerEntry).where(LedgerEntry.seq == target).values(comment=forged["comment"], hash=new_hash)
        )
    with committed.connect() as conn:
        assert chain_sql._range_holds(conn, target, target)  # the entry itself holds: its hash is its content's
    with Session(committed) as session:
        result = verification.verify(session)
    assert not result.ok and result.first_bad_seq == target + 1 and "prev_hash" in result.reason


def test_a_time_moved_to_the_same_date_bc_is_not_passed(postgres, org):
    """'YYYY' prints 2026 BC like 2026 AD: the server must not take the two for the same bytes."""
    seq = ledger.head(postgres)[0]
    postgres.execute(sa.text("SET LOCAL session_replication_role = replica"))
    to_bc = "UPDATE ledger_entries SET at = (at::text || ' BC')::timestamp WHERE seq = :seq"
    postgres.execute(sa.text(to_bc), {"seq": seq})
    assert postgres.execute(chain_sql.SUSPECTS, {"lo": 1, "hi": seq}).scalar() == seq
    result = verification.verify(postgres)  # and Python, which cannot hold a BC time, reports it instead of failing
    assert not result.ok and result.first_bad_seq == seq and "altered" in result.reason
