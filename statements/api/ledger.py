"""The ledger for auditors (admins read it too), its verification, and the lifecycle diagram."""

from __future__ import annotations

from statements.api.auth import require_actor
from statements.extensions import Blueprint
from statements.queries import ledger_page
from statements.schemas import LedgerArgs, LedgerEntryOut, VerifyOut, page_of
from statements.serialize import entry_dict
from statements.web_session import db
from workflow import verification
from workflow.guards import can_read_ledger
from workflow.machine import ACTIONS, mermaid

bp = Blueprint("ledger", __name__, url_prefix="/api/v1", description="The ledger")


@bp.route("/ledger")
@bp.arguments(LedgerArgs, location="query")
@bp.response(200, page_of(LedgerEntryOut))
def entries(args: dict):
    """List ledger entries in ascending seq, filtered."""
    can_read_ledger(require_actor())
    items, total = ledger_page(db(), args, args["page"], args["per_page"])
    return {"items": [entry_dict(e) for e in items], "total": total}


@bp.route("/ledger/verify")
@bp.response(200, VerifyOut)
def verify():
    """Recompute the whole chain from the stored columns."""
    can_read_ledger(require_actor())
    return verification.verify(db()).as_dict()


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
