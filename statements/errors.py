"""Errors: JSON under /api, a page in the user's language elsewhere; refusals never leave half a change."""

from __future__ import annotations

from flask import Flask, abort, current_app, jsonify, render_template, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from statements.web.labels import HTTP_MESSAGES, HTTP_TITLES, refusal_message
from statements.web_session import rollback_session
from workflow.errors import Conflict, Refusal


def html_error(error: HTTPException):
    """Render an error page in the person's language."""
    code = error.code or 500
    return render_template(
        "error.html", code=code, title=HTTP_TITLES.get(code, error.name), message=HTTP_MESSAGES.get(code)
    ), code


def _refusal(error: Refusal):
    rollback_session()
    if request.path.startswith("/api/"):
        return jsonify(error.to_dict()), error.status
    message = refusal_message(error.rule, error.message)
    return render_template("error.html", code=error.status, title=HTTP_TITLES.get(error.status), message=message), (
        error.status
    )


def _server_error(error: Exception):
    rollback_session()
    current_app.logger.exception("Unhandled error", exc_info=getattr(error, "original_exception", error))
    if request.path.startswith("/api/"):
        return jsonify({"code": 500, "message": "Internal server error; nothing was changed."}), 500
    return html_error(InternalServerError())


def _integrity(error: IntegrityError):
    # Two requests creating the same thing at once: the database's unique constraint decides.
    rollback_session()
    return _refusal(Conflict("conflict", "This conflicts with data written meanwhile; read it again and retry."))


def _refuse_nul_in_url() -> None:
    if "\x00" in request.path or "%00" in request.query_string.decode("latin-1"):
        abort(400, description="The address contains a NUL character.")


def register(app: Flask) -> None:
    """Install the handlers."""
    app.before_request(_refuse_nul_in_url)
    app.register_error_handler(Refusal, _refusal)
    app.register_error_handler(IntegrityError, _integrity)
    app.register_error_handler(InternalServerError, _server_error)
