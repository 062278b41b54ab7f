"""Periodic reports through the API: a unit's figures for a period as JSON, or the report as a file."""

from __future__ import annotations

from statements.api.auth import require_actor
from statements.extensions import Blueprint
from statements.reports import documents, service
from statements.reports.schemas import (
    IssuedFileArgs,
    IssuedReportOut,
    IssueIn,
    ReportArgs,
    ReportFileArgs,
    ReportOut,
)
from statements.web_session import db

OCTETS = "application/octet-stream"
bp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Periodic reports to the body above")


@bp.route("/reports/<code>")
@bp.arguments(ReportArgs, location="query")
@bp.response(200, ReportOut)
def report(args: dict, code: str):
    """Return the unit's figures for the period, over the units below it unless `scope` is `unit`."""
    return service.build(db(), require_actor(), code, args["period"], rolled_up=args["scope"] == "subtree")


@bp.route("/reports/<code>/file")
@bp.arguments(ReportFileArgs, location="query")
@bp.response(
    200, description="The report (PDF, DOCX) or its figures (XLSX, CSV)", content_type="application/octet-stream"
)
def report_file(args: dict, code: str):
    """Return the report as an official report (PDF or DOCX, in Vietnamese) or its figures (XLSX or CSV)."""
    built = service.build(db(), require_actor(), code, args["period"], rolled_up=args["scope"] == "subtree")
    return documents.download(built, args["format"])


@bp.route("/reports/<code>/issue", methods=["POST"])
@bp.arguments(IssueIn)
@bp.response(201, IssuedReportOut)
def issue(data: dict, code: str):
    """Issue the unit's report for the period under its next number, its figures kept as they stand now."""
    row = service.issue(
        db(),
        require_actor(),
        code,
        data["period"],
        rolled_up=data["scope"] == "subtree",
        signer=data["signer"],
        remarks=data["remarks"],
    )
    return service.issued_dicts(db(), [row])[0]


@bp.route("/reports/<code>/issued")
@bp.response(200, IssuedReportOut(many=True))
def issued_of(code: str):
    """Return the reports the unit has issued, newest first."""
    return service.issued_dicts(db(), service.issued_of(db(), require_actor(), code))


@bp.route("/issued-reports/<int:report_id>/file")
@bp.arguments(IssuedFileArgs, location="query")
@bp.response(200, description="The issued report (PDF, DOCX) or its figures (XLSX, CSV)", content_type=OCTETS)
def issued_file(args: dict, report_id: int):
    """Return an issued report as issued: its number, its date and its figures as they stood then."""
    return documents.download_issued(service.issued(db(), require_actor(), report_id), args["format"])
