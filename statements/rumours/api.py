"""Items seen outside about a unit: record, judge, link what answers them, report them up."""

from __future__ import annotations

from statements.api.auth import require_actor
from statements.extensions import Blueprint
from statements.rumours import focal as focals
from statements.rumours import service
from statements.rumours.schemas import (
    AssessmentIn,
    FocalIn,
    FocalOut,
    LinkIn,
    ReportIn,
    RumourIn,
    RumourListArgs,
    RumourOut,
)
from statements.rumours.serialize import rumour_dicts
from statements.schemas import page_of
from statements.web_session import db

bp = Blueprint("rumours", __name__, url_prefix="/api/v1", description="Rumours, fake news and corrections")


def _one(item) -> dict:
    return rumour_dicts(db(), [item])[0]


@bp.route("/rumours", methods=["POST"])
@bp.arguments(RumourIn)
@bp.response(201, RumourOut)
def record(data: dict):
    """Record an item seen outside; its words, if given, are matched against the released statements."""
    unit = data.pop("unit")
    return _one(service.record(db(), require_actor(), unit, **data))


@bp.route("/rumours", methods=["GET"])
@bp.arguments(RumourListArgs, location="query")
@bp.response(200, page_of(RumourOut))
def listed(args: dict):
    """List the items the caller may read, the newest seen first."""
    items, total = service.listed(db(), require_actor(), args["page"], args["per_page"], args.get("assessment"))
    return {"items": rumour_dicts(db(), items), "total": total}


@bp.route("/rumours/<int:rumour_id>")
@bp.response(200, RumourOut)
def one(rumour_id: int):
    """Return one item."""
    return _one(service.get(db(), require_actor(), rumour_id))


@bp.route("/rumours/<int:rumour_id>/assessment", methods=["POST"])
@bp.arguments(AssessmentIn)
@bp.response(200, RumourOut)
def assess(data: dict, rumour_id: int):
    """Judge the item: true, misleading, false or beyond the unit's authority, with why."""
    return _one(service.assess(db(), require_actor(), rumour_id, data["assessment"], data["note"]))


@bp.route("/rumours/<int:rumour_id>/links", methods=["POST"])
@bp.arguments(LinkIn)
@bp.response(200, RumourOut)
def link(data: dict, rumour_id: int):
    """Link the statement the item concerns and the correction statement that answers it."""
    linked = service.link(db(), require_actor(), rumour_id, concerns=data["concerns"], correction=data["correction"])
    return _one(linked)


@bp.route("/rumours/<int:rumour_id>/report", methods=["POST"])
@bp.arguments(ReportIn)
@bp.response(200, RumourOut)
def report(data: dict, rumour_id: int):
    """Report an item beyond the unit's authority to the unit above."""
    return _one(service.report_up(db(), require_actor(), rumour_id, data["note"]))


@bp.route("/units/<code>/watch-focal", methods=["GET"])
@bp.response(200, FocalOut)
def focal(code: str):
    """Return the unit's focal officer for the watch (who keeps and triages what is seen outside), if any."""
    return focals.read_focal(db(), require_actor(), code)


@bp.route("/units/<code>/watch-focal", methods=["PUT"])
@bp.arguments(FocalIn)
@bp.response(200, FocalOut)
def set_focal(data: dict, code: str):
    """Name one of the unit's press desk its focal officer, or nobody (leaders and admins); on the ledger."""
    return focals.appoint_focal(db(), require_actor(), code, data["username"])
