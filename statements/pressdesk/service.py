"""The press desk: register a journalist's question, give it its deadline, answer it by a statement or refuse it.

A question is due a number of calendar days after it was received (the unit's policy: 30, or 3 when urgent,
unless the unit set its own). It is answered by an interview or written-answer statement of the unit,
linked to it and taken through the lifecycle like any other (the question counts as answered once that
statement is released), or refused by the spokesperson or a leader on one of the Press Law's grounds with
the reason. Every step is on the ledger.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from auth.models import Unit, User
from auth.service import actor_for, get_unit, get_user
from statements.lifecycle.models import Statement
from statements.lifecycle.queries import standing
from statements.lifecycle.service import holds_kind
from statements.pressdesk.models import GROUNDS, PressRequest
from statements.pressdesk.policy import days_of
from workflow import ledger
from workflow.actor import Actor
from workflow.db import isoformat, utcnow
from workflow.errors import Conflict, Forbidden, Invalid, NotFound
from workflow.guards import (
    require_handle_press,
    require_read_press,
    require_refuse_press,
    units_allowed,
)
from workflow.states import Kind, State

#: The longest a question or a refusal's reason may be.
MAX_QUESTION = 10_000
MAX_REASON = 4000
#: How far back a question may be said to have been received (a register kept up late, not years late).
MAX_BACKDATE = dt.timedelta(days=365)
#: What a question may be, as the lists filter them.
STATUSES = ("open", "overdue", "answering", "answered", "refused")


# --- questions ----------------------------------------------------------------------------------


def register(
    session: Session,
    actor: Actor,
    unit_code: str,
    *,
    outlet: str,
    journalist: str,
    contact: str,
    question: str,
    received_at: dt.datetime,
    urgent: bool = False,
    assignee: str | None = None,
) -> PressRequest:
    """Register a question from the press with its deadline from the unit's policy; on the ledger."""
    unit = get_unit(session, unit_code, "unit")
    require_handle_press(actor, unit.id)
    now = utcnow()
    if received_at > now + dt.timedelta(minutes=5) or received_at < now - MAX_BACKDATE:
        raise Invalid(
            "received_at", "A question is received now or within the past year.", errors={"received_at": ["Not now."]}
        )
    days = days_of(session, unit.id)["urgent" if urgent else "normal"]
    request = PressRequest(
        unit_id=unit.id,
        outlet=outlet.strip(),
        journalist=journalist.strip(),
        contact=contact.strip(),
        question=question.strip(),
        received_at=received_at,
        urgent=urgent,
        due_at=received_at + dt.timedelta(days=days),
        assigned_to_id=_assignee(session, unit.id, assignee) if assignee else None,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(request)
    session.flush()
    _entry(session, actor, request, "register_press_request", extra={"days": days})
    return request


def assign(session: Session, actor: Actor, request_id: int, assignee: str) -> PressRequest:
    """Give an open question to one of the unit's people to prepare the answer; on the ledger."""
    request = _open(session, actor, request_id)
    request.assigned_to_id = _assignee(session, request.unit_id, assignee)
    _entry(session, actor, request, "assign_press_request")
    return request


def link_answer(session: Session, actor: Actor, request_id: int, statement_id: int) -> PressRequest:
    """Link the interview statement that answers an open question; it goes through the lifecycle as any other."""
    request = _open(session, actor, request_id)
    statement = session.get(Statement, statement_id)
    if statement is None or statement.unit_id != request.unit_id:
        raise Invalid("answer", "The answer is a statement of the same unit.", errors={"statement": ["Unknown."]})
    if statement.kind != Kind.INTERVIEW or statement.state in (State.REJECTED, State.WITHDRAWN):
        raise Invalid(
            "answer",
            "A question is answered by an interview statement that is not rejected or withdrawn.",
            errors={"statement": ["Not an interview answer."]},
        )
    taken = session.scalar(sa.select(PressRequest.id).where(PressRequest.answer_id == statement_id))
    if taken is not None and taken != request.id:
        raise Conflict("answer_taken", f"Statement {statement_id} already answers question {taken}.")
    if request.answer_id != statement_id:
        require_no_answer(session, request)
    request.answer_id = statement_id
    _entry(session, actor, request, "answer_press_request", statement_id=statement_id)
    return request


@holds_kind
def _answers_a_question(session: Session, statement_id: int) -> str | None:
    """Say that an answer to a question from the press stays an interview statement (None for others)."""
    answers = session.scalar(sa.select(PressRequest.id).where(PressRequest.answer_id == statement_id))
    return "It answers a question from the press: it stays an interview statement." if answers else None


def require_no_answer(session: Session, request: PressRequest) -> None:
    """Refuse a second answer while the first is alive: it would be unlinked without anyone deciding so."""
    if standing(session, request.answer_id):
        raise Conflict(
            "answer_exists",
            f"Question {request.id} already has its answer, statement {request.answer_id}: revise that one, or"
            " withdraw it first.",
        )


def refuse(session: Session, actor: Actor, request_id: int, ground: str, reason: str) -> PressRequest:
    """Refuse an open question on a ground of the Press Law with the reason (spokesperson or leader); on the ledger."""
    request = _open(session, actor, request_id, refusing=True)
    errors = {}
    if ground not in GROUNDS:
        errors["ground"] = ["Not one of the law's grounds."]
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        errors["reason"] = [f"Say why, in at most {MAX_REASON} characters."]
    if errors:
        raise Invalid("refusal", "A refusal names its ground and says why.", errors=errors)
    if _answered(session, request):
        raise Conflict("answered", "The question is answered: its answer was released.")
    request.status, request.refusal_ground, request.refusal_reason = "refused", ground, reason.strip()
    request.refused_at, request.refused_by_id = utcnow(), actor.user_id
    _entry(session, actor, request, "refuse_press_request", comment=request.refusal_reason, extra={"ground": ground})
    return request


def get(session: Session, actor: Actor | None, request_id: int) -> PressRequest:
    """Return a question the actor may read (the unit's people, leaders above, auditors)."""
    request = session.get(PressRequest, request_id)
    if request is None or actor is None or not actor.can_read_unit(request.unit_id):
        raise NotFound("press_request", f"No question {request_id}.")  # another unit's questions are not said to exist
    return request


def answered_by(session: Session, actor: Actor | None, statement_id: int) -> PressRequest | None:
    """Return the question a statement answers, if the actor may read it (the statement page shows it beside)."""
    request = session.scalar(sa.select(PressRequest).where(PressRequest.answer_id == statement_id))
    if request is None or actor is None or not actor.can_read_unit(request.unit_id):
        return None
    return request


def listed(
    session: Session, actor: Actor, status: str | None, page: int, per_page: int, unit_code: str | None = None
) -> tuple[list[PressRequest], int]:
    """Return a page of the questions the actor may read, those due first, and how many there are."""
    where = [_readable(actor)]
    if unit_code:
        unit = get_unit(session, unit_code, "unit")
        require_read_press(actor, unit.id)
        where.append(PressRequest.unit_id == unit.id)
    if status:
        where.append(_in_status(status, utcnow()))
    query = sa.select(PressRequest).outerjoin(Statement, Statement.id == PressRequest.answer_id).where(*where)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(PressRequest.due_at, PressRequest.id).offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total


def waiting(session: Session, actor: Actor, limit: int = 50) -> list[dict]:
    """Return the unanswered questions of the units the actor handles, theirs first, then the soonest due.

    One query: the inbox runs on every visit, and says only the outlet, the question, the deadline, the
    status, and whom it was given to.
    """
    units = units_allowed(require_handle_press, actor)
    if not units:
        return []
    now = utcnow()
    assignee = aliased(User)
    mine = sa.case((PressRequest.assigned_to_id == actor.user_id, 0), else_=1)
    query = (
        sa.select(
            PressRequest.id,
            PressRequest.outlet,
            PressRequest.question,
            PressRequest.due_at,
            PressRequest.answer_id,
            PressRequest.assigned_to_id,
            PressRequest.urgent,
            assignee.full_name.label("assignee"),
        )
        .outerjoin(Statement, Statement.id == PressRequest.answer_id)
        .outerjoin(assignee, assignee.id == PressRequest.assigned_to_id)
        .where(
            PressRequest.unit_id.in_(units),
            sa.or_(_in_status("open", now), _in_status("answering", now), _in_status("overdue", now)),
        )
        .order_by(mine, PressRequest.due_at, PressRequest.id)
        .limit(limit)
    )
    return [
        {
            "id": row.id,
            "outlet": row.outlet,
            "question": row.question,
            "due_at": isoformat(row.due_at),
            "status": "overdue" if row.due_at < now else ("answering" if row.answer_id else "open"),
            "assignee": row.assignee,
            "mine": row.assigned_to_id == actor.user_id,
            "urgent": row.urgent,
        }
        for row in session.execute(query)
    ]


def counts_by_unit(session: Session, unit_ids: list[int] | None, now: dt.datetime) -> dict[int, tuple[int, int]]:
    """Return, per unit (all when None), how many questions await an answer and how many of them are overdue."""
    waiting = sa.or_(_in_status("open", now), _in_status("answering", now), _in_status("overdue", now))
    query = (
        sa.select(
            PressRequest.unit_id,
            sa.func.count(),
            sa.func.sum(sa.case((PressRequest.due_at < now, 1), else_=0)),
        )
        .outerjoin(Statement, Statement.id == PressRequest.answer_id)
        .where(waiting, *([PressRequest.unit_id.in_(unit_ids)] if unit_ids is not None else []))
        .group_by(PressRequest.unit_id)
    )
    return {unit_id: (count, overdue or 0) for unit_id, count, overdue in session.execute(query)}


def status_of(request: PressRequest, answer_state: str | None, now: dt.datetime | None = None) -> str:
    """Return where a question stands: refused, answered (its answer released), answering, overdue or open."""
    if request.status == "refused":
        return "refused"
    if answer_state in (State.RELEASED, State.RETRACTED):
        return "answered"
    if request.due_at < (now or utcnow()):
        return "overdue"
    return "answering" if request.answer_id else "open"


# --- inside --------------------------------------------------------------------------------------


def _open(session: Session, actor: Actor, request_id: int, *, refusing: bool = False) -> PressRequest:
    request = get(session, actor, request_id)
    (require_refuse_press if refusing else require_handle_press)(actor, request.unit_id)
    if request.status != "open":
        raise Conflict("press_request_closed", f"Question {request_id} was refused; it is closed.")
    return request


def _assignee(session: Session, unit_id: int, username: str) -> int:
    user = get_user(session, username, "assignee")
    try:
        require_handle_press(actor_for(session, user), unit_id)
    except Forbidden as refused:
        raise Invalid(
            "assignee", "The question goes to one of the unit's drafters, spokesperson or leaders.",
            errors={"assignee": ["Not one of the unit's press desk."]},
        ) from refused  # fmt: skip
    return user.id


def _answered(session: Session, request: PressRequest) -> bool:
    if request.answer_id is None:
        return False
    state = session.scalar(sa.select(Statement.state).where(Statement.id == request.answer_id))
    return state in (State.RELEASED, State.RETRACTED)


_ANSWERED = Statement.state.in_([State.RELEASED.value, State.RETRACTED.value])


def _in_status(status: str, now: dt.datetime) -> sa.ColumnElement[bool]:
    """Return the condition for a status (the query joins the answer statement)."""
    if status not in STATUSES:
        raise Invalid("status", "Unknown status.", errors={"status": [f"One of {', '.join(STATUSES)}."]})
    if status == "refused":
        return PressRequest.status == "refused"
    if status == "answered":
        return sa.and_(PressRequest.status == "open", _ANSWERED)
    waiting = sa.and_(PressRequest.status == "open", sa.or_(Statement.id.is_(None), sa.not_(_ANSWERED)))
    if status == "overdue":
        return sa.and_(waiting, PressRequest.due_at < now)
    if status == "answering":
        return sa.and_(waiting, PressRequest.due_at >= now, PressRequest.answer_id.is_not(None))
    return sa.and_(waiting, PressRequest.due_at >= now, PressRequest.answer_id.is_(None))


def _readable(actor: Actor) -> sa.ColumnElement[bool]:
    if actor.is_auditor:
        return sa.true()
    return PressRequest.unit_id.in_(sorted(actor.read_scope))


def _entry(
    session: Session,
    actor: Actor,
    request: PressRequest,
    action: str,
    *,
    statement_id: int | None = None,
    comment: str | None = None,
    extra: dict | None = None,
) -> None:
    unit = session.get(Unit, request.unit_id)
    assignee = session.get(User, request.assigned_to_id) if request.assigned_to_id else None
    ledger.append(
        session,
        kind=ledger.EntryKind.PRESS,
        action=action,
        actor_id=actor.user_id,
        actor=actor.username,
        role=_role(actor, request.unit_id),
        unit=unit.code if unit else None,
        statement_id=statement_id,
        comment=comment,
        # The question's words stay in the register; its hash binds the entry to them.
        data={
            "request": request.id,
            "outlet": request.outlet,
            "question_sha256": hashlib.sha256(request.question.encode("utf-8")).hexdigest(),
            "received_at": isoformat(request.received_at),
            "due_at": isoformat(request.due_at),
            "urgent": request.urgent,
            "assigned_to": assignee.username if assignee else None,
            **(extra or {}),
        },
    )


def _role(actor: Actor, unit_id: int) -> str:
    if actor.speaks_for(unit_id):
        return "spokesperson"
    if actor.is_competent_leader(unit_id):
        return "leader"
    return "drafter"
