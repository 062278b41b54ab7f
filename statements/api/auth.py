"""Resolve the API caller from the bearer token; cookies are never taken by the API."""

from __future__ import annotations

from flask import g, request
from flask_smorest import abort

from auth.models import ApiToken
from auth.service import actor_for, resolve_token
from statements.web_session import db
from workflow.actor import Actor


def bearer_record() -> ApiToken | None:
    """Return the live token record of this request, or None."""
    if "token_record" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        g.token_record = resolve_token(db(), secret.strip()) if scheme.lower() == "bearer" and secret.strip() else None
    return g.token_record


def optional_actor() -> Actor | None:
    """Return the caller's actor when a valid token is sent, else None."""
    if "actor" not in g:
        record = bearer_record()
        g.actor = actor_for(db(), record.user, via="api") if record else None
    return g.actor


def require_actor() -> Actor:
    """Return the caller's actor, or answer 401."""
    actor = optional_actor()
    if actor is None:
        if request.headers.get("Authorization"):
            abort(401, message="The bearer token is invalid, expired or revoked.")
        abort(401, message="Authentication required: send 'Authorization: Bearer <token>' (POST /api/v1/tokens).")
    return actor
