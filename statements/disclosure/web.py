"""Disclosure investigations in the browser: open a case, read its evidence, record the finding; the register."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from statements.disclosure import service
from statements.disclosure.models import Outcome
from statements.disclosure.schemas import DisclosureIn, FindingIn
from statements.disclosure.serialize import case_dict, violation_dict
from statements.i18n import from_local_input, local_input_now
from statements.lifecycle.serialize import statement_dict
from statements.schemas import load_input
from statements.web import bp, refused_form, web_actor
from statements.web_session import db, page_arg, page_count, rollback_session
from workflow.errors import Invalid, Refusal
from workflow.guards import require_investigate

PER_PAGE = 25


def _cases_page(values: dict, errors: dict, status: int = 200):
    page = page_arg()
    items, total = service.list_cases(db(), web_actor(), None, page, PER_PAGE)
    return render_template(
        "web/disclosures.html",
        items=[case_dict(c, with_text=False) for c in items],
        total=total,
        page=page,
        pages=page_count(total, PER_PAGE),
        values=values,
        errors=errors,
    ), status


@bp.route("/disclosures", methods=["GET", "POST"])
@login_required
def disclosures():
    """List the cases and open a new one from text found outside."""
    actor = require_investigate(web_actor())
    if request.method == "GET":  # most cases are reported as they are found: now is the likely time
        return _cases_page({"seen_at": local_input_now()}, {})
    form = request.form
    values = {
        "text": form.get("text", ""),
        "seen_where": form.get("seen_where", ""),
        "seen_at": form.get("seen_at", ""),
    }
    seen_at = from_local_input(values["seen_at"])
    if seen_at is None:
        return _cases_page(values, {"seen_at": [_("Give the date and time it was seen.")]}, 422)
    try:
        given = {"text": values["text"], "seen_where": values["seen_where"], "seen_at": seen_at.isoformat()}
        checked = load_input(DisclosureIn(), given)  # the API's contract, and its refusals
        case = service.open_case(db(), actor, checked["text"], checked["seen_where"], checked["seen_at"])
    except Invalid as refusal:
        rollback_session()
        return _cases_page(values, refusal.errors or {}, 422)
    return redirect(url_for("web.disclosure", case_id=case.id))


@bp.route("/disclosures/<int:case_id>", methods=["GET", "POST"])
@login_required
def disclosure(case_id: int):
    """Show a case's evidence; record its finding."""
    actor = web_actor()
    errors: dict = {}
    refused, status = None, 200
    if request.method == "POST":
        form = request.form
        violators = [v.strip() for v in form.get("violators", "").split(",") if v.strip()]
        try:
            given = {"outcome": form.get("outcome", ""), "finding": form.get("finding", ""), "violators": violators}
            checked = load_input(FindingIn(), given)  # the API's contract, and its refusals
            service.close_case(db(), case_id, actor, checked["outcome"], checked["finding"], checked["violators"])
            flash(_("Finding recorded."), "info")
            return redirect(url_for("web.disclosure", case_id=case_id))
        except Refusal as refusal:
            # The form comes back as typed: an investigator who named themselves must not find the
            # suggested outcome put back in place of the one they chose.
            errors, status, refused = refused_form(refusal)
    case = service.get_case(db(), case_id, actor)
    return render_template(
        "web/disclosure.html",
        c=case_dict(case),
        outcomes=Outcome.ALL,
        suggested=_suggested_outcome(case.analysis),
        title_only=_title_only(case.analysis),
        errors=errors,
        refused=refused,
        form=request.form,
    ), status


def _title_only(analysis: dict) -> set[str]:
    """Return who, of those nothing tells apart, saw only the title in a list: they never had the text."""
    return {
        p["username"]
        for p in analysis.get("suspects", [])
        if not p.get("distinguished") and p["evidence"] and {e["type"] for e in p["evidence"]} == {"listed"}
    }


def _suggested_outcome(analysis: dict) -> str:
    """Return the outcome the evidence points to, preselected for the investigator to confirm or change."""
    if analysis.get("released"):
        return Outcome.NOT_A_LEAK
    if any(e["before_seen"] for e in analysis.get("exports", [])):
        return Outcome.LEAK_ATTRIBUTED
    return Outcome.LEAK_UNATTRIBUTED if analysis.get("matches") else Outcome.INCONCLUSIVE


@bp.route("/violations")
@login_required
def violations():
    """Show the register of violations found by closed cases."""
    page = page_arg()
    items, total = service.list_violations(db(), web_actor(), page, PER_PAGE)
    return render_template(
        "web/violations.html",
        items=[violation_dict(v) for v in items],
        total=total,
        page=page,
        pages=page_count(total, PER_PAGE),
    )


@bp.route("/statements/<int:statement_id>/variants")
@login_required
def variant_choices(statement_id: int):
    """Show where each copy of the current version may be written differently, for the drafters to vet."""
    shown = service.variant_choices(db(), statement_id, web_actor(), "web_variants")
    return render_template("web/variants.html", s=statement_dict(shown.pop("statement"), web_actor()), v=shown)
