"""Official letters through the API: issue one from a statement, read it, download it, cancel it; letterheads."""

from __future__ import annotations

from flask import current_app

from statements.api.auth import require_actor
from statements.extensions import Blueprint
from statements.letters import documents, service
from statements.letters.schemas import (
    CancelIn,
    DocumentArgs,
    LetterheadIn,
    LetterheadOut,
    LetterIn,
    LetterOut,
    NumberingIn,
    NumberingOut,
)
from statements.lifecycle.queries import read_statement
from statements.web_session import db

bp = Blueprint("letters", __name__, url_prefix="/api/v1", description="Official letters (Decree 30/2020)")


@bp.route("/statements/<int:statement_id>/letters", methods=["POST"])
@bp.arguments(LetterIn)
@bp.response(201, LetterOut)
def issue(data: dict, statement_id: int):
    """Issue an approved or released statement as the unit's next numbered official letter."""
    return service.letter_dict(db(), service.issue(db(), require_actor(), statement_id, **data))


@bp.route("/statements/<int:statement_id>/letters", methods=["GET"])
@bp.response(200, LetterOut(many=True))
def of_statement(statement_id: int):
    """List the letters issued from a statement, newest first (404 for a statement the caller may not read)."""
    actor = require_actor()
    read_statement(db(), statement_id, actor)
    return service.letter_dicts(db(), service.of_statement(db(), actor, statement_id))


@bp.route("/letters/<int:letter_id>")
@bp.response(200, LetterOut)
def one(letter_id: int):
    """Return one letter."""
    return service.letter_dict(db(), service.get(db(), require_actor(), letter_id))


@bp.route("/letters/<int:letter_id>/document")
@bp.arguments(DocumentArgs, location="query")
@bp.response(200, description="The letter (DOCX or PDF)", content_type="application/octet-stream")
def document(args: dict, letter_id: int):
    """Download the letter as DOCX or PDF; a letter of unreleased content is a logged read."""
    return documents.download(db(), require_actor(), letter_id, args["format"], current_app.config["BASE_URL"])


@bp.route("/letters/<int:letter_id>/cancel", methods=["POST"])
@bp.arguments(CancelIn)
@bp.response(200, LetterOut)
def cancel(data: dict, letter_id: int):
    """Cancel a letter with the reason; it keeps its number, marked cancelled."""
    return service.letter_dict(db(), service.cancel(db(), require_actor(), letter_id, data["reason"]))


@bp.route("/units/<code>/letterhead", methods=["GET"])
@bp.response(200, LetterheadOut)
def letterhead(code: str):
    """Return the unit's letterhead (its own, or the defaults)."""
    return service.read_letterhead(db(), require_actor(), code)


@bp.route("/units/<code>/letterhead", methods=["PUT"])
@bp.arguments(LetterheadIn)
@bp.response(200, LetterheadOut)
def set_letterhead(data: dict, code: str):
    """Set the unit's letterhead (admins); on the ledger."""
    return service.update_letterhead(db(), require_actor(), code, data)


@bp.route("/units/<code>/numbering", methods=["GET"])
@bp.response(200, NumberingOut)
def numbering(code: str):
    """Return the last number the unit has given this year to its letters and reports."""
    return service.numbering(db(), require_actor(), code)


@bp.route("/units/<code>/numbering", methods=["PUT"])
@bp.arguments(NumberingIn)
@bp.response(200, NumberingOut)
def continue_numbering(data: dict, code: str):
    """Carry the year's numbers on from those given before PressGate (admins): forward only; on the ledger."""
    return service.continue_numbering(db(), require_actor(), code, data["last"], data["reason"])
