"""Resolve the API caller from the bearer token; cookies are never taken by the API."""

from __future__ import annotations

from flask import g, request
from flask_smorest import abort

from auth.tokens import resolve_grant
from statements.web_session import db
from workflow.actor import Actor


def optional_actor() -> Actor | None:
    """Return the caller's actor when a valid token is sent, else None."""
    if "actor" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        secret = secret.strip()
        grant = resolve_grant(db(), secret, via="api") if scheme.lower() == "bearer" and secret else None
        g.token_id, g.actor = (grant.token_id, grant.actor) if grant else (None, None)
    return g.actor


def bearer_token_id() -> int | None:
    """Return the id of this request's live token, or None."""
    optional_actor()
    return g.token_id


def require_actor() -> Actor:
    """Return the caller's actor, or answer 401."""
    actor = optional_actor()
    if actor is None:
        if request.headers.get("Authorization"):
            abort(401, message="The bearer token is invalid, expired or revoked.")
        abort(401, message="Authentication required: send 'Authorization: Bearer <token>' (POST /api/v1/tokens).")
    return actor
