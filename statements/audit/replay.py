"""Replay the ledger and hold the working tables to it: a table that lies is named, with the entry it contradicts.

The chain check proves the entries were not changed; it says nothing of the working tables beside them.
Someone holding the application's credentials can `UPDATE statements SET state = 'released'`, and the
chain stays intact. The replay rebuilds from the entries alone what every statement must look like (its
state, current version, each version's content hash, what was approved and released) and who must hold
which role, checks that the entries follow the lifecycle (each starts where the last ended, each action
from a state that allows it, sensitive content approved only through sign-off or a clearance), and then
compares the rebuilt picture with the tables. It reads each table once, in order, and keeps one small
record per statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Membership, Unit, User
from statements.lifecycle.models import Statement, StatementVersion, content_hash
from workflow import ledger
from workflow.machine import ACTIONS

E = ledger.LedgerEntry.__table__.c
#: How many disagreements are described; past this only counted.
SHOWN = 100
#: Admin actions that change who holds which role.
ROLE_ACTIONS = ("create_user", "grant_role", "revoke_role", "designate_spokesperson", "remove_spokesperson")
RULE_ACTIONS = ("create_unit", "create_rule", "update_rule")


@dataclass(frozen=True)
class Disagreement:
    """One place where the tables and the ledger differ, or where the ledger breaks the lifecycle."""

    what: str
    statement: int | None = None
    seq: int | None = None
    ledger: object = None
    table: object = None

    def as_dict(self) -> dict:
        """Return it as the API and the CLI report it."""
        return {
            "what": self.what,
            "statement": self.statement,
            "seq": self.seq,
            "ledger": self.ledger,
            "table": self.table,
        }

    def __str__(self) -> str:
        where = f"statement {self.statement}" if self.statement is not None else "organisation"
        at = f" (entry {self.seq})" if self.seq is not None else ""
        return f"{where}{at}: {self.what}; ledger {self.ledger!r}, table {self.table!r}"


@dataclass
class ReplayResult:
    """What the replay found."""

    statements: int = 0
    entries: int = 0
    total: int = 0
    shown: list[Disagreement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the tables agree with the ledger everywhere."""
        return self.total == 0

    def add(self, disagreement: Disagreement) -> None:
        """Count a disagreement, describing the first SHOWN."""
        self.total += 1
        if len(self.shown) < SHOWN:
            self.shown.append(disagreement)


@dataclass
class _Rebuilt:
    """One statement as its entries make it."""

    unit: str | None
    state: str
    version: int
    hashes: dict[int, str]
    sensitive: bool
    content_seq: int | None
    approved: str | None = None
    released: str | None = None
    cleared: str | None = None
    last_seq: int | None = None


def _entries(session: Session, kinds: tuple[str, ...]) -> Iterator[sa.Row]:
    query = (
        sa.select(
            E.seq, E.kind, E.action, E.statement_id, E.version, E.content_hash, E.from_state, E.to_state, E.unit, E.data
        )
        .where(E.kind.in_(kinds))
        .order_by(E.seq.asc().nulls_last(), E.id)
        .execution_options(yield_per=10_000, stream_results=True)
    )
    return iter(session.execute(query))


def replay(session: Session) -> ReplayResult:
    """Rebuild every statement and every role from the ledger and compare them with the working tables."""
    result = ReplayResult()
    rebuilt: dict[int, _Rebuilt] = {}
    rules_changed: dict[str | None, int] = {}  # unit code -> seq of its last rule change
    roles: dict[tuple[str, str, str], int | None] = {}  # (username, unit, role) -> seq that gave it
    for row in _entries(session, (ledger.EntryKind.CONTENT, ledger.EntryKind.DECISION, ledger.EntryKind.ADMIN)):
        result.entries += 1
        if row.kind == ledger.EntryKind.ADMIN:
            _admin(row, roles, rules_changed)
        else:
            _statement_entry(row, rebuilt, rules_changed, result)
    _compare_statements(session, rebuilt, result)
    _compare_roles(session, roles, result)
    result.statements = len(rebuilt)
    return result


def _admin(row: sa.Row, roles: dict, rules_changed: dict) -> None:
    data = row.data or {}
    if row.action in RULE_ACTIONS:
        rules_changed[row.unit] = row.seq or 0
    elif row.action == "create_user":
        for r in data.get("roles", []):
            roles[(data.get("username"), r.get("unit"), r.get("role"))] = row.seq
    elif row.action == "grant_role":
        roles[(data.get("username"), row.unit, data.get("role"))] = row.seq
    elif row.action == "revoke_role":
        roles.pop((data.get("username"), row.unit, data.get("role")), None)
    elif row.action == "designate_spokesperson":
        for key in [k for k in roles if k[1] == row.unit and k[2] == "spokesperson"]:
            del roles[key]
        roles[(data.get("username"), row.unit, "spokesperson")] = row.seq
    elif row.action == "remove_spokesperson":
        roles.pop((data.get("username"), row.unit, "spokesperson"), None)


def _statement_entry(row: sa.Row, rebuilt: dict[int, _Rebuilt], rules_changed: dict, result: ReplayResult) -> None:
    sid, data = row.statement_id, row.data or {}
    if row.action in ("read", "export") or sid is None:
        return
    s = rebuilt.get(sid)
    if row.action == "create":
        if s is not None:
            result.add(Disagreement("the statement is created twice", sid, row.seq))
        rebuilt[sid] = _Rebuilt(
            row.unit, row.to_state, 1, {1: row.content_hash}, bool(data.get("sensitive")), row.seq, last_seq=row.seq
        )
        return
    if s is None:
        result.add(Disagreement(f"'{row.action}' before the statement was created", sid, row.seq))
        return
    if row.from_state != s.state:
        result.add(Disagreement(f"'{row.action}' starts from another state than the last entry left", sid, row.seq,
                                s.state, row.from_state))  # fmt: skip
    if row.action == "revise":
        if row.version != s.version + 1:
            result.add(Disagreement("a version out of order", sid, row.seq, s.version + 1, row.version))
        s.version, s.hashes[row.version], s.content_seq = row.version, row.content_hash, row.seq
        s.sensitive = bool(data.get("sensitive"))
    else:
        _decision(row, s, rules_changed, result)
    s.state, s.last_seq = row.to_state, row.seq


def _decision(row: sa.Row, s: _Rebuilt, rules_changed: dict, result: ReplayResult) -> None:
    sid, action = row.statement_id, ACTIONS.get(row.action)
    if action is None:
        result.add(Disagreement(f"unknown action '{row.action}'", sid, row.seq))
        return
    if row.from_state not in action.sources or row.to_state != (action.dest or row.from_state):
        result.add(Disagreement(f"'{row.action}' cannot lead from {row.from_state} to {row.to_state}", sid, row.seq))
    if row.version != s.version or row.content_hash != s.hashes.get(s.version):
        result.add(Disagreement(f"'{row.action}' names content the statement did not have", sid, row.seq,
                                s.hashes.get(s.version), row.content_hash))  # fmt: skip
    if row.action == "escalate":
        s.sensitive = True
    elif row.action == "clear_sensitivity":
        s.cleared = row.content_hash
    elif row.action in ("approve", "sign_off"):
        # Approval without sign-off needs content the ledger last saw as not sensitive, or cleared; a rule
        # changed since may have made it so, which the entries alone cannot tell.
        held = s.sensitive and s.cleared != row.content_hash
        if row.action == "approve" and held and rules_changed.get(s.unit, 0) <= (s.content_seq or 0):
            result.add(Disagreement("approved without sign-off though the ledger holds it sensitive", sid, row.seq))
        s.approved = row.content_hash
    elif row.action == "release":
        if row.content_hash != s.approved:
            result.add(Disagreement("released content that was not approved", sid, row.seq, s.approved,
                                    row.content_hash))  # fmt: skip
        s.released = row.content_hash
    elif row.action == "reopen":
        s.approved = None


def _compare_statements(session: Session, rebuilt: dict[int, _Rebuilt], result: ReplayResult) -> None:
    st, ver = Statement.__table__.c, StatementVersion.__table__.c
    seen: set[int] = set()
    rows = session.execute(
        sa.select(st.id, st.state, st.current_version, st.approved_hash, st.released_hash)
        .order_by(st.id)
        .execution_options(yield_per=10_000, stream_results=True)
    )
    for sid, state, current, approved, released in rows:
        seen.add(sid)
        s = rebuilt.get(sid)
        if s is None:
            result.add(Disagreement("the statement has no creation on the ledger", sid, None, None, state))
            continue
        for what, on_ledger, in_table in (
            ("state", s.state, state),
            ("current version", s.version, current),
            ("approved content", s.approved, approved),
            ("released content", s.released, released),
        ):
            if on_ledger != in_table:
                result.add(Disagreement(what, sid, s.last_seq, on_ledger, in_table))
    for sid in rebuilt.keys() - seen:
        result.add(Disagreement("the ledger's statement is missing from the table", sid, rebuilt[sid].last_seq))
    versions = session.execute(
        sa.select(ver.statement_id, ver.number, ver.content_hash, ver.title, ver.body, ver.kind, ver.topics)
        .order_by(ver.statement_id, ver.number)
        .execution_options(yield_per=5_000, stream_results=True)
    )
    for sid, number, stored, title, body, kind, topics in versions:
        s = rebuilt.get(sid)
        on_ledger = s.hashes.get(number) if s else None
        if s is not None and on_ledger != stored:
            result.add(Disagreement(f"version {number}'s content hash", sid, None, on_ledger, stored))
        if content_hash(title, body, kind, topics) != stored:
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


def verify_all(session: Session, checkpoints: list[dict] | tuple = ()) -> dict:
    """Check the chain (and checkpoints) and hold the working tables to the ledger; return one report."""
    from workflow.ledger.verification import verify

    chain = verify(session, checkpoints)
    tables = replay(session)
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
