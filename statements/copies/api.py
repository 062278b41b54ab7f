"""A copy through the API: `GET /api/v1/statements/{id}/export`, on the statements resource."""

from __future__ import annotations

from statements.api.auth import require_actor
from statements.copies import exports
from statements.lifecycle.api import bp
from statements.web_session import db


@bp.route("/<int:statement_id>/export")
@bp.arguments(exports.ExportArgs, location="query")
@bp.response(200, description="The copy (text/plain, DOCX or PDF)", content_type="application/octet-stream")
def export(args: dict, statement_id: int):
    """Export a copy; an unreleased copy names its recipient, carries its fingerprint, and the export is logged."""
    actor = require_actor()
    return exports.download(db(), statement_id, actor, args["format"])
