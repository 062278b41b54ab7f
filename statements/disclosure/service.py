"""Disclosure tracing: record fingerprinted exports, open and close cases, keep the register of violations."""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from auth.models import Membership, User
from statements.disclosure import fingerprint, sites, variants
from statements.disclosure.analysis import analyse
from statements.disclosure.models import CaseStatus, Disclosure, Export, Outcome, Violation
from statements.lifecycle import queries
from statements.lifecycle.models import Statement
from statements.lifecycle.reads import is_released, log_reads
from statements.lifecycle.snapshots import AnyStatement, AnyVersion
from workflow import ledger
from workflow.actor import Actor
from workflow.db import MAX_ID, isoformat, newest_first, utcnow
from workflow.errors import Conflict, Forbidden, Invalid, NotFound
from workflow.guards import require_investigate, require_see_variants
from workflow.text import strip_invisible

#: A leak cannot be seen later than now (plus this much clock skew).
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_TEXT = 100_000


# --- who may ------------------------------------------------------------------------------


def scope_of(actor: Actor) -> set[int] | None:
    """Return the units whose unreleased statements the investigator may search (None: all)."""
    return None if actor.is_auditor else set(actor.leader_scope)


def can_see_case(case: Disclosure, actor: Actor) -> bool:
    """Say whether the actor may see this case: auditors all, leaders their units' cases and their own."""
    if actor.is_auditor or case.opened_by_id == actor.user_id:
        return True
    return case.unit_id is not None and case.unit_id in actor.leader_scope


# --- where copies differ ---------------------------------------------------------------------

#: Choices a retyped paragraph needs beyond log2(copies) before it names one copy surely (bench/tracing.py:
#: with a typist's slips allowed for, ten choices tell 36 copies apart, six rarely do).
SPARE_CHOICES = 5


def variant_choices(session: Session, statement_id: int, actor: Actor | None, how: str) -> dict:
    """Return where copies of the current version may be written differently, paragraph by paragraph; record the read.

    Shown to the unit's drafters and auditors (`require_see_variants`), so they can see that no choice
    changes what the text says and which paragraphs carry too few choices to tell their copies apart.
    """
    statement = queries.read_statement(session, statement_id, actor)
    require_see_variants(statement, actor)
    version = statement.current
    log_reads(session, actor, statement, [version], how)
    copies = session.scalar(
        sa.select(sa.func.count()).where(Export.statement_id == statement.id, Export.version == version.number)
    )
    text = f"{version.title}\n{version.body}"
    paragraphs, start = [], 0
    found = sites.sites(text)
    for line in text.split("\n"):
        end = start + len(line)
        parts, at, keys = [], start, set()
        for site in (s for s in found if start <= s.start < end):
            parts += [
                {"text": text[at : site.start], "forms": None},
                {"text": text[site.start : site.end], "forms": list(site.forms)},
            ]
            keys.update(site.keys)
            at = site.end
        if line.strip():
            paragraphs.append({"parts": [*parts, {"text": text[at:end], "forms": None}], "choices": len(keys)})
        start = end + 1
    needed = max(1, copies - 1).bit_length() + SPARE_CHOICES
    return {
        "statement": statement,
        "version": version.number,
        "released": is_released(statement, version.number),
        "copies": copies,
        "needed": needed,
        "paragraphs": [p | {"enough": p["choices"] >= needed} for p in paragraphs],
        "rules": sites.SITES_VERSION,
    }


# --- exports ------------------------------------------------------------------------------


def record_export(session: Session, actor: Actor, statement: AnyStatement, version: AnyVersion, fmt: str) -> str:
    """Give this copy a fresh fingerprint, record it and its ledger entry; return the fingerprint."""
    code = fingerprint.new_fingerprint()
    keys = variants.site_keys(f"{version.title}\n{version.body}")
    while session.scalar(sa.select(Export.id).where(Export.fingerprint == code)) is not None:
        code = fingerprint.new_fingerprint()
    session.add(
        Export(
            fingerprint=code,
            statement_id=statement.id,
            version=version.number,
            content_hash=version.content_hash,
            user_id=actor.user_id,
            username=actor.username,
            format=fmt,
            variant_bits=f"{sites.SITES_VERSION}:{variants.choices(code, keys):x}",
        )
    )
    ledger.append(
        session,
        kind=ledger.EntryKind.ACCESS,
        action="export",
        statement_id=statement.id,
        version=version.number,
        content_hash=version.content_hash,
        actor_id=actor.user_id,
        actor=actor.username,
        unit=statement.unit.code,
        data={"format": fmt, "fingerprint": code, "via": actor.via},
    )
    return code


# --- cases --------------------------------------------------------------------------------


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def open_case(session: Session, actor: Actor | None, text: str, seen_where: str, seen_at: dt.datetime) -> Disclosure:
    """Analyse text found outside and open a case with what it matches and who had it."""
    actor = require_investigate(actor)
    errors: dict[str, list[str]] = {}
    if len(strip_invisible(text).split()) < 3:
        errors["text"] = ["Paste at least a sentence of the text that was found."]
    elif len(text) > MAX_TEXT:
        errors["text"] = [f"At most {MAX_TEXT} characters."]
    if not seen_where.strip():
        errors["seen_where"] = ["Say where the text was seen."]
    seen_at = _as_utc(seen_at)
    if seen_at > utcnow() + CLOCK_SKEW:
        errors["seen_at"] = ["The text cannot have been seen in the future."]
    if errors:
        raise Invalid("invalid_disclosure", "The disclosure report is incomplete.", errors=errors)
    scope = scope_of(actor)
    result = analyse(session, text, seen_at, scope)
    best = result["matches"][0]["statement"] if result["matches"] else None
    unit_id = session.scalar(sa.select(Statement.unit_id).where(Statement.id == best)) if best else None
    if unit_id is None and scope:
        unit_id = min(scope)
    case = Disclosure(
        text=text,
        text_hash=hashlib.sha256(text.encode()).hexdigest(),
        seen_where=seen_where.strip(),
        seen_at=seen_at,
        opened_by_id=actor.user_id,
        unit_id=unit_id,
        scope=sorted(scope) if scope is not None else None,
        analysis=result,
        status=CaseStatus.OPEN,
    )
    session.add(case)
    session.flush()
    ledger.append(
        session,
        kind=ledger.EntryKind.DISCLOSURE,
        action="open_case",
        actor_id=actor.user_id,
        actor=actor.username,
        unit=_unit_code(session, unit_id),
        data={
            "case": case.id,
            "text_hash": case.text_hash,
            "seen_at": isoformat(seen_at),
            "seen_where": case.seen_where,
            "released": result["released"],
            "matches": [[m["statement"], m["version"], round(m["score"] * 1000)] for m in result["matches"]],
            "exports": [e["fingerprint"] for e in result["exports"]],
            # Only those the evidence tells apart are suspects; the others merely had the text.
            "suspects": [] if result["public_when_seen"] else result["distinguished"][:10],
            "had_access": len(result["had_access"]),
        },
    )
    return case


def _unit_code(session: Session, unit_id: int | None) -> str | None:
    from auth.models import Unit

    return session.scalar(sa.select(Unit.code).where(Unit.id == unit_id)) if unit_id else None


def get_case(session: Session, case_id: int, actor: Actor | None, *, for_update: bool = False) -> Disclosure:
    """Return a case the actor may see, or 404."""
    actor = require_investigate(actor)
    case = None
    if 0 < case_id <= MAX_ID:
        query = sa.select(Disclosure).where(Disclosure.id == case_id).options(selectinload(Disclosure.violations))
        if for_update:
            query = query.with_for_update(of=Disclosure, key_share=True)
        case = session.scalars(query).one_or_none()
    if case is None or not can_see_case(case, actor):
        raise NotFound("case", f"No disclosure case {case_id}.")
    return case


def list_cases(
    session: Session, actor: Actor | None, status: str | None = None, page: int = 1, per_page: int = 20
) -> tuple[list[Disclosure], int]:
    """Return one page of the cases the actor may see, newest first, and the total."""
    actor = require_investigate(actor)
    where = sa.true()
    if not actor.is_auditor:
        where = sa.or_(Disclosure.opened_by_id == actor.user_id, Disclosure.unit_id.in_(sorted(actor.leader_scope)))
    if status:
        where = sa.and_(where, Disclosure.status == status)
    people = (selectinload(Disclosure.violations), selectinload(Disclosure.opened_by))
    return newest_first(session, Disclosure, where, page, per_page, *people)


def close_case(
    session: Session, case_id: int, actor: Actor | None, outcome: str, finding: str, violators: list[str]
) -> Disclosure:
    """Record the finding; each person found responsible goes on the register of violations."""
    actor = require_investigate(actor)
    case = get_case(session, case_id, actor, for_update=True)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("case_closed", f"Case {case.id} is already closed.")
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.ALL:
        errors["outcome"] = [f"One of: {', '.join(Outcome.ALL)}."]
    if not finding.strip():
        errors["finding"] = ["Write the finding."]
    users = _violators(session, violators, errors)
    if outcome == Outcome.LEAK_ATTRIBUTED and not users and "violators" not in errors:
        errors["violators"] = ["Name who disclosed it, or choose an unattributed outcome."]
    if outcome != Outcome.LEAK_ATTRIBUTED and users:
        errors["violators"] = ["Only an attributed leak names people."]
    if actor.user_id in {u.id for u in users}:
        raise Forbidden("not_own_case", "Nobody records a violation against themselves.")
    if errors:
        raise Invalid("invalid_finding", "The finding is incomplete.", errors=errors)
    case.status, case.outcome, case.finding = CaseStatus.CLOSED, outcome, finding.strip()
    case.closed_at, case.closed_by_id = utcnow(), actor.user_id
    for user in users:
        unit_id = session.scalar(sa.select(Membership.unit_id).where(Membership.user_id == user.id).limit(1))
        session.add(
            Violation(
                case_id=case.id,
                user_id=user.id,
                unit_id=unit_id,
                description=case.finding,
                recorded_by_id=actor.user_id,
            )
        )
    session.flush()
    ledger.append(
        session,
        kind=ledger.EntryKind.DISCLOSURE,
        action="close_case",
        actor_id=actor.user_id,
        actor=actor.username,
        unit=_unit_code(session, case.unit_id),
        comment=case.finding,
        data={"case": case.id, "outcome": outcome, "violators": [u.username for u in users]},
    )
    session.expire(case, ["violations"])
    return case


def _violators(session: Session, names: list[str], errors: dict) -> list[User]:
    names = sorted({n for n in names if n})
    users = list(session.scalars(sa.select(User).where(User.username.in_(names)))) if names else []
    unknown = sorted(set(names) - {u.username for u in users})
    if unknown:
        errors["violators"] = [f"No such user: {', '.join(unknown)}."]
    return users


def list_violations(
    session: Session, actor: Actor | None, page: int = 1, per_page: int = 50
) -> tuple[list[Violation], int]:
    """Return the register of violations the actor may read (auditors all, leaders their units'), newest first."""
    actor = require_investigate(actor)
    where = sa.true() if actor.is_auditor else Violation.unit_id.in_(sorted(actor.leader_scope))
    people = (selectinload(Violation.user), selectinload(Violation.recorded_by), selectinload(Violation.case))
    return newest_first(session, Violation, where, page, per_page, *people)
