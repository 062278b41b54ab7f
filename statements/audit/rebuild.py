"""Rebuild from the ledger alone what the organisation and every statement must look like.

The entries are read once, in order: each statement's state, versions, approvals and who did what; who
holds which role; the acting appointments. On the way, each entry is held to the lifecycle (it starts
where the last one ended, from a state its action allows, on content the statement had) and to the
four-eyes guards between the people the entries name. `statements.audit.replay` compares the result
with the working tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from workflow import ledger
from workflow.actor import Actor
from workflow.db import isoformat
from workflow.errors import Forbidden
from workflow.guards import (
    not_a_writer,
    not_the_escalator,
    not_the_escalators_own_clearance,
    not_who_cleared,
    not_who_released,
    not_who_signed_off,
)
from workflow.machine import ACTIONS

E = ledger.LedgerEntry.__table__.c
#: A request that found an appointment holding may write its entry a moment after the appointment ends.
REQUEST_SLACK = dt.timedelta(seconds=60)
#: How many disagreements are described; past this only counted.
SHOWN = 100
#: Admin actions that change who holds which role.
ROLE_ACTIONS = ("create_user", "grant_role", "revoke_role", "designate_spokesperson", "remove_spokesperson")
RULE_ACTIONS = ("create_unit", "create_rule", "update_rule")
#: The guards that keep two people apart: the replay holds every decision on the ledger to them too, so
#: a hand-changed "who escalated" or "who cleared" column that let one person through is named.
FOUR_EYES = frozenset(
    {
        not_a_writer,
        not_the_escalator,
        not_the_escalators_own_clearance,
        not_who_cleared,
        not_who_signed_off,
        not_who_released,
    }
)


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


class _Content(NamedTuple):
    content_hash: str | None


@dataclass
class Rebuilt:
    """One statement as its entries make it, with the names the guards read (workflow.guards.Decidable)."""

    unit: str | None
    state: str
    version: int
    hashes: dict[int, str]
    #: As the last content entry recorded it (escalation makes it so for good); a clearance lifts it.
    flagged: bool
    #: The last entry that recorded the sensitive verdict (content entries, and decisions on open statements).
    verdict_seq: int | None
    author_id: int | None
    writer_ids: set[int] = field(default_factory=set)
    approved_hash: str | None = None
    approved_version: int | None = None
    approved_by_id: int | None = None
    approved_via: str | None = None
    released_hash: str | None = None
    released_version: int | None = None
    released_by_id: int | None = None
    retracted_by_id: int | None = None
    released_via: str | None = None
    emergency_reviewed_by_id: int | None = None
    emergency_review_outcome: str | None = None
    release_at: dt.datetime | None = None
    release_scheduled_by_id: int | None = None
    release_scheduled_hash: str | None = None
    escalated_by_id: int | None = None
    sensitivity_cleared_hash: str | None = None
    sensitivity_cleared_by_id: int | None = None
    privacy_basis: str | None = None
    privacy_basis_hash: str | None = None
    privacy_basis_by_id: int | None = None
    last_seq: int | None = None

    @property
    def current(self) -> _Content:
        """The current version's content, as the four-eyes guards read it."""
        return _Content(self.hashes.get(self.version))

    @property
    def sensitive(self) -> bool:
        """Whether the ledger holds the current content sensitive (a rule changed since aside)."""
        return self.flagged and self.sensitivity_cleared_hash != self.current.content_hash


@dataclass
class Organisation:
    """The organisation as the admin entries make it, so far in the replay."""

    #: unit code -> seq of its last rule change
    rules_changed: dict[str | None, int] = field(default_factory=dict)
    #: (username, unit, role) -> seq that gave it
    roles: dict[tuple[str, str, str], int | None] = field(default_factory=dict)
    #: appointment id -> (username, unit, starts_at, ends_at, ended_at), times as the entries write them
    acting: dict[int, list] = field(default_factory=dict)
    #: unit code -> its parent's code, as the units' creation entries say
    parents: dict[str | None, str | None] = field(default_factory=dict)
    #: (unit, role) -> the usernames holding it so far: `roles` read the other way round
    holders: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def give(self, username: str, unit: str, role: str, seq: int | None) -> None:
        """Record that an entry gave `username` the role in the unit."""
        self.roles[(username, unit, role)] = seq
        self.holders.setdefault((unit, role), set()).add(username)

    def take(self, username: str, unit: str, role: str) -> None:
        """Record that an entry took the role in the unit from `username`."""
        self.roles.pop((username, unit, role), None)
        self.holders.get((unit, role), set()).discard(username)

    def chain(self, unit: str | None) -> Iterator[str]:
        """Yield the unit and the units above it, nearest first."""
        seen: set[str] = set()
        while unit is not None and unit not in seen:  # a loop would be a broken tree; stop, not hang
            seen.add(unit)
            yield unit
            unit = self.parents.get(unit)


def _entries(session: Session, kinds: tuple[str, ...]) -> Iterator[sa.Row]:
    query = (
        sa.select(
            E.seq,
            E.at,
            E.kind,
            E.action,
            E.statement_id,
            E.version,
            E.content_hash,
            E.from_state,
            E.to_state,
            E.unit,
            E.actor_id,
            E.actor,
            E.role,
            E.data,
        )
        .where(E.kind.in_(kinds))
        .order_by(E.seq.asc().nulls_last(), E.id)
        .execution_options(yield_per=10_000, stream_results=True)
    )
    return iter(session.execute(query))


def rebuild(session: Session, result: ReplayResult) -> tuple[dict[int, Rebuilt], Organisation]:
    """Walk the ledger's content, decision and admin entries in order; count them and add what breaks a rule."""
    rebuilt: dict[int, Rebuilt] = {}
    org = Organisation()
    for row in _entries(session, (ledger.EntryKind.CONTENT, ledger.EntryKind.DECISION, ledger.EntryKind.ADMIN)):
        result.entries += 1
        if row.kind == ledger.EntryKind.ADMIN:
            _admin(row, org)
        else:
            _statement_entry(row, rebuilt, org, result)
    result.statements = len(rebuilt)
    return rebuilt, org


def _admin(row: sa.Row, org: Organisation) -> None:
    data = row.data or {}
    if row.action == "create_unit":
        org.parents[row.unit] = data.get("parent")
    if row.action in RULE_ACTIONS:
        org.rules_changed[row.unit] = row.seq or 0
    elif row.action == "create_user":
        for r in data.get("roles", []):
            org.give(data.get("username"), r.get("unit"), r.get("role"), row.seq)
    elif row.action == "grant_role":
        org.give(data.get("username"), row.unit, data.get("role"), row.seq)
    elif row.action == "revoke_role":
        org.take(data.get("username"), row.unit, data.get("role"))
    elif row.action == "designate_spokesperson":
        for username in list(org.holders.get((row.unit, "spokesperson"), ())):
            org.take(username, row.unit, "spokesperson")
        org.give(data.get("username"), row.unit, "spokesperson", row.seq)
    elif row.action == "remove_spokesperson":
        org.take(data.get("username"), row.unit, "spokesperson")
    elif row.action == "appoint_acting_spokesperson":
        org.acting[data.get("appointment")] = [data.get("username"), row.unit, data.get("starts_at"),
                                               data.get("ends_at"), None]  # fmt: skip
    elif row.action == "end_acting_spokesperson" and data.get("appointment") in org.acting:
        org.acting[data["appointment"]][4] = data.get("ended_at")


def _statement_entry(row: sa.Row, rebuilt: dict[int, Rebuilt], org: Organisation, result: ReplayResult) -> None:
    sid, data = row.statement_id, row.data or {}
    if row.action in ("read", "export") or sid is None:
        return
    s = rebuilt.get(sid)
    if row.action == "create":
        if s is not None:
            result.add(Disagreement("the statement is created twice", sid, row.seq))
        rebuilt[sid] = Rebuilt(
            row.unit,
            row.to_state,
            1,
            {1: row.content_hash},
            bool(data.get("sensitive")),
            row.seq,
            row.actor_id,
            {row.actor_id},
            last_seq=row.seq,
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
        s.version, s.hashes[row.version], s.verdict_seq = row.version, row.content_hash, row.seq
        s.flagged = bool(data.get("sensitive"))
        s.writer_ids.add(row.actor_id)
    else:
        _decision(row, s, org, result)
    s.state, s.last_seq = row.to_state, row.seq


def _decision(row: sa.Row, s: Rebuilt, org: Organisation, result: ReplayResult) -> None:
    sid, action, rules_changed = row.statement_id, ACTIONS.get(row.action), org.rules_changed
    if action is None:
        result.add(Disagreement(f"unknown action '{row.action}'", sid, row.seq))
        return
    if row.from_state not in action.sources or row.to_state != (action.dest or row.from_state):
        result.add(Disagreement(f"'{row.action}' cannot lead from {row.from_state} to {row.to_state}", sid, row.seq))
    if row.version != s.version or row.content_hash != s.hashes.get(s.version):
        result.add(Disagreement(f"'{row.action}' names content the statement did not have", sid, row.seq,
                                s.hashes.get(s.version), row.content_hash))  # fmt: skip
    by = _who(row)
    who = by[0]
    _four_eyes(row, s, action.guards, by, result)
    if not _role_held(row, org):
        result.add(Disagreement(f"'{row.action}' by {row.actor} as {row.role} of {row.unit}, a role no entry had"
                                " given them then", sid, row.seq))  # fmt: skip
    if (appointment := (row.data or {}).get("acting_under")) is not None and not _held(
        org.acting, appointment, row, by
    ):
        result.add(Disagreement(f"'{row.action}' names acting appointment {appointment}, which did not make"
                                f" {row.actor} spokesperson of {row.unit} then", sid, row.seq))  # fmt: skip
    _schedule(row, s, result)
    if row.action == "escalate":
        s.escalated_by_id = who
    elif row.action == "clear_sensitivity":
        s.sensitivity_cleared_hash, s.sensitivity_cleared_by_id = row.content_hash, who
    elif row.action in ("record_consent", "record_legal_duty"):
        s.privacy_basis, s.privacy_basis_hash, s.privacy_basis_by_id = row.action[7:], row.content_hash, who
    elif row.action in ("approve", "sign_off"):
        # Approval without sign-off needs content the ledger last saw as not sensitive, or cleared; a rule
        # changed since may have made it so, which the entries alone cannot tell.
        if row.action == "approve" and s.sensitive and rules_changed.get(s.unit, 0) <= (s.verdict_seq or 0):
            result.add(Disagreement("approved without sign-off though the ledger holds it sensitive", sid, row.seq))
        s.approved_hash, s.approved_version, s.approved_by_id, s.approved_via = (
            row.content_hash,
            row.version,
            who,
            row.action,
        )
    elif row.action in ("release", "emergency_release"):
        if row.content_hash != s.approved_hash:
            result.add(Disagreement("released content that was not approved", sid, row.seq, s.approved_hash,
                                    row.content_hash))  # fmt: skip
        s.released_hash, s.released_version, s.released_by_id = row.content_hash, row.version, who
        s.released_via = "emergency" if row.action == "emergency_release" else "release"
    elif row.action in ("emergency_agree", "emergency_finding"):
        s.emergency_reviewed_by_id = who
        s.emergency_review_outcome = "agrees" if row.action == "emergency_agree" else "finding"
    elif row.action == "reopen":
        s.approved_hash = s.approved_version = s.approved_by_id = s.approved_via = None
    elif row.action == "retract":
        s.retracted_by_id = who
    if "sensitive" in (data := row.data or {}):  # the verdict the decision was taken on
        s.flagged, s.verdict_seq = bool(data["sensitive"]), row.seq


def _who(row: sa.Row) -> tuple[int | None, str]:
    """Return on whose authority an entry was taken: its actor, or whoever scheduled what the system did."""
    data = row.data or {}
    if row.actor_id is None and "on_authority_of_id" in data:
        return data["on_authority_of_id"], data.get("on_authority_of") or ""
    return row.actor_id, row.actor or ""


def _schedule(row: sa.Row, s: Rebuilt, result: ReplayResult) -> None:
    """Follow a scheduled release: set, moved, cancelled, or carried out by the system only as it was set."""
    data = row.data or {}
    if row.action == "schedule_release":
        s.release_at = dt.datetime.fromisoformat(data["release_at"]) if data.get("release_at") else None
        s.release_scheduled_by_id, s.release_scheduled_hash = row.actor_id, s.approved_hash
        return
    if (
        row.action == "release"
        and row.actor_id is None
        and not (
            s.release_at is not None
            and s.release_at <= row.at
            and s.release_scheduled_hash == row.content_hash
            and s.release_scheduled_by_id == data.get("on_authority_of_id")
        )
    ):
        result.add(Disagreement("a release by the system that no schedule called for", row.statement_id,
                                    row.seq, isoformat(s.release_at), isoformat(row.at)))  # fmt: skip
    if row.action in ("release", "emergency_release", "cancel_schedule", "reopen"):
        s.release_at = s.release_scheduled_by_id = s.release_scheduled_hash = None


def _four_eyes(row: sa.Row, s: Rebuilt, guards: tuple, by: tuple[int | None, str], result: ReplayResult) -> None:
    """Hold the decision to the guards that keep two people apart, as the ledger says who did what before it."""
    actor = Actor(*by)
    for guard in guards:
        if guard in FOUR_EYES:
            try:
                guard(s, actor)
            except Forbidden as refusal:
                result.add(Disagreement(f"'{row.action}' by {row.actor} breaks the four-eyes rule ({refusal.rule})",
                                        row.statement_id, row.seq))  # fmt: skip


def _role_held(row: sa.Row, org: Organisation) -> bool:
    """Say whether the role a decision names was the actor's then, as the ledger's own grants stood.

    A role put in the tables by hand for the moment of a decision, and taken out after, leaves the tables
    agreeing with the ledger; the decision's entry still names a role the ledger never gave.
    """
    who, unit, role = row.actor, row.unit, row.role
    if row.actor_id is None or role in (None, "author", "system"):
        return True  # the system on someone's authority (_schedule), or a writer as writer (four-eyes)
    if role in ("spokesperson", "drafter"):
        return who in org.holders.get((unit, role), ())
    if role == "leader":  # a competent leader: of the unit or above
        return any(who in org.holders.get((u, "leader"), ()) for u in org.chain(unit))
    if role == "acting_spokesperson":
        if (row.data or {}).get("acting_under") is not None:
            return True  # held to its appointment by _held
        if org.holders.get((unit, "spokesperson")):
            return False
        # No designation: the leaders of the nearest unit, this one or above, that has any.
        return next((who in found for u in org.chain(unit) if (found := org.holders.get((u, "leader")))), False)
    return False


def _held(acting: dict[int, list], appointment: object, row: sa.Row, by: tuple[int | None, str]) -> bool:
    """Say whether the appointment made whoever the entry acts for spokesperson of its unit at the entry's time."""
    found = acting.get(appointment) if isinstance(appointment, int) else None
    if found is None:
        return False
    username, unit, starts, ends, ended = found
    until = dt.datetime.fromisoformat(min(ends, ended or ends)) + REQUEST_SLACK
    return username == by[1] and unit == row.unit and dt.datetime.fromisoformat(starts) <= row.at < until
