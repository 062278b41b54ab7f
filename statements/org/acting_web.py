"""A unit's acting spokespersons in the browser: read by its people, appointed and ended by its leaders and admins."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from auth import service as org
from auth.models import Membership, User
from statements.i18n import from_local_input
from statements.org import acting
from statements.org.schemas import ActingEndIn, ActingIn
from statements.org.web import attempt, refusal_text
from statements.schemas import load_input
from statements.web import bp, web_actor
from statements.web_session import db, rollback_session
from workflow.db import utcnow
from workflow.errors import Invalid, Refusal
from workflow.guards import can_appoint_acting, require_appoint_acting, require_read_acting
from workflow.states import Role

STATUS_LABELS = {
    "planned": _l("To come"),
    "active": _l("In effect"),
    "ended": _l("Ended"),
    "cancelled": _l("Cancelled"),
}
#: Offered as usernames in the form (any username may be typed): the people of the unit and of the units
#: above it, auditors aside.
CANDIDATES_LIMIT = 300


def _as_iso(local: str) -> str:
    """Give the browser's local date and time (Hanoi) to the API's schema with its offset; as typed if not one."""
    found = from_local_input(local)
    return found.isoformat() if found else local  # the schema refuses it, in its words


def _candidates(unit_id: int) -> list[tuple[str, str]]:
    auditors = sa.select(Membership.user_id).where(Membership.role == Role.AUDITOR)
    # The designated spokesperson is the one an appointee stands in for.
    speaking = sa.select(Membership.user_id).where(Membership.unit_id == unit_id, Membership.role == Role.SPOKESPERSON)
    parents = org.unit_parents(db())
    units: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in units:
        units.add(current)
        current = parents.get(current)
    rows = db().execute(
        sa.select(User.username, User.full_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.unit_id.in_(sorted(units)), User.active, User.id.not_in(auditors), User.id.not_in(speaking))
        .distinct()
        .order_by(User.full_name)
        .limit(CANDIDATES_LIMIT)
    )
    return [tuple(row) for row in rows]


def _page(code: str, values: dict | None = None, errors: dict | None = None, status: int = 200):
    actor = web_actor()
    unit = org.get_unit(db(), code)
    require_read_acting(actor, unit.id)
    items = acting.list_appointments(db(), actor, code)
    now = utcnow()
    may_appoint = can_appoint_acting(actor, unit.id)
    return render_template(
        "web/acting.html",
        unit=unit,
        items=[acting.appointment_dict(a, now) for a in items],
        # Named as people know each other, not by username.
        people={who.username: who.full_name for a in items for who in (a.appointed_by, a.ended_by) if who},
        may_appoint=may_appoint,
        candidates=_candidates(unit.id) if may_appoint else [],
        max_days=acting.MAX_DAYS,
        status_labels=STATUS_LABELS,
        values=values or {},
        errors=errors or {},
    ), status


@bp.route("/units/<code>/acting", methods=["GET"])
@login_required
def unit_acting(code: str):
    """Show who stands in for the unit's spokesperson, and (for its leaders and admins) appoint someone."""
    return _page(code)


@bp.route("/units/<code>/acting", methods=["POST"])
@login_required
def unit_acting_appoint(code: str):
    """Appoint an acting spokesperson from the form."""
    actor = web_actor()
    unit = org.get_unit(db(), code)
    require_appoint_acting(actor, unit.id)
    values = request.form.to_dict()
    given = {k: v for k, v in values.items() if k in ("username", "reason")}
    given |= {k: _as_iso(values.get(k, "")) for k in ("starts_at", "ends_at") if values.get(k)}

    def appoint() -> object:
        checked = load_input(ActingIn(), given)
        return acting.appoint(
            db(), actor, code, checked["username"], checked["reason"], checked["ends_at"], checked.get("starts_at")
        )

    refused = attempt(appoint, _("Acting spokesperson appointed."))
    if refused is None:
        return redirect(url_for("web.unit_acting", code=code))
    if isinstance(refused, Invalid) and refused.errors:
        return _page(code, values, refused.errors, 422)
    return _page(code, values, {"form": [refusal_text(refused)]}, refused.status)


@bp.route("/acting/<int:appointment_id>/end", methods=["POST"])
@login_required
def acting_end(appointment_id: int):
    """End an acting appointment (or cancel one to come) with the reason from the form."""
    actor = web_actor()
    try:
        reason = load_input(ActingEndIn(), request.form.to_dict())["reason"]
        ended = acting.end(db(), actor, appointment_id, reason)
    except Refusal as refusal:
        rollback_session()
        if refusal.status in (403, 404):
            raise
        # Said above the list, on a page that can be reloaded (not this POST's address).
        flash(refusal_text(refusal), "error")
        return redirect(url_for("web.unit_acting", code=request.form.get("unit", "")))
    cancelled = ended.ended_at is not None and ended.ended_at <= ended.starts_at
    flash(_("Appointment cancelled.") if cancelled else _("Appointment ended."), "info")
    return redirect(url_for("web.unit_acting", code=ended.unit.code))
