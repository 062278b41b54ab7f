"""The written notice of a refusal: what a journalist is given when a question is refused (Press Law 2016, Art. 38).

The law lets an authority decline on its listed grounds, and the journalist is owed the ground and the
reason in writing. The notice says only what the register and the ledger hold: the question, when it
was received, the ground, the reason, who refused and in what capacity, the day.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Unit, User
from statements.pressdesk.models import PressRequest
from statements.pressdesk.service import get
from workflow.actor import Actor
from workflow.deadlines import local_day
from workflow.errors import NotFound
from workflow.ledger import EntryKind, LedgerEntry


def refusal_notice(session: Session, actor: Actor | None, request_id: int) -> dict:
    """Return what the notice of a refused question says (404 for a question not refused or not readable)."""
    request: PressRequest = get(session, actor, request_id)
    if request.status != "refused" or request.refused_at is None:
        raise NotFound("refusal", f"Question {request_id} was not refused.")
    unit = session.get(Unit, request.unit_id)
    assert unit is not None  # a question's unit is never deleted
    refuser = session.get(User, request.refused_by_id) if request.refused_by_id else None
    # In what capacity they refused, as the ledger recorded it at the time (not as their roles are now).
    role = session.scalar(
        sa.select(LedgerEntry.role)
        .where(
            LedgerEntry.kind == EntryKind.PRESS,
            LedgerEntry.action == "refuse_press_request",
            LedgerEntry.unit == unit.code,
            LedgerEntry.data["request"].as_integer() == request.id,
        )
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    )
    return {
        "id": request.id,
        "unit_name": unit.name,
        "parent_name": unit.parent.name if unit.parent else None,
        "outlet": request.outlet,
        "journalist": request.journalist,
        "question": request.question,
        "received_at": request.received_at,
        "ground": request.refusal_ground,
        "reason": request.refusal_reason,
        "refused_at": request.refused_at,
        "refused_by": refuser.full_name if refuser else None,
        "role": role or "spokesperson",
        "day": local_day(request.refused_at),
    }
