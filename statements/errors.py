"""Errors: JSON under /api, a page in the user's language elsewhere; refusals never leave half a change."""

from __future__ import annotations

from flask import Flask, abort, current_app, jsonify, render_template, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from statements.web_session import rollback_session
from workflow.errors import Conflict, Refusal

_TITLES = {
    400: ("Yêu cầu không hợp lệ", "Bad request"),
    401: ("Cần đăng nhập", "Sign-in required"),
    403: ("Không có quyền", "Not allowed"),
    404: ("Không tìm thấy", "Not found"),
    405: ("Phương thức không được hỗ trợ", "Method not allowed"),
    409: ("Xung đột trạng thái", "Conflict"),
    422: ("Dữ liệu không hợp lệ", "Invalid input"),
    429: ("Quá nhiều lần thử", "Too many attempts"),
    500: ("Lỗi máy chủ", "Server error"),
}


def html_error(error: HTTPException):
    """Render an error page in the person's language."""
    from statements.web.labels import HTTP_MESSAGES

    code = error.code or 500
    vi, en = _TITLES.get(code, (error.name, error.name))
    return render_template("error.html", code=code, title_vi=vi, title_en=en, message=HTTP_MESSAGES.get(code)), code


def _refusal(error: Refusal):
    rollback_session()
    if request.path.startswith("/api/"):
        return jsonify(error.to_dict()), error.status
    vi, en = _TITLES.get(error.status, ("Lỗi", "Error"))
    from statements.web.labels import RULE_MESSAGES

    message = RULE_MESSAGES.get(error.rule, error.message)
    return render_template("error.html", code=error.status, title_vi=vi, title_en=en, message=message), error.status


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
