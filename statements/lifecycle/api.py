"""Statements: create, revise, decide, read their versions, diffs, history and copies."""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from statements.api import as_documented
from statements.api.auth import require_actor
from statements.extensions import Blueprint
from statements.lifecycle import figures, idempotency, queries, reads, service
from statements.lifecycle.schemas import (
    ActionIn,
    DiffOut,
    FiguresReviewOut,
    LedgerEntryOut,
    PrivacyOut,
    StatementIn,
    StatementListArgs,
    StatementOut,
    VersionIn,
    VersionOut,
)
from statements.lifecycle.serialize import diff_dict, entry_dict, privacy_findings, statement_dict, version_dict
from statements.schemas import PageArgs, page_of
from statements.web_session import db

bp = Blueprint("statements", __name__, url_prefix="/api/v1/statements", description="Statements and their lifecycle")


@bp.route("")
class Statements(MethodView):
    """The statements the caller may see."""

    @bp.arguments(StatementListArgs, location="query")
    @bp.response(200, page_of(StatementOut))
    def get(self, args: dict):
        """List statements, newest first (`awaiting_me=true`: what awaits the caller, oldest first)."""
        actor = require_actor()
        page, per_page = args.pop("page"), args.pop("per_page")
        filters = queries.Filters(**args)
        items, total = reads.listing(db(), actor, filters, page=page, per_page=per_page, how="api_list")
        return as_documented({"items": [statement_dict(s, actor) for s in items], "total": total})

    @bp.arguments(StatementIn)
    @bp.response(201, StatementOut)
    @bp.doc(
        parameters=[
            {
                "in": "header",
                "name": idempotency.HEADER,
                "required": False,
                "schema": {"type": "string", "pattern": idempotency.KEY_RE.pattern, "maxLength": 255},
                "description": "Sent again with the same body, answers with the statement the first request"
                " created (header Idempotent-Replayed: true) instead of creating another; with another body, 422.",
            }
        ]
    )
    def post(self, data: dict):
        """Create a statement in `draft` at version 1 (drafters of the unit); an Idempotency-Key makes retries safe."""
        actor = require_actor()
        key = request.headers.get(idempotency.HEADER)
        statement, replayed = idempotency.create_once(db(), actor, data.pop("unit"), data, key)
        response = as_documented(statement_dict(statement, actor), 201)
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response


@bp.route("/<int:statement_id>")
class StatementResource(MethodView):
    """One statement."""

    @bp.response(200, StatementOut)
    def get(self, statement_id: int):
        """Return the statement at its current version, with `allowed_actions` for the caller."""
        actor = require_actor()
        statement = reads.show(db(), statement_id, actor, "api_statement")
        return as_documented(statement_dict(statement, actor))


@bp.route("/<int:statement_id>/privacy")
class Privacy(MethodView):
    """Where a statement identifies people, and its customary redaction."""

    @bp.response(200, PrivacyOut)
    def get(self, statement_id: int):
        """Return the identifying details of the current version and the text with them redacted.

        A drafter applies the redaction by writing it as the next version (`POST .../versions`); until the
        content identifies nobody, or a leader records the legal basis (`record_consent`,
        `record_legal_duty`), it cannot be released.
        """
        actor = require_actor()
        statement = reads.show(db(), statement_id, actor, "api_privacy")
        return privacy_findings(statement)


@bp.route("/<int:statement_id>/figures")
class Figures(MethodView):
    """A statement's figures as the spokesperson reviews them."""

    @bp.response(200, FiguresReviewOut)
    def get(self, statement_id: int):
        """Return the current figures, their changes, their checks and where they disagree with the last release.

        The last release is the unit's latest released statement with figures of the same subject, period and area.
        """
        actor = require_actor()
        statement = reads.show(db(), statement_id, actor, "api_figures")
        return figures.review(db(), statement)


@bp.route("/<int:statement_id>/versions")
class Versions(MethodView):
    """A statement's versions."""

    @bp.arguments(PageArgs, location="query")
    @bp.response(200, page_of(VersionOut))
    def get(self, args: dict, statement_id: int):
        """List the versions, oldest first."""
        actor = require_actor()
        shown, total = reads.versions(db(), statement_id, actor, "api_versions", **args)
        return {"items": [version_dict(v) for v in shown], "total": total}

    @bp.arguments(VersionIn)
    @bp.response(201, StatementOut)
    def post(self, data: dict, statement_id: int):
        """Write a new version (drafters of the unit; only in draft or changes_requested)."""
        actor = require_actor()
        version = data.pop("version", None)
        statement = service.add_version(db(), statement_id, actor, data, version=version)
        return as_documented(statement_dict(statement, actor), 201)


@bp.route("/<int:statement_id>/versions/<int:number>")
@bp.response(200, VersionOut)
def get_version(statement_id: int, number: int):
    """Return one version."""
    actor = require_actor()
    return version_dict(reads.version(db(), statement_id, number, actor, "api_version"))


@bp.route("/<int:statement_id>/versions/<int:a>/diff/<int:b>")
@bp.response(200, DiffOut)
def diff(statement_id: int, a: int, b: int):
    """Compare two versions word by word."""
    actor = require_actor()
    _statement, old, new = reads.diff(db(), statement_id, a, b, actor, "api_diff")
    return diff_dict(old, new)


@bp.route("/<int:statement_id>/actions", methods=["POST"])
@bp.arguments(ActionIn)
@bp.response(200, StatementOut)
@bp.alt_response(400, description="Unknown action")
@bp.alt_response(403, description="A rule forbids this actor")
@bp.alt_response(404, description="No such statement, or not visible to the caller")
@bp.alt_response(409, description="State does not allow it, or the version is stale")
def act(data: dict, statement_id: int):
    """Take a lifecycle action on the version the caller read."""
    actor = require_actor()
    statement = service.decide(
        db(),
        statement_id,
        actor,
        data["action"],
        version=data["version"],
        comment=data.get("comment"),
        channels=data.get("channels"),
        release_at=data.get("release_at"),
    )
    return as_documented(statement_dict(statement, actor))


@bp.route("/<int:statement_id>/history")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(LedgerEntryOut))
def history(args: dict, statement_id: int):
    """Return the statement's ledger entries, oldest first."""
    actor = require_actor()
    statement = queries.read_statement(db(), statement_id, actor)
    items, total = queries.history(db(), statement, actor, args["page"], args["per_page"])
    return {"items": [entry_dict(e) for e in items], "total": total}
