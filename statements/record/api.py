"""Commendations through the API: record one (a unit's leaders), read the register (auditors, leaders)."""

from __future__ import annotations

from statements.api.auth import require_actor
from statements.extensions import Blueprint
from statements.record import service
from statements.record.schemas import CommendationIn, CommendationListArgs, CommendationOut
from statements.schemas import page_of
from statements.web_session import db

bp = Blueprint("record", __name__, url_prefix="/api/v1", description="Commendations, beside the violations")


@bp.route("/commendations", methods=["POST"])
@bp.arguments(CommendationIn)
@bp.response(201, CommendationOut)
def commend(data: dict):
    """Record a commendation of one of the unit's people, for what and on which statements."""
    row = service.commend(db(), require_actor(), data["unit"], data["person"], data["description"], data["statements"])
    return service.commendation_dicts(db(), [row])[0]


@bp.route("/commendations", methods=["GET"])
@bp.arguments(CommendationListArgs, location="query")
@bp.response(200, page_of(CommendationOut))
def listed(args: dict):
    """Return the commendations (auditors: all; leaders: their units'), newest first."""
    rows, total = service.listed(db(), require_actor(), args["page"], args["per_page"])
    return {"items": service.commendation_dicts(db(), rows), "total": total}
