"""The public press room: released statements, newest first, and the public verification; nothing unreleased."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from statements import authenticity
from statements.lifecycle import snapshots
from statements.lifecycle.serialize import public_dict
from statements.press.reads import corrections_of, is_public, question_of, rebuttals, released_one, released_page
from statements.web_session import count_limit, db, page_arg, paged
from workflow import figures
from workflow.errors import Invalid, NotFound
from workflow.ledger import checkpoints as checkpoint_files

bp = Blueprint("press", __name__, url_prefix="/press")
PER_PAGE = 20


@bp.route("")
def index() -> str:
    """List released statements."""
    page = page_arg()
    q = (request.args.get("q") or "")[:200]
    limit = count_limit(page, PER_PAGE)
    items, total = released_page(db(), page, PER_PAGE, q, count_up_to=limit)
    return render_template(
        "press/index.html", items=[public_dict(s) for s in items], **paged(total or 0, page, PER_PAGE, limit), q=q
    )


@bp.route("/<int:statement_id>")
def show(statement_id: int) -> str:
    """Show one released statement."""
    shown = public_dict(released_one(db(), statement_id))
    corrected = snapshots.one(db(), shown["corrects"]) if shown["corrects"] else None
    return render_template(
        "press/show.html",
        s=shown,
        changes=figures.changes(shown["figures"]) if shown["figures"] else [],
        rebutted=rebuttals(db(), statement_id),
        corrects=public_dict(corrected) if corrected and is_public(corrected) else None,
        asked=question_of(db(), statement_id) if shown["kind"] == "interview" else None,
        corrected_by=[public_dict(c) for c in corrections_of(db(), statement_id)],
    )


@bp.route("/verify", methods=["GET", "POST"])
def verify_page() -> tuple[str, int] | str:
    """Tell anyone whether a pasted text or an uploaded copy is a statement the authority released."""
    if request.method == "GET":
        return render_template("press/verify.html", result=None, text="", errors={})
    text = request.form.get("text", "")
    try:
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            text = authenticity.text_of_upload(upload.filename, upload.read(authenticity.MAX_UPLOAD + 1))
        result = authenticity.verify(db(), text, contact(), _checkpoints())
    except Invalid as invalid:
        return render_template("press/verify.html", result=None, text=text, errors=invalid.errors), 422
    # A forged version of a statement may have circulated before: the reader is sent to the authority's answer.
    answered = rebuttals(db(), result["statement"]["id"])[0] if result["verdict"] == "altered" else []
    return render_template("press/verify.html", result=result, text=text, errors={}, answered=answered)


@bp.route("/verify/<content_hash>")
def verify_link(content_hash: str) -> tuple[str, int] | str:
    """Answer the link printed on a released copy: the statement released with this content hash."""
    try:
        result = authenticity.verify_hash(db(), content_hash.lower(), contact(), _checkpoints())
    except Invalid:
        result = None  # not even a hash: most likely mistyped from the paper
    if result is None or result["verdict"] == "not_issued":
        # A link says nothing about the text: the reader is told to check what they typed, or paste the text.
        return render_template("press/verify.html", result=None, unknown_link=True, text="", errors={}), 404
    return render_template("press/verify.html", result=result, text="", errors={})


@bp.route("/v/<content_hash>")
def short_link(content_hash: str) -> Response:
    """Send the short link of a printed copy on to its verification page."""
    return redirect(url_for("press.verify_link", content_hash=content_hash))


#: Said to machines (and to whoever opens the address), so in English like every API error.
NO_CHECKPOINT = "No checkpoint of the ledger has been signed yet."


def contact() -> str:
    """Return whom the verification page tells people to call: the configured line, else the ministry's hotline."""
    return current_app.config["PRESS_CONTACT"] or _("the Ministry of Health's hotline 1900 9095")


def _checkpoints() -> Path:
    return Path(current_app.config["CHECKPOINT_DIR"])


@bp.route("/checkpoint")
def checkpoint() -> Response:
    """Publish the newest signed checkpoint of the ledger as a C2SP signed note (origin, size, Merkle root)."""
    latest = checkpoint_files.latest_checkpoint(_checkpoints())
    if latest is None:
        # A plain file has no language switch: it says so in both of the interface's languages.
        with force_locale("vi"):
            said = f"{_('No checkpoint of the ledger has been signed yet.')}\n{NO_CHECKPOINT}\n"
        return Response(said, status=404, content_type="text/plain; charset=utf-8")
    return Response(latest["note"], content_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-cache"})


@bp.route("/checkpoint.json")
def checkpoint_json() -> Response:
    """Publish the newest signed checkpoint as PressGate writes it (size, head hash, root, time, signature)."""
    latest = checkpoint_files.latest_checkpoint(_checkpoints())
    if latest is None:  # a machine reads this address: its refusal is JSON too
        error = NotFound("checkpoint", NO_CHECKPOINT)
        return Response(json.dumps(error.to_dict()), status=404, content_type="application/json")
    return Response(json.dumps(latest, indent=2), content_type="application/json")


@bp.route("/ledger-key.pem")
def ledger_key() -> Response:
    """Publish the public key checkpoints are signed with, for checking proofs offline."""
    config = current_app.config
    path = Path(config["LEDGER_PUBLIC_KEY"] or checkpoint_files.public_key_path(Path(config["LEDGER_KEY"])))
    if not path.is_file():
        raise NotFound("ledger_key", "No ledger signing key has been made yet.")
    return Response(path.read_bytes(), content_type="application/x-pem-file")
