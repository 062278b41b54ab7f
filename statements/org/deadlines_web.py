"""A unit's deadlines in the browser: read by its people, set by its leaders and admins."""

from __future__ import annotations

import datetime as dt
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from auth import service as org
from statements.i18n import day_text
from statements.notifications.texts import KIND_NAMES
from statements.org import deadlines as deadline_service
from statements.org.schemas import DeadlinesIn
from statements.schemas import load_input
from statements.web import bp, web_actor
from statements.web_session import db, rollback_session
from workflow.deadlines import DEFAULT_HOURS, MAX_HOURS, public_holidays
from workflow.errors import Invalid
from workflow.guards import can_edit_deadlines, require_edit_deadlines, require_read_deadlines
from workflow.states import Kind, Urgency

STEP_NAMES = {
    "review": _l("Review (spokesperson)"),
    "sign_off": _l("Sign-off (competent leader)"),
    "release": _l("Release after approval"),
    "revision": _l("Revision asked for (drafter)"),
}
_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _hours_from(form) -> dict:
    """Read the table's fields (urgency.step.kind) into the API's shape, only where they differ from the defaults."""
    hours: dict = {}
    for urgency, steps in DEFAULT_HOURS.items():
        for step, kinds in steps.items():
            for kind, default in kinds.items():
                given = (form.get(f"{urgency}.{step}.{kind}") or "").strip().replace(",", ".")
                if not given:
                    continue
                try:
                    value: object = float(given)
                except ValueError:
                    value = given  # the schema's check refuses it, as the API would
                if value != default:
                    hours.setdefault(urgency, {}).setdefault(step, {})[kind] = value
    return hours


def _days_from(text: str) -> list[str]:
    """Read days off written dd/mm/yyyy (or ISO), one a line or separated by commas, as ISO dates for the schema."""
    days = []
    for item in re.split(r"[\n,;]+", text):
        item = item.strip()
        if found := _DAY.fullmatch(item):
            day, month, year = (int(g) for g in found.groups())
            item = f"{year:04d}-{month:02d}-{day:02d}"
        if item:
            days.append(item)
    return days


@bp.route("/units/<code>/deadlines", methods=["GET", "POST"])
@login_required
def unit_deadlines(code: str):
    """Show a unit's deadlines, or set them (its leaders and admins)."""
    actor = web_actor()
    unit = org.get_unit(db(), code)
    require_read_deadlines(actor, unit.id)
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        require_edit_deadlines(actor, unit.id)
        values = request.form.to_dict()
        try:
            form = request.form
            given = {"hours": _hours_from(form), "days_off": _days_from(form.get("days_off", ""))}
            if form.get("remind_percent"):
                given["remind_percent"] = form["remind_percent"]
            grace = {u: form[f"grace.{u}"] for u in (Urgency.URGENT, Urgency.NORMAL) if form.get(f"grace.{u}")}
            if grace:
                given["grace_minutes"] = grace
            if form.get("mail_policy"):  # the form's mail section was shown: what is unticked is not mandatory
                given["mandatory_mail"] = form.getlist("mandatory_mail")
            checked = load_input(DeadlinesIn(), given)  # the API's contract, and its refusals
            deadline_service.update_policy(
                db(),
                actor,
                code,
                checked["hours"],
                checked["days_off"],
                checked.get("remind_percent"),
                checked.get("grace_minutes"),
                checked.get("mandatory_mail"),
            )
            flash(_("Deadlines saved."), "info")
            return redirect(url_for("web.unit_deadlines", code=code))
        except Invalid as refusal:
            rollback_session()
            errors = refusal.errors or {}
    policy = deadline_service.read_policy(db(), actor, code)
    year = dt.date.today().year
    language = str(get_locale() or "vi")
    return render_template(
        "web/deadlines.html",
        unit=unit,
        policy=policy,
        kinds=[k.value for k in Kind],
        step_names={k: str(v) for k, v in STEP_NAMES.items()},
        max_hours=MAX_HOURS,
        may_edit=can_edit_deadlines(actor, unit.id),
        mail_kinds=list(KIND_NAMES.items()),
        days_off_text="\n".join(day_text(d) for d in policy["days_off"]),
        public_holidays=public_holidays(year, language) + public_holidays(year + 1, language),
        values=values,
        errors=errors,
    ), (422 if errors else 200)
