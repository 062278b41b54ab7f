"""What a piece of leaked text is: released or not, which versions it comes from, which copy, who had it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from auth.models import User
from statements.disclosure import evidence, fingerprint
from statements.disclosure.models import Export
from statements.lifecycle import matching
from statements.lifecycle.models import Statement, StatementVersion
from statements.lifecycle.reads import is_released
from workflow import ledger
from workflow.db import isoformat

#: A version counts as a match when it holds at least this share of the leak's unexplained text.
MATCH_MIN = 0.2
#: A paragraph is released content when released text explains it this well, and no worse than a draft.
RELEASED_MIN, RELEASED_SLACK = 0.5, 0.05
#: Versions scoring at least this share of the best match count as evidence against their readers.
EVIDENCE_SHARE = 0.6
#: How much each kind of evidence weighs when ranking people (scaled by the match score where it applies).
WEIGHTS = {"fingerprint": 1000, "variants": 200, "export": 50, "read": 20, "wrote": 10, "decided": 10, "listed": 1}
#: Evidence that tells one person's copy from everyone else's: only this ranks anyone above the others.
#: Reading, exporting, writing or deciding says who had the text, which everyone in the group did alike.
DISTINGUISHING = frozenset({"fingerprint", "variants"})
#: What would narrow a group that nothing tells apart, in the order it helps most.
NARROWING = ("copy_with_marks", "more_text", "exact_wording", "when_seen")
#: Where a read showed only the statement's title, in a list, not its text (statements.lifecycle.reads):
#: a leader who opens the lists their dashboard links to must not look like a reader of the text.
TITLE_ONLY = frozenset({"web_list", "web_inbox"})


@dataclass
class _Candidate:
    version: StatementVersion
    statement: Statement
    shingles: set[int]
    released: bool


@dataclass
class _Person:
    evidence: list[dict] = field(default_factory=list)


def _released_by(statement: Statement, number: int, seen_at: dt.datetime) -> bool:
    return is_released(statement, number) and statement.released_at <= seen_at


def _load_candidates(session: Session, ids: set[int], seen_at: dt.datetime, scope: set[int] | None) -> list:
    if not ids:
        return []
    rows = session.execute(
        sa.select(StatementVersion, Statement)
        .join(Statement, Statement.id == StatementVersion.statement_id)
        .where(StatementVersion.id.in_(sorted(ids)))
        .options(selectinload(Statement.unit))
    )
    out = []
    for version, statement in rows:
        released = _released_by(statement, version.number, seen_at)
        # Released text is public; unreleased text only within the investigator's units.
        if released or scope is None or statement.unit_id in scope:
            sh = set().union(*(matching.shingles(p) for p in matching.paragraphs(f"{version.title}\n{version.body}")))
            out.append(_Candidate(version, statement, sh, released))
    return out


def analyse(session: Session, text: str, seen_at: dt.datetime, scope: set[int] | None) -> dict:
    """Return the analysis of a leaked text as seen at `seen_at`, limited to `scope` units (None: all)."""
    marks = fingerprint.decode_marks(text)
    exports = list(session.scalars(sa.select(Export).where(Export.fingerprint.in_(sorted(marks)))) if marks else [])
    exports = [e for e in exports if scope is None or _unit_of(session, e.statement_id) in scope]
    ids = matching.candidates(session, matching.text_keys(text))
    for export in exports:
        ids.add(_version_id(session, export.statement_id, export.version))
    candidates = _load_candidates(session, ids, seen_at, scope)

    leak_paragraphs = [matching.shingles(p) for p in matching.paragraphs(text)]
    leak_paragraphs = [p for p in leak_paragraphs if p]
    released_paragraphs = 0
    unexplained: set[int] = set()
    for para in leak_paragraphs:
        best_released = max((matching.containment(para, c.shingles) for c in candidates if c.released), default=0)
        best_draft = max((matching.containment(para, c.shingles) for c in candidates if not c.released), default=0)
        if best_released >= RELEASED_MIN and best_released >= best_draft - RELEASED_SLACK:
            released_paragraphs += 1
        else:
            unexplained |= para
    is_released_text = bool(leak_paragraphs) and released_paragraphs == len(leak_paragraphs)

    marked = {(e.statement_id, e.version) for e in exports}
    scored = sorted(
        ((matching.containment(unexplained, c.shingles), c) for c in candidates if not c.released),
        # A version whose copy's marks are in the text is its source, whatever else reads alike.
        key=lambda sc: (
            (sc[1].statement.id, sc[1].version.number) not in marked,
            -sc[0],
            sc[1].statement.id,
            -sc[1].version.number,
        ),
    )
    matches = [(score, c) for score, c in scored if score >= MATCH_MIN][:10]
    released_matches = sorted(
        ((matching.containment(set().union(*leak_paragraphs), c.shingles), c) for c in candidates if c.released),
        key=lambda sc: -sc[0],
    )[:5]

    people = _suspects(session, text, matches, exports, marks, seen_at)
    if is_released_text:
        # The text was public when seen: nobody disclosed it. A pre-release copy's marks still show whose
        # copy it was pasted from, and say only that; having had the text before release means nothing.
        people = [p | {"public_when_seen": True} for p in people if p["distinguished"]]
    group = [p["username"] for p in people if not p["distinguished"]]
    return {
        "released": is_released_text,
        "paragraphs": len(leak_paragraphs),
        "released_paragraphs": released_paragraphs,
        "matches": [_match_dict(score, c) for score, c in matches],
        "released_matches": [_match_dict(score, c) for score, c in released_matches if score >= MATCH_MIN],
        "exports": [
            {
                "fingerprint": e.fingerprint,
                "recipient": e.username,
                "statement": e.statement_id,
                "version": e.version,
                "format": e.format,
                "at": isoformat(e.at),
                "marks_found": marks[e.fingerprint],
                "before_seen": e.at <= seen_at,
            }
            for e in exports
        ],
        "suspects": people,
        # Nobody is ranked above the others without evidence that tells them apart: when none does, the
        # answer is the group that had the text (unordered), and what would narrow it.
        "distinguished": [p["username"] for p in people if p["distinguished"]],
        "had_access": group,
        "narrowing": list(NARROWING) if group and not any(p["distinguished"] for p in people) else [],
        "public_when_seen": is_released_text,
    }


def _unit_of(session: Session, statement_id: int) -> int | None:
    return session.scalar(sa.select(Statement.unit_id).where(Statement.id == statement_id))


def _version_id(session: Session, statement_id: int, number: int) -> int:
    return session.scalar(
        sa.select(StatementVersion.id).where(
            StatementVersion.statement_id == statement_id, StatementVersion.number == number
        )
    )


def _match_dict(score: float, c: _Candidate) -> dict:
    return {
        "statement": c.statement.id,
        "version": c.version.number,
        "unit": c.statement.unit.code,
        "title": c.version.title,
        "content_hash": c.version.content_hash,
        "score": round(score, 3),
        "released": c.released,
    }


def _suspects(session: Session, text: str, matches: list, exports: list, marks, seen_at: dt.datetime) -> list[dict]:
    people: dict[str, _Person] = defaultdict(_Person)

    def add(username: str | None, kind: str, weight: float, detail: dict) -> None:
        if username:
            people[username].evidence.append({"type": kind, **detail, "weight": round(weight, 1)})

    for e in exports:
        if e.at <= seen_at:
            add(
                e.username,
                "fingerprint",
                WEIGHTS["fingerprint"],
                {
                    "statement": e.statement_id,
                    "version": e.version,
                    "at": isoformat(e.at),
                    "fingerprint": e.fingerprint,
                },
            )

    # People are weighed by the versions the text most likely came from, not by every faint resemblance.
    best = max((score for score, _ in matches), default=0)
    by_version = {(c.statement.id, c.version.number): (s, c) for s, c in matches if s >= EVIDENCE_SHARE * best}
    if by_version:
        # A version whose copy the marks name needs no forms weighed: the mark says whose copy it is.
        marked = {(e.statement_id, e.version) for e in exports if e.at <= seen_at}
        for holder, strength, detail in evidence.variant_evidence(session, text, by_version, matches, marked, seen_at):
            add(holder, "variants", WEIGHTS["variants"] * strength, detail)
        _ledger_evidence(session, by_version, seen_at, add)

    names = dict(session.execute(sa.select(User.username, User.full_name).where(User.username.in_(list(people)))).all())

    out = []
    for username, person in people.items():
        # The weight of what tells this person apart; none for the rest of the group, who are not ranked.
        weight = sum(e["weight"] for e in person.evidence if e["type"] in DISTINGUISHING)
        distinguished = any(e["type"] in DISTINGUISHING for e in person.evidence)
        out.append({"username": username, "full_name": names.get(username, username), "distinguished": distinguished,
                    "score": round(weight, 1) if distinguished else 0, "evidence": person.evidence})  # fmt: skip
    # Those the evidence tells apart, by its weight; then everyone else alike, by name: having read or
    # written the text says nothing about who disclosed it.
    return sorted(out, key=lambda p: (not p["distinguished"], -p["score"], p["username"]))


def _ledger_evidence(session: Session, by_version: dict, seen_at: dt.datetime, add) -> None:
    """Credit everyone the ledger shows reading, exporting, writing or deciding a matched version before it was seen.

    Counted by the database, a row per person, kind of access and version (not a row per entry: 20,000
    copies are 20,000 export entries); the first of each weighs whole, each repeat a tenth.
    """
    entry = ledger.LedgerEntry
    # How a read was made: only reads say (20,000 exports need not have their JSON parsed for it).
    how = sa.case((entry.action != "export", entry.data["how"].as_string()))
    statement_ids = sorted({s for s, _ in by_version})
    rows = session.execute(
        sa.select(
            entry.actor,
            entry.kind,
            entry.action,
            entry.statement_id,
            entry.version,
            how.label("how"),
            sa.func.min(entry.at).label("first"),
            sa.func.count().label("times"),
        )
        .where(
            entry.statement_id.in_(statement_ids),
            entry.at <= seen_at,
            entry.actor.is_not(None),
            entry.kind.in_([ledger.EntryKind.ACCESS, ledger.EntryKind.CONTENT, ledger.EntryKind.DECISION]),
        )
        .group_by(entry.actor, entry.kind, entry.action, entry.statement_id, entry.version, how)
        .order_by(sa.func.min(entry.at), entry.actor, entry.action)
    )
    for actor, kind, action, statement_id, number, read_how, first, times in rows:
        match = by_version.get((statement_id, number))
        if match is None:
            continue
        if kind == ledger.EntryKind.ACCESS and action == "export":
            what = "export"
        elif kind == ledger.EntryKind.ACCESS:
            what = "listed" if read_how in TITLE_ONLY else "read"
        elif kind == ledger.EntryKind.CONTENT:
            what = "wrote"
        else:
            what = "decided"
        weight = WEIGHTS[what] * match[0] * (1.0 + 0.1 * (times - 1))
        detail = {"statement": statement_id, "version": number, "at": isoformat(first), "action": action}
        add(actor, what, weight, detail | ({"times": times} if times > 1 else {}))
