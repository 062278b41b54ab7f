"""Each person's notifications in the browser: the list, opening one, marking read, email settings."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from auth.service import full_names
from statements.notifications import service
from statements.notifications.models import Kind, Mode
from statements.notifications.schemas import SettingsIn
from statements.notifications.serialize import notification_dict
from statements.notifications.texts import KIND_NAMES, REGISTER_PAGES, number_of
from statements.schemas import load_input
from statements.web import bp, web_actor
from statements.web_session import db, page_arg, page_count, rollback_session
from workflow.errors import Invalid

PER_PAGE = 50


@bp.route("/notifications")
@login_required
def notifications():
    """List the person's notifications, newest first, unread ones marked."""
    page = page_arg()
    items, total = service.page_for(db(), web_actor(), page, PER_PAGE)
    return render_template(
        "web/notifications.html",
        items=[notification_dict(n) for n in items],
        # Named as people know each other, not by username (one query for the page).
        people=full_names(db(), [n.actor for n in items if n.actor != "system"]),
        total=total,
        page=page,
        pages=page_count(total, PER_PAGE),
    )


@bp.route("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Mark a notification read and go to its statement."""
    service.mark_read(db(), web_actor(), notification_id)
    found = service.one(db(), web_actor(), notification_id)
    if found.kind == Kind.DISCLOSURE_OPENED:
        return redirect(url_for("web.disclosure", case_id=number_of(found)))
    if found.kind == Kind.ACTING_APPOINTED:
        return redirect(url_for("web.inbox"))
    if found.kind in REGISTER_PAGES:
        if REGISTER_PAGES[found.kind][0] == "request":
            return redirect(url_for("web.press_request", request_id=number_of(found)))
        return redirect(url_for("web.rumour", rumour_id=number_of(found)))
    if found.statement_id is None:
        return redirect(url_for("web.notifications"))
    return redirect(url_for("web.statement", statement_id=found.statement_id))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_all_read():
    """Mark every notification of the person read."""
    marked = service.mark_read(db(), web_actor())
    flash(_("%(n)d notifications marked read.", n=marked), "info")
    return redirect(url_for("web.notifications"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def notification_settings():
    """Choose the language of one's email and which kinds come by email."""
    actor = web_actor()
    errors: dict = {}
    if request.method == "POST":
        form = request.form
        given: dict = {"modes": {kind: form[f"mode-{kind}"] for kind in Kind.ALL if f"mode-{kind}" in form}}
        if "language" in form:  # left out: unchanged, as in the API
            given["language"] = form["language"]
        try:
            checked = load_input(SettingsIn(), given)  # the API's contract, and its refusals
            service.change_settings(db(), actor, checked.get("language"), checked.get("modes") or {})
            flash(_("Your notification settings are saved."), "info")
            return redirect(url_for("web.notification_settings"))
        except Invalid as refusal:
            rollback_session()
            errors = refusal.errors or {}
    return render_template(
        "web/notification_settings.html",
        settings=service.settings_of(db(), actor),
        kinds=[(kind, KIND_NAMES[kind]) for kind in service.kinds_for(db(), actor)],
        modes=Mode.ALL,
        errors=errors,
    ), (422 if errors else 200)
