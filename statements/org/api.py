"""Units, users, spokesperson designation and sensitivity rules (writes: admins; rules: leaders too)."""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from auth import service as org
from auth.models import User
from statements.api.auth import require_actor
from statements.extensions import Blueprint
from statements.lifecycle import figures
from statements.lifecycle.schemas import FiguresPolicyIn, FiguresPolicyOut, ReasonOut
from statements.lifecycle.service import preview_sensitivity
from statements.org import acting, serialize
from statements.org import deadlines as deadline_service
from statements.org import rules as rule_service
from statements.org.schemas import (
    ActingEndIn,
    ActingIn,
    ActingListOut,
    ActingOut,
    DeadlinesIn,
    DeadlinesOut,
    DesignationIn,
    RuleChangeIn,
    RuleIn,
    RuleOut,
    SensitivityPreviewIn,
    UnitIn,
    UnitOut,
    UserIn,
    UserOut,
)
from statements.org.serialize import rule_dict, unit_dict, user_dict
from statements.schemas import PageArgs, page_of
from statements.web_session import db
from workflow.db import isoformat
from workflow.guards import require_read_rules

bp = Blueprint("organisation", __name__, url_prefix="/api/v1", description="Units, users and rules")


@bp.route("/units")
class Units(MethodView):
    """The unit tree."""

    @bp.arguments(PageArgs, location="query")
    @bp.response(200, page_of(UnitOut))
    def get(self, args: dict):
        """List units (any signed-in user)."""
        require_actor()
        items, total = serialize.units_page(db(), args["page"], args["per_page"])
        return {"items": items, "total": total}

    @bp.arguments(UnitIn)
    @bp.response(201, UnitOut)
    def post(self, data: dict):
        """Create a unit (admins); it starts with the default sensitivity rules."""
        actor = require_actor()
        unit = org.create_unit(db(), actor, data["code"], data["name"], data.get("parent_code"))
        return unit_dict(unit, data.get("parent_code"), None)


@bp.route("/units/<string:code>")
class UnitResource(MethodView):
    """One unit."""

    @bp.response(200, UnitOut)
    def get(self, code: str):
        """Return a unit with its spokesperson."""
        require_actor()
        unit = org.get_unit(db(), code)
        spokesperson = org.spokesperson_of(db(), unit)
        return unit_dict(
            unit, unit.parent.code if unit.parent else None, spokesperson.username if spokesperson else None
        )


@bp.route("/units/<string:code>/spokesperson")
class Spokesperson(MethodView):
    """The unit's one designated spokesperson."""

    @bp.arguments(DesignationIn)
    @bp.response(200, UnitOut)
    def put(self, data: dict, code: str):
        """Designate the spokesperson; the previous one loses the role (logged)."""
        actor = require_actor()
        user = org.designate_spokesperson(db(), actor, code, data["username"])
        unit = org.get_unit(db(), code)
        return unit_dict(unit, unit.parent.code if unit.parent else None, user.username)

    @bp.response(200, UnitOut)
    def delete(self, code: str):
        """End the designation: the unit has no spokesperson until one is designated (logged)."""
        actor = require_actor()
        org.remove_spokesperson(db(), actor, code)
        unit = org.get_unit(db(), code)
        return unit_dict(unit, unit.parent.code if unit.parent else None, None)


@bp.route("/units/<string:code>/rules")
class Rules(MethodView):
    """A unit's sensitivity rules."""

    @bp.response(200, page_of(RuleOut))
    def get(self, code: str):
        """List the unit's rules, active or not."""
        actor, unit = require_actor(), org.get_unit(db(), code)
        require_read_rules(actor, unit.id)
        rules = rule_service.list_rules(db(), unit)
        return {"items": [rule_dict(r) for r in rules], "total": len(rules)}

    @bp.arguments(RuleIn)
    @bp.response(201, RuleOut)
    def post(self, data: dict, code: str):
        """Add a rule (leaders of the unit or above, admins); open statements are re-evaluated."""
        actor = require_actor()
        rule = rule_service.create_rule(db(), actor, code, data)
        return rule_dict(rule)


@bp.route("/units/<string:code>/rules/<string:rule_code>")
class RuleResource(MethodView):
    """One sensitivity rule."""

    @bp.arguments(RuleChangeIn)
    @bp.response(200, RuleOut)
    def patch(self, data: dict, code: str, rule_code: str):
        """Change a rule, or switch it off with `active: false`."""
        actor = require_actor()
        rule = rule_service.update_rule(db(), actor, code, rule_code, data)
        return rule_dict(rule)


@bp.route("/units/<string:code>/sensitivity-preview", methods=["POST"])
@bp.arguments(SensitivityPreviewIn)
@bp.response(200, page_of(ReasonOut))
def sensitivity_preview(data: dict, code: str):
    """Say which of the unit's rules a draft would match, before writing it."""
    reasons = preview_sensitivity(db(), require_actor(), code, data["title"], data["body"], data["topics"])
    return {"items": reasons, "total": len(reasons)}


@bp.route("/users")
class Users(MethodView):
    """People and their roles."""

    @bp.arguments(PageArgs, location="query")
    @bp.response(200, page_of(UserOut))
    def get(self, args: dict):
        """List users with their roles (any signed-in user: the organisation is not secret inside it)."""
        require_actor()
        session = db()
        total = session.scalar(sa.select(sa.func.count()).select_from(User))
        users = session.scalars(
            sa.select(User)
            .options(selectinload(User.memberships))
            .order_by(User.username)
            .offset((args["page"] - 1) * args["per_page"])
            .limit(args["per_page"])
        )
        codes = org.unit_codes(db())
        return {"items": [user_dict(u, codes) for u in users], "total": total}

    @bp.arguments(UserIn)
    @bp.response(201, UserOut)
    def post(self, data: dict):
        """Create a user (admins); a spokesperson role only where the unit has none (else 409)."""
        actor = require_actor()
        user = org.create_user(
            db(), actor, data["username"], data["full_name"], data["password"], data.get("email"), data["roles"]
        )
        db().refresh(user)
        return user_dict(user, org.unit_codes(db()))


@bp.route("/users/<string:username>")
class UserResource(MethodView):
    """One person."""

    @bp.response(200, UserOut)
    def get(self, username: str):
        """Return a user with roles."""
        require_actor()
        return user_dict(org.get_user(db(), username), org.unit_codes(db()))


@bp.route("/units/<string:code>/deadlines")
class Deadlines(MethodView):
    """A unit's deadline policy."""

    @bp.response(200, DeadlinesOut)
    def get(self, code: str):
        """Return the hours each step is given (by urgency, step and kind) and the unit's days off."""
        return deadline_dict(deadline_service.read_policy(db(), require_actor(), code))

    @bp.arguments(DeadlinesIn)
    @bp.response(200, DeadlinesOut)
    def put(self, data: dict, code: str):
        """Set what the unit sets over the defaults and its days off (leaders of the unit or above, admins)."""
        policy = deadline_service.update_policy(
            db(),
            require_actor(),
            code,
            data["hours"],
            data["days_off"],
            data.get("remind_percent"),
            data.get("grace_minutes"),
            data.get("mandatory_mail"),
        )
        return deadline_dict(policy)


@bp.route("/units/<string:code>/figures-policy")
class FiguresPolicy(MethodView):
    """A unit's policy for figures (letter 6006 §2)."""

    @bp.response(200, FiguresPolicyOut)
    def get(self, code: str):
        """Return the words a figures analysis needs and the share of numbers that reads as raw figures."""
        return figures.read_policy(db(), require_actor(), code)

    @bp.arguments(FiguresPolicyIn)
    @bp.response(200, FiguresPolicyOut)
    def put(self, data: dict, code: str):
        """Set the unit's figures policy (leaders of the unit or above, admins); on the ledger."""
        return figures.update_policy(db(), require_actor(), code, data["min_analysis_words"], data["raw_share_percent"])


def deadline_dict(policy: dict) -> dict:
    """Return a policy as the API answers it (its time in ISO form)."""
    return policy | {"updated_at": isoformat(policy["updated_at"])}


@bp.route("/units/<string:code>/acting-spokespersons")
class ActingSpokespersons(MethodView):
    """Who stands in for a unit's spokesperson, for a period (ND 09/2017 Art. 2)."""

    @bp.response(200, ActingListOut)
    def get(self, code: str):
        """List the unit's acting appointments: those to come or holding first, then the past."""
        items = acting.list_appointments(db(), require_actor(), code)
        return {"items": [acting.appointment_dict(a) for a in items]}

    @bp.arguments(ActingIn)
    @bp.response(201, ActingOut)
    def post(self, data: dict, code: str):
        """Appoint an acting spokesperson until `ends_at` (leaders of the unit or above, admins); on the ledger."""
        appointment = acting.appoint(
            db(), require_actor(), code, data["username"], data["reason"], data["ends_at"], data.get("starts_at")
        )
        return acting.appointment_dict(appointment)


@bp.route("/acting-spokespersons/<int:appointment_id>/end", methods=["POST"])
@bp.arguments(ActingEndIn)
@bp.response(200, ActingOut)
def end_acting(data: dict, appointment_id: int):
    """End an acting appointment now, or cancel one not yet begun, with the reason; on the ledger."""
    return acting.appointment_dict(acting.end(db(), require_actor(), appointment_id, data["reason"]))
