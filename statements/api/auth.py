"""Resolve the API caller from the bearer token; cookies are never taken by the API."""

from __future__ import annotations

from flask import g, request
from flask_smorest import abort

from auth.models import ApiToken
from auth.service import resolve_actor
from statements.web_session import db
from workflow.actor import Actor


def optional_actor() -> Actor | None:
    """Return the caller's actor when a valid token is sent, else None."""
    if "actor" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        secret = secret.strip()
        found = resolve_actor(db(), secret, via="api") if scheme.lower() == "bearer" and secret else None
        g.token_id, g.actor = found if found else (None, None)
    return g.actor


def bearer_record() -> ApiToken | None:
    """Return the live token record of this request, or None."""
    optional_actor()
    return db().get(ApiToken, g.token_id) if g.token_id is not None else None


def require_actor() -> Actor:
    """Return the caller's actor, or answer 401."""
    actor = optional_actor()
    if actor is None:
        if request.headers.get("Authorization"):
            abort(401, message="The bearer token is invalid, expired or revoked.")
        abort(401, message="Authentication required: send 'Authorization: Bearer <token>' (POST /api/v1/tokens).")
    return actor
