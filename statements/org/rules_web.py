"""A unit's sensitivity rules: read by the unit's people, auditors and admins, edited by its leaders and admins."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from auth import service as org
from auth.models import Unit
from statements.org import rules as rule_service
from statements.org.schemas import RuleChangeIn, RuleIn
from statements.org.serialize import rule_dict
from statements.org.web import attempt, attempt_and_say, refusal_text
from statements.schemas import load_input
from statements.web import bp, web_actor
from statements.web_session import db
from workflow.actor import Actor
from workflow.guards import can_edit_rules, require_edit_rules, require_read_rules
from workflow.sensitivity import RULE_CODE_MAX, RULE_LABEL_MAX


@bp.route("/units/<code>/rules", methods=["GET", "POST"])
@login_required
def unit_rules(code: str):
    """Show a unit's sensitivity rules, or add one (its leaders and admins)."""
    actor = web_actor()
    unit = org.get_unit(db(), code)
    require_read_rules(actor, unit.id)
    if request.method == "POST":
        require_edit_rules(actor, unit.id)
        f = request.form

        def words(name: str) -> list[str]:
            return [w.strip() for w in (f.get(name) or "").split(",") if w.strip()]

        fields = {
            "code": f.get("code", ""),
            "label": f.get("label", ""),
            "keywords": words("keywords"),
            "topics": words("topics"),
            "detectors": [],
            "source": f.get("source", ""),
        }
        refused = attempt(
            # The API's contract, and its refusals
            lambda: rule_service.create_rule(db(), actor, code, load_input(RuleIn(), fields)),
            _("Rule added."),
        )
        if refused is None:
            return redirect(url_for("web.unit_rules", code=code))
        # Refused, the form comes back as typed, each field's error beside it.
        if not refused.errors:
            flash(refusal_text(refused), "error")
        return _rules_page(actor, unit, values=f.to_dict(), errors=refused.errors, status=refused.status)
    return _rules_page(actor, unit)


def _rules_page(actor: Actor, unit: Unit, values: dict | None = None, errors: dict | None = None, status: int = 200):
    return render_template(
        "web/rules.html",
        unit=unit,
        rules=[rule_dict(r) for r in rule_service.list_rules(db(), unit)],
        may_edit=can_edit_rules(actor, unit.id),
        values=values or {},
        errors=errors or {},
        limits={"code": RULE_CODE_MAX, "label": RULE_LABEL_MAX},
    ), status


@bp.route("/units/<code>/rules/<rule_code>/toggle", methods=["POST"])
@login_required
def toggle_rule(code: str, rule_code: str):
    """Switch a rule on or off."""
    given = request.form.get("active", "")
    # The form's 1 and 0 are the API's true and false; anything else reaches the schema and its refusal.
    active = {"1": True, "0": False}.get(given, given)
    attempt_and_say(
        lambda: rule_service.update_rule(
            db(), web_actor(), code, rule_code, load_input(RuleChangeIn(), {"active": active})
        ),
        _("Rule switched on.") if active is True else _("Rule switched off."),
    )
    return redirect(url_for("web.unit_rules", code=code))
