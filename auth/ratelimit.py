"""Failed sign-ins are limited per username, the same way for the API and the web form."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter

limiter = Limiter(key_func=lambda: request.remote_addr or "local", default_limits=[], headers_enabled=True)


def _username_key() -> str:
    # Count failures per username (not per address), so guessing one account's password is stopped.
    data = request.get_json(silent=True) if request.is_json else request.form
    username = data.get("username") if hasattr(data, "get") else None
    return f"login:{username.strip()}" if isinstance(username, str) else f"login-addr:{request.remote_addr}"


#: Decorate a sign-in view: only failures (401) count, on one counter per username for API and web alike.
login_failures = limiter.shared_limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT"],
    scope="sign-in",
    key_func=_username_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 401,
)


def init_app(app: Flask) -> None:
    """Register the limiter, without its per-request check when no limit applies app- or blueprint-wide."""
    limiter.init_app(app)
    manager = limiter.limit_manager
    if manager.application_limits or manager.default_limits or manager._blueprint_limits:
        return
    # Every limit here is a view's own, which its decorator checks when the view runs; the
    # before-request check would only find none, at ~200 function calls on every request.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
