"""Questions from the press: register, assign, link the answer, refuse; the unit's time limits."""

from __future__ import annotations

from statements.api.auth import require_actor
from statements.extensions import Blueprint
from statements.pressdesk import policy as policies
from statements.pressdesk import service
from statements.pressdesk.schemas import (
    AnswerIn,
    AssignIn,
    PressListArgs,
    PressPolicyIn,
    PressPolicyOut,
    PressRequestIn,
    PressRequestOut,
    RefusalIn,
)
from statements.pressdesk.serialize import request_dicts
from statements.schemas import page_of
from statements.web_session import db

bp = Blueprint("press_requests", __name__, url_prefix="/api/v1", description="Questions from the press")


def _one(request) -> dict:
    return request_dicts(db(), [request])[0]


@bp.route("/press-requests", methods=["POST"])
@bp.arguments(PressRequestIn)
@bp.response(201, PressRequestOut)
def register(data: dict):
    """Register a journalist's question; its deadline comes from the unit's policy."""
    unit = data.pop("unit")
    return _one(service.register(db(), require_actor(), unit, **data))


@bp.route("/press-requests", methods=["GET"])
@bp.arguments(PressListArgs, location="query")
@bp.response(200, page_of(PressRequestOut))
def listed(args: dict):
    """List the questions the caller may read, the soonest due first."""
    items, total = service.listed(
        db(), require_actor(), args.get("status"), args["page"], args["per_page"], args.get("unit")
    )
    return {"items": request_dicts(db(), items), "total": total}


@bp.route("/press-requests/<int:request_id>")
@bp.response(200, PressRequestOut)
def one(request_id: int):
    """Return one question."""
    return _one(service.get(db(), require_actor(), request_id))


@bp.route("/press-requests/<int:request_id>/assign", methods=["POST"])
@bp.arguments(AssignIn)
@bp.response(200, PressRequestOut)
def assign(data: dict, request_id: int):
    """Give the question to one of the unit's drafters, spokesperson or leaders."""
    return _one(service.assign(db(), require_actor(), request_id, data["assignee"]))


@bp.route("/press-requests/<int:request_id>/answer", methods=["POST"])
@bp.arguments(AnswerIn)
@bp.response(200, PressRequestOut)
def answer(data: dict, request_id: int):
    """Link the interview statement that answers the question (answered once it is released)."""
    return _one(service.link_answer(db(), require_actor(), request_id, data["statement"]))


@bp.route("/press-requests/<int:request_id>/refusal", methods=["POST"])
@bp.arguments(RefusalIn)
@bp.response(200, PressRequestOut)
def refuse(data: dict, request_id: int):
    """Refuse the question on a ground of the Press Law (Art. 38), with the reason."""
    return _one(service.refuse(db(), require_actor(), request_id, data["ground"], data["reason"]))


@bp.route("/units/<code>/press-policy", methods=["GET"])
@bp.response(200, PressPolicyOut)
def policy(code: str):
    """Return the days the unit gives itself to answer the press (ordinary and urgent questions)."""
    return policies.read_policy(db(), require_actor(), code)


@bp.route("/units/<code>/press-policy", methods=["PUT"])
@bp.arguments(PressPolicyIn)
@bp.response(200, PressPolicyOut)
def set_policy(data: dict, code: str):
    """Set the unit's time limits (its leaders and admins); on the ledger."""
    return policies.update_policy(db(), require_actor(), code, data["normal_days"], data["urgent_days"])
