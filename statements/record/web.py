"""A unit's record in the browser: the commendations its leaders gave, beside the violations its cases found."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from auth.models import Unit
from auth.service import members
from statements.disclosure.serialize import violation_dict
from statements.disclosure.service import list_violations
from statements.record import service
from statements.record.schemas import CommendationIn
from statements.schemas import load_input
from statements.web import bp, run_step, web_actor
from statements.web_session import db
from workflow.guards import can_commend
from workflow.states import Role

#: Who may be commended: everyone holding a working role in the unit.
PEOPLE_ROLES = (Role.DRAFTER.value, Role.SPOKESPERSON.value, Role.LEADER.value)


@bp.route("/record", methods=["GET", "POST"])
@login_required
def record():
    """Show the commendations and the violations the reader may see; a unit's leaders record commendations."""
    actor = web_actor()
    errors: dict = {}
    refused, status = None, 200
    if request.method == "POST":

        def commend(form: MultiDict[str, str]) -> str:
            typed = form.get("statements", "").replace(",", " ").split()
            numbers = [int(n) if n.isdigit() else n for n in typed]  # as typed otherwise: refused in words
            # One choice names both: the unit and one of its people ("SYT-AH/drafter").
            unit, _slash, person = form.get("person", "").partition("/")
            given = {
                "unit": unit,
                "person": person,
                "description": form.get("description", ""),
                "statements": numbers,
            }
            checked = load_input(CommendationIn(), given)
            service.commend(
                db(), actor, checked["unit"], checked["person"], checked["description"], checked["statements"]
            )
            return _("Commendation recorded; it is on the ledger.")

        taken = run_step({"commend": commend}, url_for("web.record"))
        if isinstance(taken, Response):
            return taken
        errors, status, refused = taken
    commendations, _total = service.listed(db(), actor, 1, 100)
    violations, _count = list_violations(db(), actor, 1, 100)
    units = (
        db()
        .execute(
            sa.select(Unit.id, Unit.code, Unit.name).where(Unit.id.in_(sorted(actor.leader_scope))).order_by(Unit.code)
        )
        .all()
    )
    commendable = [(u.code, u.name, members(db(), u.id, PEOPLE_ROLES)) for u in units if can_commend(actor, u.id)]
    return render_template(
        "record/index.html",
        commendations=service.commendation_dicts(db(), commendations),
        violations=[violation_dict(v) for v in violations],
        commendable=commendable,
        form=request.form,
        errors=errors,
        refused=refused,
    ), status
