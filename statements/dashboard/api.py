"""The dashboard over the API: the same figures as the page, each with the list that shows its statements."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for

from statements.api.auth import require_actor
from statements.dashboard import service
from statements.dashboard.schemas import DashboardOut
from statements.extensions import Blueprint
from statements.web_session import db

bp = Blueprint("dashboard", __name__, url_prefix="/api/v1", description="What waits on whom, and who is late")


def _list_url(filters: dict) -> str:
    args = service.query_args(filters)
    return url_for("statements.Statements") + ("?" + urlencode(args) if args else "")


def _linked(figure: dict) -> dict:
    """Give a figure its filters as query arguments and the address of the list they make."""
    out = {key: value for key, value in figure.items() if key != "overdue_filters"}
    out["filters"] = service.query_args(figure["filters"])
    out["statements"] = _list_url(figure["filters"])
    if "overdue_filters" in figure:
        out["overdue_statements"] = _list_url(figure["overdue_filters"])
    return out


def _walk(value: object) -> object:
    if isinstance(value, dict):
        value = {key: _walk(item) for key, item in value.items()}
        return _linked(value) if "filters" in value else value
    if isinstance(value, list):
        return [_walk(item) for item in value]
    return value


@bp.route("/dashboard", methods=["GET"])
@bp.response(200, DashboardOut)
def dashboard():
    """Return the caller's dashboard: leaders see the units they lead and those below, auditors everyone's."""
    return _walk(service.summary(db(), require_actor()))
