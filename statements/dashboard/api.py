"""The dashboard over the API: the same figures as the page, each with the list that shows its statements."""

from __future__ import annotations

from urllib.parse import urlencode

import marshmallow as ma
from flask import url_for
from marshmallow import fields

from statements.api.auth import require_actor
from statements.dashboard import service
from statements.extensions import Blueprint
from statements.web_session import db

bp = Blueprint("dashboard", __name__, url_prefix="/api/v1", description="What waits on whom, and who is late")


class Figure(ma.Schema):
    count = fields.Integer()
    #: The statement list's query arguments that show the statements counted, and that list's address.
    filters = fields.Dict(keys=fields.String(), values=fields.String())
    statements = fields.String()


class Person(ma.Schema):
    username = fields.String()
    full_name = fields.String()
    #: "author", "spokesperson", "acting_spokesperson" or "leader".
    role = fields.String()


class WaitingRow(ma.Schema):
    unit = fields.String()
    unit_name = fields.String()
    state = fields.String()
    step = fields.String()
    count = fields.Integer()
    overdue = fields.Integer()
    waiting_since = fields.String(allow_none=True)
    waits_on = fields.List(fields.Nested(Person))
    filters = fields.Dict(keys=fields.String(), values=fields.String())
    statements = fields.String()
    overdue_statements = fields.String()


class UnitOverdue(Figure):
    unit = fields.String()
    unit_name = fields.String()
    overdue = fields.Integer()


class PersonOverdue(Figure):
    username = fields.String()
    full_name = fields.String()
    overdue = fields.Integer()
    due_since = fields.String()


class ReleaseTimes(Figure):
    median_hours = fields.Float(allow_none=True)
    p90_hours = fields.Float(allow_none=True)


class Escalations(ma.Schema):
    sign_off = fields.Nested(Figure)
    deadline = fields.Nested(Figure)


class AwaitingReview(Figure):
    overdue = fields.Integer()


class EmergencyReleases(ma.Schema):
    this_week = fields.Nested(Figure)
    last_week = fields.Nested(Figure)
    awaiting_review = fields.Nested(AwaitingReview)


class DashboardOut(ma.Schema):
    as_of = fields.String()
    units = fields.List(fields.String())
    weeks = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.String()))
    waiting = fields.List(fields.Nested(WaitingRow))
    overdue_by_unit = fields.List(fields.Nested(UnitOverdue))
    overdue_by_person = fields.List(fields.Nested(PersonOverdue))
    draft_to_release = fields.Dict(keys=fields.String(), values=fields.Nested(ReleaseTimes))
    escalations = fields.Dict(keys=fields.String(), values=fields.Nested(Escalations))
    emergency_releases = fields.Nested(EmergencyReleases)


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
