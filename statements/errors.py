"""Errors: JSON under /api, a page in the user's language elsewhere; refusals never leave half a change."""

from __future__ import annotations

import contextlib

from flask import Flask, abort, current_app, g, jsonify, render_template, request
from sqlalchemy.exc import IntegrityError, ProgrammingError, SQLAlchemyError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, InternalServerError

from statements.db import was_committing
from statements.web.messages import (
    HTTP_MESSAGES,
    HTTP_TITLES,
    IN_DOUBT_MESSAGE,
    NOT_SET_UP_MESSAGE,
    refusal_message,
)
from statements.web_session import rollback_session
from workflow.db import UNAVAILABLE, QuietLog, unavailable_detail
from workflow.errors import Conflict, Refusal


def html_error(error: HTTPException):
    """Render an error page in the person's language."""
    code = error.code or 500
    return render_template(
        "error.html", code=code, title=HTTP_TITLES.get(code, error.name), message=HTTP_MESSAGES.get(code)
    ), code


def _refusal(error: Refusal):
    rollback_session()
    # A refusal that passes with time (too many sign-in attempts) says when to try again.
    headers = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else {}
    if request.path.startswith("/api/"):
        return jsonify(error.to_dict()), error.status, headers
    message = refusal_message(error.rule, error.message)
    page = render_template("error.html", code=error.status, title=HTTP_TITLES.get(error.status), message=message)
    return page, error.status, headers


def _server_error(error: Exception):
    rollback_session()
    current_app.logger.exception("Unhandled error", exc_info=getattr(error, "original_exception", error))
    if request.path.startswith("/api/"):
        return jsonify({"code": 500, "message": "Internal server error; nothing was changed."}), 500
    return html_error(InternalServerError())


#: Seconds a client is asked to wait before retrying while the database is unavailable.
RETRY_AFTER = 5
#: While the database is down every request fails alike: one log line per interval says so, not a
#: traceback per request.
_quiet = QuietLog()


def _not_set_up(error: Exception) -> str | None:
    """Roll back the request's work; say why the database lacks this code's schema if the error may mean that."""
    from statements.migrate import schema_missing  # Alembic: imported on such an error, not by every worker

    with contextlib.suppress(SQLAlchemyError):  # the connection may be the thing that is gone
        rollback_session()
    return schema_missing(current_app.extensions["pressgate"]["engine"], error)


def _schema_error(error: ProgrammingError):
    if (why := _not_set_up(error)) is None:
        return _server_error(error)  # a query the schema does not explain: a bug
    return _unset(why)


def _unset(why: str):
    _quiet.warning(
        current_app.logger,
        "unset",
        "The database is not set up for this PressGate: %s; run `pressgate init-db`; answered 503",
        why,
    )
    api_message = (
        f"The database is not set up for this PressGate ({why}); nothing was changed."
        " An administrator must run `pressgate init-db`."
    )
    return _service_unavailable(api_message, NOT_SET_UP_MESSAGE)


def _unavailable(error: Exception):
    if (why := _not_set_up(error)) is not None:
        return _unset(why)
    _quiet.warning(
        current_app.logger, "unavailable", "The database is unavailable: %s; answered 503", unavailable_detail(error)
    )
    if was_committing(g.get("db_session")):
        api_message = (
            "The database connection was lost while the change was being saved: it may or may not have been"
            " recorded. Read it again before you retry."
        )
        page_message = IN_DOUBT_MESSAGE
    else:
        api_message = (
            f"The database is not available right now; nothing was changed. Try again in {RETRY_AFTER} seconds."
        )
        page_message = HTTP_MESSAGES[503]
    return _service_unavailable(api_message, page_message, {"Retry-After": str(RETRY_AFTER)})


def _service_unavailable(api_message: str, page_message: str, headers: dict | None = None):
    """Answer 503: JSON under /api, the error page in the person's language elsewhere."""
    if request.path.startswith("/api/"):
        return jsonify({"code": 503, "status": "Service Unavailable", "message": api_message}), 503, headers or {}
    return render_template("error.html", code=503, title=HTTP_TITLES[503], message=page_message), 503, headers or {}


def _integrity(error: IntegrityError):
    # Two requests creating the same thing at once: the database's unique constraint decides.
    rollback_session()
    return _refusal(Conflict("conflict", "This conflicts with data written meanwhile; read it again and retry."))


def _refuse_long_chunked_body() -> None:
    """Answer 413 for a chunked body longer than MAX_CONTENT_LENGTH, which Werkzeug would cut off silently."""
    # With no Content-Length, Werkzeug reads up to the limit and stops there: a longer body would be
    # parsed cut short, as if it had ended. Reading it here (cached for the view) and looking one byte
    # past the limit tells the two apart.
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if not chunked or request.content_length is not None or not request.environ.get("wsgi.input_terminated"):
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and len(request.get_data(cache=True)) >= limit and request.environ["wsgi.input"].read(1):
        abort(413)


#: The bodies a browser's form sends.
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse_nul() -> None:
    """Refuse a NUL character in the address or a submitted form, before anything reads them."""
    # No database stores NUL in text and no person types one; the API's bodies are JSON, which its
    # schemas check field by field (schemas.Lenient).
    if "\x00" in request.path or "%00" in request.query_string.decode("latin-1"):
        abort(400, description="The address contains a NUL character.")
    if request.mimetype in _FORMS and _holds_nul(request.form):
        raise Refusal("nul_in_form", "The form contains a NUL character.")  # 400: JSON, or a page (_refusal)


def _holds_nul(form: MultiDict) -> bool:
    return any("\x00" in value for _name, values in form.lists() for value in values)


def register(app: Flask) -> None:
    """Install the handlers."""
    app.before_request(_refuse_long_chunked_body)  # first: what follows reads the body
    app.before_request(_refuse_nul)
    app.register_error_handler(Refusal, _refusal)
    app.register_error_handler(IntegrityError, _integrity)
    app.register_error_handler(ProgrammingError, _schema_error)
    for unavailable in UNAVAILABLE:
        app.register_error_handler(unavailable, _unavailable)
    app.register_error_handler(InternalServerError, _server_error)
