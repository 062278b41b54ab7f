"""A copy from the statement page: DOCX, PDF or text, fingerprinted and recorded like the API's."""

from __future__ import annotations

from flask import abort, request
from flask_login import login_required

from statements.copies import exports
from statements.web import bp, web_actor
from statements.web_session import db


@bp.route("/statements/<int:statement_id>/export")
@login_required
def export(statement_id: int):
    """Download a copy (unreleased copies are fingerprinted for the person and recorded)."""
    fmt = request.args.get("format", "docx")
    if fmt not in exports.FORMATS:  # refused, not guessed: each copy is fingerprinted and on the ledger
        abort(400)
    return exports.download(db(), statement_id, web_actor(), fmt)
