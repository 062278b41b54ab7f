"""The watch in the browser: items seen outside, their match with what was released, the judgement and the answer."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from auth.models import Unit, User
from auth.service import full_names, members
from statements.i18n import from_local_input, local_input_now
from statements.lifecycle.web import write_linked
from statements.rumours import focal as focals
from statements.rumours import service
from statements.rumours.models import ASSESSMENTS, WatchFocal
from statements.rumours.schemas import AssessmentIn, LinkIn, ReportIn, RumourIn
from statements.rumours.serialize import rumour_dicts
from statements.schemas import load_input
from statements.web import bp, form_number, run_step, web_actor
from statements.web_session import db, page_arg, page_count, rollback_session
from workflow.actor import Actor
from workflow.errors import Invalid
from workflow.guards import DESK_ROLES, can_draft_in, can_judge_watch, can_keep_watch, can_name_focal
from workflow.states import Kind

PER_PAGE = 25


@bp.app_context_processor
def _watch_items() -> dict:
    # A function, not a list: only the inbox asks, so other pages run no query for it.
    return {
        "watch_waiting": lambda: service.waiting(db(), web_actor()),
        "item_corrected_by": lambda statement_id: service.corrected_by(db(), web_actor(), statement_id),
    }


@bp.route("/rumours", methods=["GET", "POST"])
@login_required
def rumours():
    """List what was seen outside about the person's units; record a new item."""
    actor = web_actor()
    if request.method == "GET":
        return _rumours_page(actor, {"first_seen_at": local_input_now()}, {})
    form = request.form
    values = {name: form.get(name, "") for name in ("unit", "platform", "address", "summary", "text", "reach")}
    values["first_seen_at"] = form.get("first_seen_at", "")
    seen = from_local_input(values["first_seen_at"])
    if seen is None:
        return _rumours_page(actor, values, {"first_seen_at": [_("Give the date and time it was first seen.")]}, 422)
    try:
        given = values | {
            "first_seen_at": seen.isoformat(),
            "reach": form_number(values["reach"]),
            "text": values["text"] or None,
        }
        checked = load_input(RumourIn(), given)
        made = service.record(db(), actor, checked.pop("unit"), **checked)
    except Invalid as refusal:
        rollback_session()
        return _rumours_page(actor, values, refusal.errors or {}, 422)
    flash(_("Item recorded."), "info")
    return redirect(url_for("web.rumour", rumour_id=made.id))


def _rumours_page(actor: Actor, values: dict, errors: dict, status: int = 200):
    page = page_arg()
    items, total = service.listed(db(), actor, page, PER_PAGE)
    units = db().execute(sa.select(Unit.id, Unit.code, Unit.name).order_by(Unit.code)).all()
    kept = [row for row in units if can_keep_watch(actor, row.id)]
    focals = dict(
        db()
        .execute(
            sa.select(WatchFocal.unit_id, User.full_name)
            .join(User, User.id == WatchFocal.user_id)
            .where(WatchFocal.unit_id.in_([row.id for row in kept]))
        )
        .all()
    )
    watch = [
        {
            "code": row.code,
            "name": row.name,
            "focal": focals.get(row.id),
            "people": members(db(), row.id, DESK_ROLES) if can_name_focal(actor, row.id) else None,
        }
        for row in kept
    ]
    return render_template(
        "rumours/index.html",
        items=rumour_dicts(db(), items),
        total=total,
        page=page,
        pages=page_count(total, PER_PAGE),
        units=[(row.code, row.name) for row in kept],
        watch=watch,
        values=values,
        errors=errors,
    ), status


@bp.route("/rumours/focal/<code>", methods=["POST"])
@login_required
def watch_focal(code: str):
    """Name the unit's focal officer for the watch, or nobody (its leaders and admins)."""
    try:
        focals.appoint_focal(db(), web_actor(), code, request.form.get("username") or None)
    except Invalid:  # someone left the desk meanwhile; who may not name anyone gets the refusal's own page
        rollback_session()
        flash(_("Choose one of the unit's drafters, spokesperson or leaders."), "error")
        return redirect(url_for("web.rumours"))
    flash(_("Focal officer saved; it is on the ledger."), "info")
    return redirect(url_for("web.rumours"))


@bp.route("/rumours/<int:rumour_id>", methods=["GET", "POST"])
@login_required
def rumour(rumour_id: int):
    """Show an item and what matched it; judge it, link what it concerns and what corrects it, report it up."""
    actor = web_actor()
    errors: dict = {}
    refused, status = None, 200
    if request.method == "POST":
        saved = _("Saved; it is on the ledger.")

        def assess(form: MultiDict[str, str]) -> str:
            given = {"assessment": form.get("assessment", ""), "note": form.get("note", "")}
            checked = load_input(AssessmentIn(), given)
            service.assess(db(), actor, rumour_id, checked["assessment"], checked["note"])
            return saved

        def link(form: MultiDict[str, str]) -> str:
            checked = load_input(LinkIn(), {name: form_number(form.get(name)) for name in ("concerns", "correction")})
            service.link(db(), actor, rumour_id, concerns=checked["concerns"], correction=checked["correction"])
            return saved

        def report(form: MultiDict[str, str]) -> str:
            checked = load_input(ReportIn(), {"note": form.get("note", "")})
            service.report_up(db(), actor, rumour_id, checked["note"])
            return saved

        taken = run_step({"assess": assess, "link": link, "report": report}, url_for("web.rumour", rumour_id=rumour_id))
        if isinstance(taken, Response):
            return taken
        errors, status, refused = taken
    item = service.get(db(), actor, rumour_id)
    shown = rumour_dicts(db(), [item])[0]
    holder = item.reported_to_id or item.unit_id
    focal, holder_focal = focals.focal_id(db(), item.unit_id), focals.focal_id(db(), holder)
    return render_template(
        "rumours/show.html",
        r=shown,
        names=full_names(db(), [shown["assessed_by"]]),
        may_keep=can_keep_watch(actor, item.unit_id),
        may_judge=can_judge_watch(actor, item.unit_id, focal),
        may_report=can_judge_watch(actor, holder, holder_focal)
        and item.assessment == "beyond_authority"
        and service.reportable(db(), item),
        reports=service.reports_of(db(), item) if item.reported_to_id else [],
        may_draft=can_draft_in(actor, item.unit_id) and item.assessment in ("false", "misleading"),
        assessments=[a for a in ASSESSMENTS if a != "unassessed"],
        errors=errors,
        refused=refused,
        form=request.form,
    ), status


@bp.route("/rumours/<int:rumour_id>/correction/new", methods=["GET", "POST"])
@login_required
def write_correction(rumour_id: int):
    """Write the correction statement that answers a false or misleading item; saved, it is linked to it."""
    actor = web_actor()
    item = service.get(db(), actor, rumour_id)
    service.require_no_correction(db(), item)  # before the drafter writes a correction that could not be linked
    # It answers the item, not the statement the item is about: that statement was right, and the press room
    # says the false version was answered (statements.press.reads.rebuttals), never that it was corrected.
    fixed: dict[str, object] = {"kind": Kind.CORRECTION.value}
    return write_linked(
        actor,
        item.unit_id,
        fixed,
        # The statement is the authority's public words, in Vietnamese whatever the drafter's interface; the
        # item's summary is the staff's own note (and may repeat the false figures): it is not the headline.
        {"urgency": "urgent", "title": f"Đính chính thông tin sai sự thật trên {item.platform}"},
        lambda statement_id: service.link(db(), actor, rumour_id, concerns=None, correction=statement_id),
        _("Correction saved as a draft and linked to the item."),
        corrects=item,
    )
