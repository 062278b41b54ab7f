"""Periodic reports in the browser: choose a unit and a period, read the figures and charts, print or download."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required

from auth.models import Unit
from statements.i18n import day_text
from statements.reports import charts, documents, layout, periods, service
from statements.reports.schemas import IssuedFileArgs, IssueIn, ReportFileArgs
from statements.schemas import load_input
from statements.web import bp, form_number, refused_form, web_actor
from statements.web.messages import refusal_message
from statements.web_session import db
from workflow.actor import Actor
from workflow.db import utcnow
from workflow.deadlines import ZONE, local_day
from workflow.errors import Invalid, Refusal
from workflow.guards import can_issue_letter, can_manage_org, require_read_report, units_allowed


def _units(actor: Actor) -> list[tuple[str, str]]:
    """Return the units whose report the person may read, the topmost first (every unit for an auditor)."""
    where = sa.true() if actor.is_auditor else Unit.id.in_(units_allowed(require_read_report, actor))
    rows = db().execute(sa.select(Unit.id, Unit.code, Unit.name, Unit.parent_id).where(where).order_by(Unit.code)).all()
    ids = {row.id for row in rows}
    # The page opens on the broadest report the person may read: a unit whose parent is not among them.
    return [(row.code, row.name) for row in sorted(rows, key=lambda row: row.parent_id in ids)]


def _choice(actor: Actor) -> dict[str, Any]:
    """Return what the page's form asks for, as given or by default: the first unit, this quarter, rolled up."""
    units = _units(actor)
    today = utcnow().astimezone(ZONE).date()
    this = periods.current_quarter(today)
    last = periods.previous_quarter(this)
    return {
        "units": units,
        "unit": request.args.get("unit") or (units[0][0] if units else ""),
        "period": request.args.get("period") or this.key,
        "rolled_up": request.args.get("scope") != "unit",
        "suggested": [this.key, last.key, f"{today.year}-{today.month:02d}", str(today.year)],
    }


@bp.route("/reports")
@login_required
def reports():
    """Show a unit's report for a period, with its charts and the links to print and download it."""
    actor = web_actor()
    chosen = _choice(actor)
    errors: dict = {}
    report, drawn, status = None, [], 200
    if not chosen["units"]:
        require_read_report(actor, -1)  # nobody's report to read: refused as another unit's would be
    else:
        try:
            report = service.build(db(), actor, chosen["unit"], chosen["period"], rolled_up=chosen["rolled_up"])
        except Invalid as refusal:
            errors, status = refusal.errors or {}, 422
        else:
            drawn = charts.charts(report)
    unit = db().scalar(sa.select(Unit).where(Unit.code == report["unit"])) if report else None
    # Why this report cannot be issued now, said beside where the form would be: before its period ends, or
    # once it is issued, the form would only be refused (and what was typed into it lost).
    not_yet = None
    if report and unit:
        period = periods.parse(report["period"]["key"])
        if period.until >= local_day(utcnow()):
            not_yet = _("It can be issued once its period has ended, after %(day)s.", day=day_text(period.until))
        elif number := service.issued_for(db(), unit.id, period, report["rolled_up"]):
            not_yet = _("Issued as report %(number)s; a correction goes out as a letter.", number=number)
    return render_template(
        "reports/index.html",
        chosen=chosen,
        links=_links(report) if report else {},
        may_set_letterhead=bool(unit) and can_manage_org(actor),
        issued=service.issued_dicts(db(), service.issued_of(db(), actor, unit.code)) if unit else [],
        may_issue=bool(unit) and can_issue_letter(actor, unit.id),
        not_yet=not_yet,
        report=report,
        sections=layout.sections(report) if report else [],
        title=layout.title(report) if report else "",
        coverage=layout.coverage(report) if report else "",
        drawn={chart.name: chart for chart in drawn},
        errors=errors,
        formats=documents.FORMATS,
        cell=documents.cell_text,
    ), status


def _links(report: dict[str, Any]) -> dict[str, str]:
    """Return the query arguments that name this report, for its links."""
    return {"unit": report["unit"], "period": report["period"]["key"]} | (
        {} if report["rolled_up"] else {"scope": "unit"}
    )


@bp.route("/reports/print")
@login_required
def report_print():
    """Show the report as a document to print, laid out as an official report, in Vietnamese as its PDF is."""
    actor = web_actor()
    chosen = _choice(actor)
    try:
        periods.parse(chosen["period"])
    except Invalid:
        return reports()  # the form, its period marked: a link edited by hand lands where it can be put right
    with force_locale("vi"):
        report = service.build(db(), actor, chosen["unit"], chosen["period"], rolled_up=chosen["rolled_up"])
        return render_template(
            "reports/print.html",
            report=report,
            sections=layout.sections(report),
            title=layout.title(report),
            coverage=layout.coverage(report),
            drawn={chart.name: chart for chart in charts.charts(report)},
            head=documents.head(report, None),
            foot=documents.foot(report),
            cell=documents.cell_text,
            roman=documents.roman,
        )


@bp.route("/reports/file")
@login_required
def report_file():
    """Download the report as PDF or DOCX (an official report), or its figures as XLSX or CSV."""
    actor = web_actor()
    chosen = _choice(actor)
    given = {"period": chosen["period"], "scope": "subtree" if chosen["rolled_up"] else "unit"}
    try:
        periods.parse(chosen["period"])
    except Invalid:
        return reports()
    fmt = load_input(ReportFileArgs(), given | {"format": request.args.get("format", "")})["format"]
    report = service.build(db(), actor, chosen["unit"], chosen["period"], rolled_up=chosen["rolled_up"])
    return documents.download(report, fmt)


@bp.route("/reports/issue", methods=["POST"])
@login_required
def report_issue():
    """Issue the report shown under the unit's next number (its spokesperson or a leader)."""
    actor = web_actor()
    form = request.form
    unit_code, scope = form.get("unit", ""), form.get("scope") or "subtree"
    back = url_for(
        "web.reports", unit=unit_code, period=form.get("period", ""), scope=None if scope == "subtree" else scope
    )
    try:
        given = {
            "period": form.get("period", ""),
            "scope": scope,
            "signer": form_number(form.get("signer")) or 0,
            "remarks": {part: form.get(part, "") for part in service.REMARKS},
        }
        checked = load_input(IssueIn(), given)
        row = service.issue(
            db(),
            actor,
            unit_code,
            checked["period"],
            rolled_up=checked["scope"] == "subtree",
            signer=checked["signer"],
            remarks=checked["remarks"],
        )
    except Refusal as refusal:
        if refusal.status in (403, 404):
            raise  # not theirs to issue: refused as any page is
        _errors, _status, said = refused_form(refusal)
        flash(said or refusal_message(refusal.rule, refusal.message), "error")
        return redirect(back)
    flash(_("Report %(number)s issued; it is on the ledger.", number=f"{row.number:02d}/{row.symbol}"), "info")
    return redirect(back)


@bp.route("/issued-reports/<int:report_id>/file")
@login_required
def issued_report_file(report_id: int):
    """Download an issued report as issued: PDF or DOCX with its number, or its figures."""
    fmt = load_input(IssuedFileArgs(), {"format": request.args.get("format", "")})["format"]
    return documents.download_issued(service.issued(db(), web_actor(), report_id), fmt)
