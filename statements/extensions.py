"""Flask extensions, created once and bound in `create_app`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from apispec import BasePlugin
from flask import request
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from flask_wtf import CSRFProtect
from marshmallow import fields
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from statements.openapi_links import Links
from statements.web_session import rollback_session


def _flatten(errors: dict) -> dict:
    # webargs nests validation errors by location ({"json": {...}}); the contract wants {field: [...]}.
    flat: dict = {}
    for location, found in errors.items():
        if isinstance(found, dict) and location in ("json", "query", "view_args", "path", "form", "headers"):
            for name, messages in found.items():
                flat[str(name)] = messages if isinstance(messages, list) else [messages]
        else:
            flat[location] = found if isinstance(found, list) else [found]
    return flat


class ErrorOut(ma.Schema):
    """Every error the API answers: the status, what went wrong, the rule that refused, field errors."""

    code = fields.Integer(required=True)
    status = fields.String()
    message = fields.String(required=True)
    rule = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


#: gunicorn refuses a request line over 8,190 bytes (gunicorn.conf.py; its maximum short of none at all)
#: with its own HTML page, before the application sees the request: the document says so, truthfully.
URI_TOO_LONG = {
    "description": "The address is longer than the HTTP server takes (8,190 bytes); the server answers in HTML.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


class UriTooLong(BasePlugin):
    """Document the HTTP server's 414 on every operation (an apispec plugin)."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        """Add the 414 answer to each operation of the path."""
        for operation in (operations or {}).values():
            operation.setdefault("responses", {}).setdefault("414", URI_TOO_LONG)


class Api(_Api):
    """flask-smorest's Api with the contract's error body: code, message, and flat field errors."""

    ERROR_SCHEMA = ErrorOut

    def __init__(self, app: Any = None, **kwargs: Any) -> None:
        """Create the Api with PressGate's apispec plugins."""
        spec_kwargs = kwargs.pop("spec_kwargs", None) or {}
        spec_kwargs.setdefault("extra_plugins", [UriTooLong(), Links()])
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def handle_http_exception(self, error: HTTPException):
        """Answer every HTTP error under /api as JSON; leave the rest to the HTML handler."""
        rollback_session()  # a raised error keeps nothing the request wrote before it
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
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers.setdefault("Allow", ", ".join(sorted(error.valid_methods)))
        return payload, error.code, headers


class Blueprint(_Blueprint):
    """flask-smorest's Blueprint, not demanding a body where every field of the body is optional."""

    def arguments(self, schema: type[ma.Schema] | ma.Schema, **kwargs: Any) -> Callable[[Callable], Callable]:
        """Parse and validate the arguments with `schema`; with nothing required, a missing body reads as {}."""
        # The OpenAPI document must not demand a body the API does without.
        instance = schema() if isinstance(schema, type) else schema
        if kwargs.get("location", "json") == "json" and not any(f.required for f in instance.load_fields.values()):
            kwargs.setdefault("required", False)
        # An instance, as flask-smorest documents: given a class, webargs builds (and deep-copies the fields
        # of) a new schema for every request, 3% of a decision's CPU by sampling (py-spy, 2026-12-06; a
        # wall-clock comparison could not see it). Our schemas keep no state between loads.
        return super().arguments(instance, **kwargs)


csrf = CSRFProtect()
__all__ = ["Api", "Blueprint", "csrf"]
