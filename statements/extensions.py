"""Flask extensions, created once and bound in `create_app`."""

from __future__ import annotations

from flask import request
from flask_smorest import Api as _Api
from flask_wtf import CSRFProtect
from werkzeug.exceptions import HTTPException

from auth.ratelimit import limiter


def _flatten(errors: dict) -> dict:
    # webargs nests validation errors by location ({"json": {...}}); the contract wants {field: [...]}.
    flat: dict = {}
    for location, fields in errors.items():
        if isinstance(fields, dict) and location in ("json", "query", "view_args", "path", "form", "headers"):
            for name, messages in fields.items():
                flat[str(name)] = messages if isinstance(messages, list) else [messages]
        else:
            flat[location] = fields if isinstance(fields, list) else [fields]
    return flat


class Api(_Api):
    """flask-smorest's Api with the contract's error body: code, message, and flat field errors."""

    def handle_http_exception(self, error: HTTPException):
        """Answer every HTTP error under /api as JSON; leave the rest to the HTML handler."""
        if not request.path.startswith("/api/"):
            from statements.errors import html_error

            return html_error(error)
        data = getattr(error, "data", None) or {}
        payload = {
            "code": error.code,
            "status": error.name,
            "message": data.get("message") or error.description or error.name,
        }
        errors = data.get("errors") or data.get("messages")
        if errors:
            payload["errors"] = _flatten(errors)
            if error.code == 422 and "message" not in data:
                payload["message"] = "The request has invalid fields: " + ", ".join(sorted(payload["errors"])) + "."
        if error.code == 400 and "JSON" in (payload["message"] or ""):
            payload["message"] = "The request body is not valid JSON."
        headers = data.get("headers") or {}
        if error.code == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="pressgate"')
        return payload, error.code, headers


csrf = CSRFProtect()
__all__ = ["Api", "csrf", "limiter"]
