"""The public press room's JSON: released statements only, no login."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from statements import authenticity
from statements.extensions import Blueprint
from statements.lifecycle.serialize import public_dict
from statements.press import web as press
from statements.press.reads import released_one, released_page
from statements.press.schemas import PublicListArgs, PublicStatementOut, VerdictOut, VerifyIn
from statements.schemas import page_of
from statements.web_session import db

bp = Blueprint("public", __name__, url_prefix="/api/v1/public", description="Public press room")


@bp.route("/statements")
@bp.doc(security=[])
@bp.arguments(PublicListArgs, location="query")
@bp.response(200, page_of(PublicStatementOut), description="Released statements, newest first")
def released(args: dict):
    """List released statements (retracted ones stay, marked), newest first."""
    items, total = released_page(db(), args["page"], args["per_page"], args.get("q"))
    return {"items": [public_dict(s) for s in items], "total": total}


@bp.route("/statements/<int:statement_id>")
@bp.doc(security=[])
@bp.response(200, PublicStatementOut)
def one(statement_id: int):
    """Return one released statement."""
    return public_dict(released_one(db(), statement_id))


@bp.route("/verify", methods=["POST"])
@bp.doc(security=[])
@bp.arguments(VerifyIn)
@bp.response(200, VerdictOut, description="genuine, altered, retracted or not_issued, with the release it names")
def verify_text(data: dict):
    """Say whether a text is a statement the authority released, word for word, altered, or not issued."""
    return authenticity.verify(db(), data["text"], press.contact(), Path(current_app.config["CHECKPOINT_DIR"]))


@bp.route("/verify/<content_hash>")
@bp.doc(security=[])
@bp.response(200, VerdictOut)
def verify_hash(content_hash: str):
    """Answer the link printed on a released copy: the statement released with this content hash (or its first 12)."""
    return authenticity.verify_hash(
        db(), content_hash.lower(), press.contact(), Path(current_app.config["CHECKPOINT_DIR"])
    )
