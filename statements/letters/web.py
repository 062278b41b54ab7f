"""Official letters in the browser: issue a statement as a letter, read, download and cancel it; the letterhead."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from auth.service import full_names, get_unit
from statements.letters import documents, service
from statements.letters.schemas import CancelIn, LetterheadIn, LetterIn, NumberingIn
from statements.lifecycle.queries import read_statement
from statements.schemas import load_input
from statements.web import bp, form_number, refused_form, run_step, web_actor
from statements.web_session import db
from workflow.errors import Refusal
from workflow.guards import can_issue_letter, can_manage_org


@bp.app_context_processor
def _letters() -> dict:
    # A function: only the page of an approved or released statement asks (one query).
    return {
        "letters_of": lambda statement_id: service.of_statement(db(), web_actor(), statement_id),
        "may_issue_letter": lambda unit_code: can_issue_letter(web_actor(), get_unit(db(), unit_code).id),
    }


def _lines(text: str | None) -> list[str]:
    """Read a text area of one entry per line (recipients, copies)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@bp.route("/statements/<int:statement_id>/letters/new", methods=["GET", "POST"])
@login_required
def issue_letter(statement_id: int):
    """Issue the statement as the unit's next numbered letter: the subject, recipients, copies and signer."""
    actor = web_actor()
    statement = read_statement(db(), statement_id, actor)
    head = service.letterhead_of(db(), get_unit(db(), statement.unit.code))
    errors: dict = {}
    refused, status = None, 200
    if request.method == "POST":
        form = request.form
        try:
            checked = load_input(
                LetterIn(),
                {
                    "subject": form.get("subject", ""),
                    # A field left out of the form takes the letterhead's lines; one emptied says there are none.
                    "recipients": None if form.get("recipients") is None else _lines(form.get("recipients")),
                    "copies_to": None if form.get("copies_to") is None else _lines(form.get("copies_to")),
                    "signer": form_number(form.get("signer")) or 0,
                },
            )
            letter = service.issue(db(), actor, statement_id, **checked)
        except Refusal as refusal:
            errors, status, refused = refused_form(refusal)
        else:
            flash(_("Letter %(number)s issued; it is on the ledger.", number=letter.number_text), "info")
            return redirect(url_for("web.letter", letter_id=letter.id))
    return render_template(
        "letters/new.html",
        s=statement,
        head=head,
        may_issue=can_issue_letter(actor, statement.unit_id),
        form=request.form if request.method == "POST" else MultiDict(),
        errors=errors,
        refused=refused,
    ), status


@bp.route("/letters/<int:letter_id>", methods=["GET", "POST"])
@login_required
def letter(letter_id: int):
    """Show a letter as issued, its files, and cancel it (its unit's spokesperson or a leader)."""
    actor = web_actor()
    errors: dict = {}
    refused, status = None, 200
    if request.method == "POST":

        def cancel(form: MultiDict[str, str]) -> str:
            checked = load_input(CancelIn(), {"reason": form.get("reason", "")})
            service.cancel(db(), actor, letter_id, checked["reason"])
            return _("Letter cancelled; it keeps its number, marked cancelled, on the ledger.")

        taken = run_step({"cancel": cancel}, url_for("web.letter", letter_id=letter_id))
        if isinstance(taken, Response):
            return taken
        errors, status, refused = taken
    found = service.get(db(), actor, letter_id)
    shown = service.letter_dict(db(), found)
    people = full_names(db(), [shown["issued_by"], (shown["cancelled"] or {}).get("by")])
    return render_template(
        "letters/show.html",
        x=shown,
        people=people,
        may_cancel=can_issue_letter(actor, found.unit_id) and found.cancelled_at is None,
        superseded=found.cancelled_at is None and service.superseded(db(), found),
        form=request.form,
        errors=errors,
        refused=refused,
    ), status


@bp.route("/letters/<int:letter_id>/document")
@login_required
def letter_document(letter_id: int) -> Response:
    """Download the letter as DOCX or PDF (`?format=`); a letter of unreleased content is a logged read."""
    fmt = request.args.get("format", "pdf")
    return documents.download(db(), web_actor(), letter_id, fmt, current_app.config["BASE_URL"])


@bp.route("/units/<code>/letterhead", methods=["GET", "POST"])
@login_required
def letterhead(code: str):
    """Show the unit's letterhead; admins set it."""
    actor = web_actor()
    errors: dict = {}
    refused, status = None, 200
    if request.method == "POST" and request.form.get("do") == "numbering":
        form = request.form
        try:
            checked = load_input(
                NumberingIn(), {"last": form_number(form.get("last")), "reason": form.get("reason", "")}
            )
            done = service.continue_numbering(db(), actor, code, checked["last"], checked["reason"])
        except Refusal as refusal:
            errors, status, refused = refused_form(refusal)
        else:
            flash(_("The next number given is %(n)d; it is on the ledger.", n=done["last"] + 1), "info")
            return redirect(url_for("web.letterhead", code=code))
    elif request.method == "POST":
        form = request.form
        marks, names = form.getlist("signer_mark"), form.getlist("signer_name")
        given = {
            "full_name": form.get("full_name", ""),
            "parent_name": form.get("parent_name", ""),
            "symbol": form.get("symbol", ""),
            "place": form.get("place", ""),
            "recipients": _lines(form.get("recipients")),
            "copies_to": _lines(form.get("copies_to")),
            "archive": form.get("archive", ""),
            # A signing mark is written one line per line of the mark ("KT. GIÁM ĐỐC" then "PHÓ GIÁM ĐỐC").
            "signers": [
                {"mark": mark.replace("\r\n", "\n").strip(), "name": name.strip()}
                for mark, name in zip(marks, names, strict=False)
                if mark.strip() or name.strip()
            ],
        }
        try:
            service.update_letterhead(db(), actor, code, load_input(LetterheadIn(), given))
        except Refusal as refusal:
            errors, status, refused = refused_form(refusal)
        else:
            flash(_("Letterhead saved; it is on the ledger. Letters already issued keep theirs."), "info")
            return redirect(url_for("web.letterhead", code=code))
    head = service.read_letterhead(db(), actor, code)
    return render_template(
        "letters/letterhead.html",
        head=head,
        numbering=service.numbering(db(), actor, code),
        editable=can_manage_org(actor),
        form=request.form if request.method == "POST" and request.form.get("do") != "numbering" else None,
        numbering_form=request.form if request.form.get("do") == "numbering" else {},
        errors=errors,
        refused=refused,
    ), status
