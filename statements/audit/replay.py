"""Replay the ledger and hold the working tables to it: a table that lies is named, with the entry it contradicts.

The chain check proves the entries were not changed; it says nothing of the working tables beside them.
Someone holding the application's credentials can `UPDATE statements SET state = 'released'`, and the
chain stays intact. The replay rebuilds from the entries alone (`statements.audit.rebuild`) what every
statement must look like (its state, versions, what was approved and released, and who did each), who
must hold which role, and who stands in as acting spokesperson; it holds each entry to the lifecycle and
to four-eyes between people; and it compares the rebuilt picture with the tables. It reads each table
once, in order, and keeps one small record per statement.
"""

from __future__ import annotations

import hashlib

import rfc8785
import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import ActingAppointment, Membership, Unit, User
from statements.audit.rebuild import Disagreement, Rebuilt, ReplayResult, rebuild
from statements.db import one_moment
from statements.letters.models import Letter
from statements.lifecycle.models import Statement, StatementVersion, content_hash
from statements.reports.models import IssuedReport
from workflow.db import isoformat
from workflow.ledger import EntryKind, LedgerEntry


def replay(session: Session) -> ReplayResult:
    """Rebuild every statement and every role from the ledger and compare them with the working tables."""
    result = ReplayResult()
    rebuilt, org = rebuild(session, result)
    _compare_statements(session, rebuilt, org.rules_changed, result)
    _compare_roles(session, org.roles, result)
    _compare_acting(session, org.acting, result)
    _compare_numbered(session, result)
    return result


#: The columns that say who did what, and what was approved and released: the ledger's entries say the same.
DECIDED = (
    "author_id",
    "approved_version",
    "approved_by_id",
    "approved_via",
    "released_version",
    "released_by_id",
    "retracted_by_id",
    "escalated_by_id",
    "sensitivity_cleared_hash",
    "sensitivity_cleared_by_id",
    "released_via",
    "emergency_reviewed_by_id",
    "emergency_review_outcome",
    "release_at",
    "release_scheduled_by_id",
    "release_scheduled_hash",
    "privacy_basis",
    "privacy_basis_hash",
    "privacy_basis_by_id",
)


def _compare_statements(
    session: Session, rebuilt: dict[int, Rebuilt], rules_changed: dict, result: ReplayResult
) -> None:
    st, ver = Statement.__table__.c, StatementVersion.__table__.c
    seen: set[int] = set()
    rows = session.execute(
        sa.select(
            st.id,
            st.state,
            st.current_version,
            st.approved_hash,
            st.released_hash,
            st.sensitive,
            st.sensitivity_reasons,
            *(st[name] for name in DECIDED),
        )
        .order_by(st.id)
        .execution_options(yield_per=10_000, stream_results=True)
    )
    for row in rows:
        sid = row.id
        seen.add(sid)
        s = rebuilt.get(sid)
        if s is None:
            result.add(Disagreement("the statement has no creation on the ledger", sid, None, None, row.state))
            continue
        for what, on_ledger, in_table in (
            ("state", s.state, row.state),
            ("current version", s.version, row.current_version),
            ("approved content", s.approved_hash, row.approved_hash),
            ("released content", s.released_hash, row.released_hash),
            *((name, getattr(s, name), row._mapping[name]) for name in DECIDED),
        ):
            if on_ledger != in_table:
                result.add(Disagreement(what, sid, s.last_seq, on_ledger, in_table))
        if row.sensitive and not row.sensitivity_reasons:
            result.add(Disagreement("sensitive with no reason given", sid, s.last_seq, None, row.sensitive))
        # A rule changed since the statement's last content entry may have changed its verdict: the
        # entries alone cannot tell, so only a verdict no rule change explains is a disagreement.
        if rules_changed.get(s.unit, 0) <= (s.verdict_seq or 0) and s.sensitive != row.sensitive:
            result.add(Disagreement("sensitive", sid, s.last_seq, s.sensitive, row.sensitive))
    for sid in rebuilt.keys() - seen:
        result.add(Disagreement("the ledger's statement is missing from the table", sid, rebuilt[sid].last_seq))
    versions = session.execute(
        sa.select(
            ver.statement_id,
            ver.number,
            ver.content_hash,
            ver.title,
            ver.body,
            ver.kind,
            ver.topics,
            ver.figures,
            ver.author_id,
        )
        .order_by(ver.statement_id, ver.number)
        .execution_options(yield_per=5_000, stream_results=True)
    )
    for sid, number, stored, title, body, kind, topics, figures, author in versions:
        s = rebuilt.get(sid)
        on_ledger = s.hashes.get(number) if s else None
        if s is not None and on_ledger != stored:
            result.add(Disagreement(f"version {number}'s content hash", sid, None, on_ledger, stored))
        if s is not None and author not in s.writer_ids:
            result.add(Disagreement(f"version {number}'s author wrote nothing on the ledger", sid, None,
                                    sorted(s.writer_ids), author))  # fmt: skip
        if content_hash(title, body, kind, topics, figures) != stored:
            result.add(Disagreement(f"version {number}'s text no longer hashes to its content hash", sid, None,
                                    stored, "changed"))  # fmt: skip


def _compare_roles(session: Session, roles: dict, result: ReplayResult) -> None:
    held = {
        tuple(row)
        for row in session.execute(
            sa.select(User.username, Unit.code, Membership.role)
            .join(User, User.id == Membership.user_id)
            .join(Unit, Unit.id == Membership.unit_id)
        )
    }
    for username, unit, role in sorted(held - roles.keys()):
        result.add(Disagreement(f"{username} holds {role} in {unit} with no entry giving it", None, None, None, role))
    for username, unit, role in sorted(roles.keys() - held):
        result.add(Disagreement(f"{username} lost {role} in {unit} with no entry taking it", None,
                                roles[(username, unit, role)], role, None))  # fmt: skip


def _compare_acting(session: Session, acting: dict[int, list], result: ReplayResult) -> None:
    a = ActingAppointment.__table__.c
    rows = session.execute(
        sa.select(a.id, User.username, Unit.code, a.starts_at, a.ends_at, a.ended_at)
        .join(User, User.id == a.user_id)
        .join(Unit, Unit.id == a.unit_id)
        .order_by(a.id)
    )
    seen = set()
    for appointment, username, unit, starts, ends, ended in rows:
        seen.add(appointment)
        in_table = [username, unit, isoformat(starts), isoformat(ends), isoformat(ended)]
        if acting.get(appointment) != in_table:
            result.add(Disagreement(f"acting appointment {appointment}", None, None, acting.get(appointment), in_table))
    for appointment in sorted(acting.keys() - seen):
        result.add(Disagreement(f"acting appointment {appointment} is missing from the table", None, None,
                                acting[appointment], None))  # fmt: skip


def _compare_numbered(session: Session, result: ReplayResult) -> None:
    """Hold each numbered letter and issued report to its entry: its number, what it was, its cancellation.

    Their rows refuse change and removal (triggers); a row inserted behind the application's back, or one
    changed with the triggers set aside, has no entry that says the same, and is named here.
    """
    entries: dict[tuple[str, int], tuple[int | None, dict]] = {}
    cancelled: dict[int, int | None] = {}
    for seq, action, data in session.execute(
        sa.select(LedgerEntry.seq, LedgerEntry.action, LedgerEntry.data).where(LedgerEntry.kind == EntryKind.LETTER)
    ):
        if action == "cancel_letter":
            cancelled[data["letter"]] = seq
        elif action in ("issue_letter", "issue_report"):
            key = ("letter", data["letter"]) if action == "issue_letter" else ("report", data["report"])
            entries[key] = (seq, data)
    seen: set[tuple[str, int]] = set()
    for letter in session.scalars(sa.select(Letter).order_by(Letter.id)):
        seen.add(("letter", letter.id))
        table = {"number": letter.number, "year": letter.year, "symbol": letter.symbol, "subject": letter.subject,
                 "signer": letter.signer_name}  # fmt: skip
        _held(result, ("letter", letter.id), entries, table, letter.statement_id)
        if (letter.cancelled_at is not None) != (letter.id in cancelled):
            result.add(Disagreement(f"letter {letter.id} cancelled", letter.statement_id, cancelled.get(letter.id),
                                    letter.id in cancelled, letter.cancelled_at is not None))  # fmt: skip
    for report in session.scalars(sa.select(IssuedReport).order_by(IssuedReport.id)):
        seen.add(("report", report.id))
        figures_hash = hashlib.sha256(rfc8785.dumps(report.figures)).hexdigest()
        table = {"number": report.number, "year": report.year, "symbol": report.symbol, "period": report.period,
                 "rolled_up": report.rolled_up, "figures_hash": figures_hash, "signer": report.signer_name}  # fmt: skip
        _held(result, ("report", report.id), entries, table, None)
    for kind, number in sorted(entries.keys() - seen):
        seq, data = entries[(kind, number)]
        result.add(Disagreement(f"{kind} {number} is missing from the table", None, seq, data, None))


def _held(result: ReplayResult, key: tuple[str, int], entries: dict, table: dict, statement: int | None) -> None:
    seq, data = entries.get(key, (None, None))
    said = None if data is None else {name: data.get(name) for name in table}
    if said != table:
        result.add(Disagreement(f"{key[0]} {key[1]}", statement, seq, said, table))


def verify_all(session: Session, checkpoints: list[dict] | tuple = ()) -> dict:
    """Check the chain (and checkpoints) and hold the working tables to the ledger; return one report."""
    from workflow.ledger.verification import verify

    with one_moment(session) as moment:
        chain = verify(moment, checkpoints)
        tables = replay(moment)
    report = chain.as_dict()
    report["tables"] = {
        "ok": tables.ok,
        "statements": tables.statements,
        "entries": tables.entries,
        "disagreements": [d.as_dict() for d in tables.shown],
        "disagreements_total": tables.total,
    }
    if chain.ok and not tables.ok:
        first = next((d.seq for d in tables.shown if d.seq is not None), None)
        report.update(
            ok=False,
            first_bad_seq=first,
            reason=f"the working tables disagree with the ledger in {tables.total} place(s);"
            f" the first: {tables.shown[0]}",
        )
        report.pop("head", None)
    return report
