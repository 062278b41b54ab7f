"""The ledger for auditors (admins read it too), its verification, and the lifecycle diagram."""

from __future__ import annotations

from statements.api.auth import require_actor
from statements.audit.replay import verify_all
from statements.audit.schemas import LedgerArgs, LedgerPageOut, VerifyOut
from statements.extensions import Blueprint
from statements.lifecycle.queries import ledger_page
from statements.lifecycle.serialize import entry_dict
from statements.web_session import db
from workflow.guards import require_read_ledger
from workflow.ledger.sealing import seal_before_reading
from workflow.machine import ACTIONS, mermaid

bp = Blueprint("ledger", __name__, url_prefix="/api/v1", description="The ledger")


@bp.route("/ledger")
@bp.arguments(LedgerArgs, location="query")
@bp.response(200, LedgerPageOut)
def entries(args: dict):
    """List sealed ledger entries in ascending seq, filtered; `unsealed` says how many still wait for their place."""
    require_read_ledger(require_actor())
    waiting = seal_before_reading(db())
    items, total = ledger_page(db(), args, args["page"], args["per_page"])
    return {"items": [entry_dict(e) for e in items], "total": total} | ({"unsealed": waiting} if waiting else {})


@bp.route("/ledger/verify")
@bp.response(200, VerifyOut)
def verify():
    """Recompute the whole chain, then replay it and hold the working tables to it."""
    require_read_ledger(require_actor())
    return verify_all(db())


@bp.route("/workflow")
@bp.doc(security=[])
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
