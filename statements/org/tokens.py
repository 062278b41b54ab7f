"""Bearer tokens and the caller."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy.orm import selectinload

from auth.login import guard_sign_in, signed_in
from auth.models import User
from auth.service import unit_codes
from auth.tokens import authenticate, issue_token, revoke_token
from statements.api.auth import bearer_token_id, require_actor
from statements.extensions import Blueprint
from statements.org.schemas import TokenIn, TokenOut, UserOut
from statements.org.serialize import user_dict
from statements.web_session import db
from workflow.db import isoformat

bp = Blueprint("tokens", __name__, url_prefix="/api/v1", description="Authentication")


def _units() -> dict[int, str]:
    return unit_codes(db())


@bp.route("/tokens", methods=["POST"])
@bp.doc(security=[])
@bp.arguments(TokenIn)
@bp.response(201, TokenOut)
@bp.alt_response(401, description="Wrong username or password")
@bp.alt_response(429, description="Too many sign-in attempts (per username and address, per address, per account)")
def create_token(credentials: dict):
    """Exchange a username and password for a bearer token."""
    session = db()
    guard_sign_in(credentials["username"])
    user = authenticate(session, credentials["username"], credentials["password"])
    if user is None:
        abort(401, message="Wrong username or password.")
    secret, record = issue_token(session, user, dt.timedelta(hours=current_app.config["TOKEN_TTL_HOURS"]))
    signed_in(session, credentials["username"])
    return {"token": secret, "expires_at": isoformat(record.expires_at), "user": user_dict(user, _units())}


@bp.route("/tokens/current")
class CurrentToken(MethodView):
    """The token of this request."""

    @bp.response(204)
    def delete(self):
        """Revoke the token used for this request."""
        require_actor()
        revoke_token(db(), bearer_token_id())


@bp.route("/me")
class Me(MethodView):
    """The caller."""

    @bp.response(200, UserOut)
    def get(self):
        """Return the caller with their roles."""
        user = db().get(User, require_actor().user_id, options=[selectinload(User.memberships)])
        return user_dict(user, _units())
