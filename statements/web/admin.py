"""Administration pages: units, people and roles, the spokesperson designation, sensitivity rules."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import selectinload

from auth import service as org
from auth.models import User
from statements import queries
from statements import rules as rule_service
from statements.serialize import rule_dict, user_dict
from statements.web.labels import refusal_message
from statements.web.views import bp, field_error, web_actor
from statements.web_session import commit, db, rollback_session
from workflow.errors import Refusal
from workflow.states import Role


def _attempt(change: Callable[[], object], done: str) -> bool:
    """Run one change; on invalid input or a conflict, undo it and tell the person why (403 and 404 stay errors)."""
    try:
        change()
        commit()
    except Refusal as refusal:
        rollback_session()
        if refusal.status in (403, 404):
            raise
        # In the person's language where the refusal is a known one (the details name no field: the
        # messages say what is wrong, and the field names are the API's).
        details = " ".join(field_error(m) for messages in (refusal.errors or {}).values() for m in messages)
        flash(f"{refusal_message(refusal.rule, refusal.message)} {details}".strip(), "error")
        return False
    flash(done, "info")
    return True


@bp.route("/admin")
@login_required
def admin():
    """Show the organisation: units with their spokespersons, people with their roles."""
    org.can_manage_org(web_actor())
    session = db()
    codes = org.unit_codes(session)
    users = session.scalars(sa.select(User).options(selectinload(User.memberships)).order_by(User.username))
    units, _total = queries.units_page(session)
    return render_template(
        "web/admin.html", units=units, users=[user_dict(u, codes) for u in users], roles=[r.value for r in Role]
    )


@bp.route("/admin/units", methods=["POST"])
@login_required
def admin_create_unit():
    """Create a unit."""
    f = request.form
    _attempt(
        lambda: org.create_unit(db(), web_actor(), f.get("code", ""), f.get("name", ""), f.get("parent_code") or None),
        _("Unit created."),
    )
    return redirect(url_for("web.admin"))


@bp.route("/admin/users", methods=["POST"])
@login_required
def admin_create_user():
    """Create a person with a first role."""
    f = request.form
    roles = [{"unit": f["unit"], "role": f["role"]}] if f.get("unit") and f.get("role") else []
    _attempt(
        lambda: org.create_user(
            db(),
            web_actor(),
            f.get("username", ""),
            f.get("full_name", ""),
            f.get("password", ""),
            f.get("email") or None,
            roles,
        ),
        _("Account created."),
    )
    return redirect(url_for("web.admin"))


@bp.route("/admin/users/<username>/roles", methods=["POST"])
@login_required
def admin_grant_role(username: str):
    """Give a person a role in a unit, or take it away."""
    f = request.form
    if f.get("revoke"):
        _attempt(
            lambda: org.revoke_role(db(), web_actor(), username, f.get("unit", ""), f.get("role", "")),
            _("Role removed."),
        )
    else:
        _attempt(
            lambda: org.grant_role(db(), web_actor(), username, f.get("unit", ""), f.get("role", "")), _("Role given.")
        )
    return redirect(url_for("web.admin"))


@bp.route("/admin/units/<code>/spokesperson", methods=["POST"])
@login_required
def admin_designate(code: str):
    """Designate the unit's spokesperson (the previous one loses the role)."""
    _attempt(
        lambda: org.designate_spokesperson(db(), web_actor(), code, request.form.get("username", "")),
        _("Spokesperson designated."),
    )
    return redirect(url_for("web.admin"))


@bp.route("/units/<code>/rules", methods=["GET", "POST"])
@login_required
def unit_rules(code: str):
    """Show a unit's sensitivity rules, or add one (its leaders and admins)."""
    actor = web_actor()
    unit = org.get_unit(db(), code)
    rule_service.can_edit_rules(actor, unit)
    if request.method == "POST":
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
        _attempt(lambda: rule_service.create_rule(db(), actor, code, fields), _("Rule added."))
        return redirect(url_for("web.unit_rules", code=code))
    rules = [rule_dict(r) for r in rule_service.list_rules(db(), unit)]
    return render_template("web/rules.html", unit=unit, rules=rules)


@bp.route("/units/<code>/rules/<rule_code>/toggle", methods=["POST"])
@login_required
def toggle_rule(code: str, rule_code: str):
    """Switch a rule on or off."""
    active = request.form.get("active") == "1"
    _attempt(
        lambda: rule_service.update_rule(db(), web_actor(), code, rule_code, {"active": active}),
        _("Rule switched on.") if active else _("Rule switched off."),
    )
    return redirect(url_for("web.unit_rules", code=code))
