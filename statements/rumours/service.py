"""The watch: record what is seen outside about a unit, match it with what was released, judge it, answer it.

An item (a post, an article, a forwarded message) is recorded with where and when it was seen, a summary,
its reach and its words if pasted; the words are matched against the released statements as the public
verification page matches them ("this is our statement of 12 March", "this imitates it but changes its
figures", with the differences). The spokesperson or a leader judges it (true, misleading, false, or
beyond the unit's authority), links the statement it concerns, and answers a false or misleading item
with a `correction` statement, taken through the lifecycle; what is beyond the unit's authority is
reported to the unit above, which sees it in its inbox and may report it further up. Every step is on
the ledger.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from auth.acting import waiting_rows
from auth.models import Unit, User
from auth.service import get_unit
from statements import authenticity
from statements.lifecycle.models import Statement
from statements.lifecycle.queries import standing
from statements.lifecycle.service import holds_kind
from statements.rumours.focal import focal_id
from statements.rumours.models import ASSESSMENTS, Rumour, WatchFocal
from workflow import ledger
from workflow.actor import Actor
from workflow.db import isoformat, utcnow
from workflow.errors import Conflict, Invalid, NotFound
from workflow.guards import require_judge_watch, require_keep_watch, units_allowed
from workflow.ledger import LedgerEntry
from workflow.states import Kind, State

MAX_TEXT = 50_000
MAX_NOTE = 4000
#: How far back an item may be said to have been first seen.
MAX_BACKDATE = dt.timedelta(days=365)


def record(
    session: Session,
    actor: Actor,
    unit_code: str,
    *,
    platform: str,
    address: str,
    first_seen_at: dt.datetime,
    summary: str,
    reach: int | None = None,
    text: str | None = None,
) -> Rumour:
    """Record an item seen outside; its words, if given, are matched against the released statements."""
    unit = get_unit(session, unit_code, "unit")
    require_keep_watch(actor, unit.id)
    now = utcnow()
    if first_seen_at > now + dt.timedelta(minutes=5) or first_seen_at < now - MAX_BACKDATE:
        raise Invalid("first_seen_at", "Seen now or within the past year.", errors={"first_seen_at": ["Not now."]})
    words = (text or "").strip() or None
    item = Rumour(
        unit_id=unit.id,
        platform=platform.strip(),
        address=address.strip(),
        first_seen_at=first_seen_at,
        summary=summary.strip(),
        reach=reach,
        text=words,
        matched=_match(session, words) if words else None,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(item)
    session.flush()
    _entry(session, actor, item, "record_rumour")
    return item


def assess(session: Session, actor: Actor, rumour_id: int, assessment: str, note: str) -> Rumour:
    """Judge an item: true, misleading, false or beyond the unit's authority, with why (spokesperson or leader)."""
    item = get(session, actor, rumour_id)
    require_judge_watch(actor, item.unit_id, focal_id(session, item.unit_id))
    errors = {}
    if assessment not in ASSESSMENTS or assessment == "unassessed":
        errors["assessment"] = ["Not a judgement."]
    if not isinstance(note, str) or not note.strip() or len(note) > MAX_NOTE:
        errors["note"] = [f"Say why, in at most {MAX_NOTE} characters."]
    if errors:
        raise Invalid("assessment", "A judgement says what the item is and why.", errors=errors)
    item.assessment, item.assessment_note = assessment, note.strip()
    item.assessed_at, item.assessed_by_id = utcnow(), actor.user_id
    _entry(session, actor, item, "assess_rumour", comment=item.assessment_note, extra={"assessment": assessment})
    return item


def link(session: Session, actor: Actor, rumour_id: int, *, concerns: int | None, correction: int | None) -> Rumour:
    """Link the unit's statement an item is about, and the correction statement that answers it."""
    item = get(session, actor, rumour_id)
    require_keep_watch(actor, item.unit_id)
    if concerns is not None:
        _statement_of(session, item, concerns, "concerns", None)
        item.concerns_id = concerns
    if correction is not None:
        if item.assessment not in ("false", "misleading"):
            raise Conflict("not_false", "Only an item judged false or misleading is answered by a correction.")
        _statement_of(session, item, correction, "correction", Kind.CORRECTION)
        taken = session.scalar(sa.select(Rumour.id).where(Rumour.correction_id == correction, Rumour.id != item.id))
        if taken is not None:
            raise Conflict("correction_taken", f"Statement {correction} already answers item {taken}.")
        if item.correction_id != correction:
            require_no_correction(session, item)
        item.correction_id = correction
    _entry(
        session,
        actor,
        item,
        "link_rumour",
        statement_id=correction or concerns,
        extra={"concerns": item.concerns_id, "correction": item.correction_id},
    )
    return item


@holds_kind
def _answers_an_item(session: Session, statement_id: int) -> str | None:
    """Say that a correction answering an item seen outside stays a correction (None for others)."""
    answers = session.scalar(sa.select(Rumour.id).where(Rumour.correction_id == statement_id))
    return "It answers an item seen outside: it stays a correction." if answers else None


def require_no_correction(session: Session, item: Rumour) -> None:
    """Refuse a second correction while the first is alive: it would be unlinked without anyone deciding so."""
    if standing(session, item.correction_id):
        raise Conflict(
            "correction_exists",
            f"Item {item.id} already has its correction, statement {item.correction_id}: revise that one, or"
            " withdraw it first.",
        )


def report_up(session: Session, actor: Actor, rumour_id: int, note: str) -> Rumour:
    """Report an item beyond the authority of the unit holding it to the unit above (spokesperson or leader there)."""
    item = get(session, actor, rumour_id)
    holder = item.reported_to_id or item.unit_id
    require_judge_watch(actor, holder, focal_id(session, holder))
    if item.assessment != "beyond_authority":
        raise Conflict("not_beyond", "Only an item judged beyond the unit's authority is reported up.")
    if not isinstance(note, str) or not note.strip() or len(note) > MAX_NOTE:
        raise Invalid("report", "Say why it goes up.", errors={"note": [f"Say why, in at most {MAX_NOTE} characters."]})
    parent = session.scalar(sa.select(Unit.parent_id).where(Unit.id == holder))
    if parent is None:
        raise Conflict("no_unit_above", "The unit holding the item has no unit above it.")
    if not someone_sees(session, parent):
        # Reported there, it would wait in nobody's inbox and tell nobody.
        raise Conflict(
            "nobody_above", "Nobody on PressGate speaks for or leads the units above: tell them by other means."
        )
    item.reported_to_id, item.reported_at = parent, utcnow()
    unit = session.get(Unit, parent)
    _entry(
        session,
        actor,
        item,
        "report_rumour",
        comment=note.strip(),
        extra={"from": _code(session, holder), "to": unit.code if unit else None},
        acting_for=holder,
    )
    return item


def someone_sees(session: Session, unit_id: int) -> bool:
    """Say whether an item reported to the unit reaches someone: its focal officer, spokesperson or leaders above."""
    return focal_id(session, unit_id) is not None or bool(waiting_rows(session, unit_id))


def reportable(session: Session, item: Rumour) -> bool:
    """Say whether the item could go up from where it is now: a unit above, where someone would see it."""
    parent = session.scalar(sa.select(Unit.parent_id).where(Unit.id == (item.reported_to_id or item.unit_id)))
    return parent is not None and someone_sees(session, parent)


def reports_of(session: Session, item: Rumour) -> list[dict]:
    """Return the item's chain of reports up, oldest first: who, when, from which unit to which, and why."""
    entries = session.execute(
        sa.select(LedgerEntry.actor_id, LedgerEntry.at, LedgerEntry.data, LedgerEntry.comment)
        .where(
            LedgerEntry.kind == ledger.EntryKind.WATCH,
            LedgerEntry.action == "report_rumour",
            LedgerEntry.unit == _code(session, item.unit_id),
            LedgerEntry.data["rumour"].as_integer() == item.id,
        )
        .order_by(LedgerEntry.id)
    ).all()
    people = {e.actor_id for e in entries}
    names = dict(session.execute(sa.select(User.id, User.full_name).where(User.id.in_(people))).all())
    return [
        {"by": names.get(e.actor_id), "at": e.at, "from": e.data.get("from"), "to": e.data.get("to"), "why": e.comment}
        for e in entries
    ]


def get(session: Session, actor: Actor | None, rumour_id: int) -> Rumour:
    """Return an item the actor may read: its unit's people and those of the units it was reported to."""
    item = session.get(Rumour, rumour_id)
    if item is None or actor is None or not _readable_by(item, actor):
        raise NotFound("rumour", f"No item {rumour_id}.")
    return item


def corrected_by(session: Session, actor: Actor | None, statement_id: int) -> Rumour | None:
    """Return the item a correction statement answers, if the actor may read it (the statement page shows it)."""
    item = session.scalar(sa.select(Rumour).where(Rumour.correction_id == statement_id))
    if item is None or actor is None or not _readable_by(item, actor):
        return None
    return item


def listed(
    session: Session, actor: Actor, page: int, per_page: int, assessment: str | None = None
) -> tuple[list[Rumour], int]:
    """Return a page of the items the actor may read, the newest seen first, and how many there are."""
    where = [_readable(actor)]
    if assessment:
        if assessment not in ASSESSMENTS:
            raise Invalid("assessment", "Unknown judgement.", errors={"assessment": ["Not a judgement."]})
        where.append(Rumour.assessment == assessment)
    total = session.scalar(sa.select(sa.func.count()).select_from(Rumour).where(*where)) or 0
    rows = session.scalars(
        sa.select(Rumour)
        .where(*where)
        .order_by(Rumour.first_seen_at.desc(), Rumour.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), total


def waiting(session: Session, actor: Actor, limit: int = 50) -> list[dict]:
    """Return what awaits the actor, for the inbox: items to judge, those reported up to them, and corrections to write.

    One query: the inbox runs on every visit, and says only where, what, when, who reported it up and what
    it waits for (`judge`, `reported`, `correct`: a false or misleading item of a unit whose watch the
    actor keeps, with no correction linked yet).
    """
    judged = units_allowed(require_judge_watch, actor)
    kept = units_allowed(require_keep_watch, actor)
    # The units whose focal officer the actor is, asked inside the same query (the inbox's limit of queries).
    focal = sa.select(WatchFocal.unit_id).where(WatchFocal.user_id == actor.user_id).scalar_subquery()
    if not judged and not kept:
        return []
    owner = aliased(Unit)
    to_judge = sa.and_(Rumour.assessment == "unassessed", sa.or_(Rumour.unit_id.in_(judged), Rumour.unit_id.in_(focal)))
    reported = sa.or_(Rumour.reported_to_id.in_(judged), Rumour.reported_to_id.in_(focal))
    to_correct = sa.and_(
        Rumour.assessment.in_(["false", "misleading"]), Rumour.correction_id.is_(None), Rumour.unit_id.in_(kept)
    )
    query = (
        sa.select(
            Rumour.id,
            Rumour.platform,
            Rumour.summary,
            Rumour.first_seen_at,
            Rumour.reported_to_id,
            owner.code,
            sa.case((to_judge, "judge"), (reported, "reported"), else_="correct").label("awaits"),
        )
        .join(owner, owner.id == Rumour.unit_id)
        .where(sa.or_(to_judge, reported, to_correct))
        .order_by(Rumour.first_seen_at.desc(), Rumour.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": row.id,
            "platform": row.platform,
            "summary": row.summary,
            "first_seen_at": isoformat(row.first_seen_at),
            "unit": row.code,
            "reported_to": row.reported_to_id,
            "awaits": row.awaits,
        }
        for row in session.execute(query)
    ]


def counts_by_unit(session: Session, unit_ids: list[int] | None) -> dict[int, tuple[int, int, int]]:
    """Return, per unit (all when None): items not judged, false ones without a released correction, reported up."""
    correction = aliased(Statement)
    uncorrected = sa.and_(
        Rumour.assessment.in_(["false", "misleading"]),
        sa.or_(Rumour.correction_id.is_(None), correction.state != State.RELEASED.value),
    )
    within = [Rumour.unit_id.in_(unit_ids)] if unit_ids is not None else []
    own = session.execute(
        sa.select(
            Rumour.unit_id,
            sa.func.sum(sa.case((Rumour.assessment == "unassessed", 1), else_=0)),
            sa.func.sum(sa.case((uncorrected, 1), else_=0)),
        )
        .outerjoin(correction, correction.id == Rumour.correction_id)
        .where(*within)
        .group_by(Rumour.unit_id)
    ).all()
    reported = dict(
        session.execute(
            sa.select(Rumour.reported_to_id, sa.func.count())
            .where(
                Rumour.reported_to_id.is_not(None),
                *([Rumour.reported_to_id.in_(unit_ids)] if unit_ids is not None else []),
            )
            .group_by(Rumour.reported_to_id)
        ).all()
    )
    out = {unit: (int(a or 0), int(b or 0), reported.get(unit, 0)) for unit, a, b in own}
    for unit, count in reported.items():
        out.setdefault(unit, (0, 0, count))
    return out


# --- inside --------------------------------------------------------------------------------------


def _match(session: Session, text: str) -> dict:
    """Return what the released statements say of the item's words: the verdict, the statement, the differences."""
    try:
        found = authenticity.verify(session, text, "")
    except Invalid:  # fewer than five words: nothing to match
        return {"verdict": "too_short"}
    shown = found["statement"]
    return {
        "verdict": found["verdict"],
        "statement": shown["id"] if shown else None,
        "title": shown["title"] if shown else None,
        "released_at": shown["released_at"] if shown else None,
        "similarity": found["similarity"],
        "differences": found["differences"][:20],
    }


def _statement_of(session: Session, item: Rumour, statement_id: int, field: str, kind: Kind | None) -> None:
    statement = session.get(Statement, statement_id)
    if statement is None or statement.unit_id != item.unit_id:
        raise Invalid("statement", "A statement of the item's unit.", errors={field: ["Unknown."]})
    if kind is not None and (statement.kind != kind or statement.state in (State.REJECTED, State.WITHDRAWN)):
        raise Invalid(
            "statement",
            "A correction statement, not rejected or withdrawn.",
            errors={field: ["Not a correction statement."]},
        )


def _readable_by(item: Rumour, actor: Actor) -> bool:
    return actor.can_read_unit(item.unit_id) or (
        item.reported_to_id is not None and actor.can_read_unit(item.reported_to_id)
    )


def _readable(actor: Actor) -> sa.ColumnElement[bool]:
    if actor.is_auditor:
        return sa.true()
    scope = sorted(actor.read_scope)
    return sa.or_(Rumour.unit_id.in_(scope), Rumour.reported_to_id.in_(scope))


def _role(session: Session, actor: Actor, unit_id: int) -> str:
    """Name the role the actor acts in for the unit holding the item (a leader above it, not any leader)."""
    if actor.speaks_for(unit_id):
        return "spokesperson"
    if actor.is_competent_leader(unit_id):
        return "leader"
    return "focal_officer" if actor.user_id == focal_id(session, unit_id) else "drafter"


def _code(session: Session, unit_id: int) -> str | None:
    return session.scalar(sa.select(Unit.code).where(Unit.id == unit_id))


def _entry(
    session: Session,
    actor: Actor,
    item: Rumour,
    action: str,
    *,
    statement_id: int | None = None,
    comment: str | None = None,
    extra: dict | None = None,
    acting_for: int | None = None,
) -> None:
    ledger.append(
        session,
        kind=ledger.EntryKind.WATCH,
        action=action,
        actor_id=actor.user_id,
        actor=actor.username,
        role=_role(session, actor, acting_for or item.reported_to_id or item.unit_id),
        unit=_code(session, item.unit_id),
        statement_id=statement_id,
        comment=comment,
        # The item's words stay in the register; their hash binds the entry to them.
        data={
            "rumour": item.id,
            "platform": item.platform,
            "address": item.address,
            "first_seen_at": isoformat(item.first_seen_at),
            "summary_sha256": hashlib.sha256(item.summary.encode("utf-8")).hexdigest(),
            "text_sha256": hashlib.sha256(item.text.encode("utf-8")).hexdigest() if item.text else None,
            "verdict": (item.matched or {}).get("verdict"),
            **(extra or {}),
        },
    )
