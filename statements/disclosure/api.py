"""Disclosure investigations (auditors and leaders): cases from text found outside, findings, violations."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from statements.api.auth import require_actor
from statements.disclosure import service
from statements.disclosure.schemas import DisclosureIn, FindingIn
from statements.disclosure.serialize import case_dict, violation_dict
from statements.extensions import Blueprint
from statements.schemas import PageArgs, page_of
from statements.web_session import db

bp = Blueprint(
    "disclosures",
    __name__,
    url_prefix="/api/v1",
    description="Disclosure investigations and the register of violations",
)


class CaseListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["open", "closed"]))


class MatchOut(ma.Schema):
    statement = fields.Integer()
    version = fields.Integer()
    unit = fields.String()
    title = fields.String()
    content_hash = fields.String()
    score = fields.Float()
    released = fields.Boolean()


class ExportFoundOut(ma.Schema):
    fingerprint = fields.String()
    recipient = fields.String()
    statement = fields.Integer()
    version = fields.Integer()
    format = fields.String()
    at = fields.String()
    marks_found = fields.Integer()
    before_seen = fields.Boolean()


class SuspectOut(ma.Schema):
    username = fields.String()
    full_name = fields.String()
    #: Whether evidence tells this person's copy from the others' (their copy's marks or forms).
    distinguished = fields.Boolean()
    #: The weight of that evidence; 0 for the rest of the group, who are listed by name, not ranked.
    score = fields.Float()
    #: The text was public when seen: this is only whose copy it was pasted from, no disclosure.
    public_when_seen = fields.Boolean()
    evidence = fields.List(fields.Dict())


class AnalysisOut(ma.Schema):
    released = fields.Boolean()
    paragraphs = fields.Integer()
    released_paragraphs = fields.Integer()
    matches = fields.List(fields.Nested(MatchOut))
    released_matches = fields.List(fields.Nested(MatchOut))
    exports = fields.List(fields.Nested(ExportFoundOut))
    #: Those the evidence tells apart, by its weight, then everyone else who had the text, by name.
    suspects = fields.List(fields.Nested(SuspectOut))
    distinguished = fields.List(fields.String())
    #: Who had the text before it was seen and nothing tells apart: a group, not a ranking.
    had_access = fields.List(fields.String())
    #: When nobody is told apart, what would narrow the group (copy_with_marks, more_text, …).
    narrowing = fields.List(fields.String())
    #: The text was public when seen: the marks only say whose copy it was pasted from.
    public_when_seen = fields.Boolean()


class ViolationOut(ma.Schema):
    id = fields.Integer()
    case = fields.Integer()
    user = fields.String()
    full_name = fields.String()
    description = fields.String()
    recorded_at = fields.String()
    recorded_by = fields.String()


class CaseOut(ma.Schema):
    id = fields.Integer()
    status = fields.String()
    text = fields.String()
    text_hash = fields.String()
    seen_where = fields.String()
    seen_at = fields.String()
    opened_at = fields.String()
    opened_by = fields.String()
    released = fields.Boolean()
    analysis = fields.Nested(AnalysisOut)
    outcome = fields.String(allow_none=True)
    finding = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    closed_by = fields.String(allow_none=True)
    violations = fields.List(fields.Nested(ViolationOut))


@bp.route("/disclosures", methods=["POST"])
@bp.arguments(DisclosureIn)
@bp.response(201, CaseOut)
def open_case(data: dict):
    """Open a case from text found outside: is it released, which versions, which copy, who had it."""
    case = service.open_case(db(), require_actor(), data["text"], data["seen_where"], data["seen_at"])
    return case_dict(case)


@bp.route("/disclosures", methods=["GET"])
@bp.arguments(CaseListArgs, location="query")
@bp.response(200, page_of(CaseOut))
def list_cases(args: dict):
    """List the cases the caller may see, newest first."""
    items, total = service.list_cases(db(), require_actor(), args.get("status"), args["page"], args["per_page"])
    return {"items": [case_dict(c) for c in items], "total": total}


@bp.route("/disclosures/<int:case_id>")
@bp.response(200, CaseOut)
def get_case(case_id: int):
    """Return one case."""
    return case_dict(service.get_case(db(), case_id, require_actor()))


@bp.route("/disclosures/<int:case_id>/finding", methods=["POST"])
@bp.arguments(FindingIn)
@bp.response(200, CaseOut)
def close_case(data: dict, case_id: int):
    """Close the case with its finding; people found responsible go on the register of violations."""
    case = service.close_case(db(), case_id, require_actor(), data["outcome"], data["finding"], data["violators"])
    return case_dict(case)


@bp.route("/violations")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(ViolationOut))
def violations(args: dict):
    """Return the register of violations (auditors: all; leaders: their units')."""
    items, total = service.list_violations(db(), require_actor(), args["page"], args["per_page"])
    return {"items": [violation_dict(v) for v in items], "total": total}
