"""The ledger for auditors (admins read it too), its verification, and the lifecycle diagram."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint

from statements.api.auth import require_actor
from statements.schemas import LedgerArgs, LedgerEntryOut, VerifyOut, page_of
from statements.serialize import entry_dict
from statements.web_session import db
from workflow import ledger
from workflow.actor import Actor
from workflow.errors import Forbidden
from workflow.machine import ACTIONS, mermaid

bp = Blueprint("ledger", __name__, url_prefix="/api/v1", description="The ledger")


def can_read_ledger(actor: Actor) -> None:
    """Auditors read the ledger; admins read it too; nobody changes it."""
    if not (actor.is_auditor or actor.is_admin):
        raise Forbidden("auditor_only", "Only auditors and administrators may read the ledger.")


@bp.route("/ledger")
@bp.arguments(LedgerArgs, location="query")
@bp.response(200, page_of(LedgerEntryOut))
def entries(args: dict):
    """List ledger entries in ascending seq, filtered."""
    can_read_ledger(require_actor())
    entry = ledger.LedgerEntry
    conditions = []
    if "statement" in args:
        conditions.append(entry.statement_id == args["statement"])
    if "actor" in args:
        conditions.append(entry.actor == args["actor"])
    if "kind" in args:
        conditions.append(entry.kind == args["kind"])
    if "action" in args:
        conditions.append(entry.action == args["action"])
    if "since" in args:
        conditions.append(entry.at >= args["since"])
    if "until" in args:
        conditions.append(entry.at < args["until"])
    where = sa.and_(sa.true(), *conditions)
    total = db().scalar(sa.select(sa.func.count()).select_from(entry).where(where))
    rows = db().scalars(
        sa.select(entry)
        .where(where)
        .order_by(entry.seq)
        .offset((args["page"] - 1) * args["per_page"])
        .limit(args["per_page"])
    )
    return {"items": [entry_dict(e) for e in rows], "total": total}


@bp.route("/ledger/verify")
@bp.response(200, VerifyOut)
def verify():
    """Recompute the whole chain from the stored columns."""
    can_read_ledger(require_actor())
    return ledger.verify(db()).as_dict()


@bp.route("/workflow")
@bp.response(200)
def workflow():
    """Describe the lifecycle: actions, their sources and destinations, and a Mermaid diagram."""
    return {
        "actions": [
            {
                "action": a.name,
                "from": [s.value for s in a.sources],
                "to": a.dest.value if a.dest else None,
                "comment_required": a.comment_required,
                "meaning": a.meaning,
            }
            for a in ACTIONS.values()
        ],
        "mermaid": mermaid(),
    }
