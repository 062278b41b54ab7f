"""A letter's file: the statement's text as approved or released, laid out as the letter.

A letter of released content carries the link to its verification page and its QR code, as a released
copy does. A letter of content not yet released is a copy of unreleased text like any other: only those
who issue the unit's letters (and auditors) download it, and each download is an export with its own
fingerprint in the text, on the ledger, so that a letter that leaks before its release is traced as a
copy is (docs/disclosure-tracing.md).
"""

from __future__ import annotations

import io

from flask import Response, send_file
from sqlalchemy.orm import Session

from statements.copies.exports import MEDIA_TYPES, qr_png, verify_url
from statements.disclosure import fingerprint
from statements.disclosure.service import record_export
from statements.letters import render, service
from statements.letters.page import fonts_available
from statements.lifecycle.queries import read_statement
from statements.lifecycle.reads import is_released
from workflow import figures
from workflow.actor import Actor
from workflow.errors import Forbidden, Invalid
from workflow.guards import require_issue_letter

FORMATS = ("docx", "pdf")


def document(session: Session, actor: Actor | None, letter_id: int, fmt: str, base_url: str) -> tuple[bytes, str]:
    """Return the letter as a file of the format, and its file name."""
    if fmt not in FORMATS:
        raise Invalid("format", "A letter is DOCX or PDF.", errors={"format": ["Must be one of: docx, pdf."]})
    if fmt == "pdf" and not fonts_available():
        raise Invalid("pdf_font", "PDF letters need a serif font (Debian: fonts-liberation2); choose DOCX.")
    letter = service.get(session, actor, letter_id)
    statement = read_statement(session, letter.statement_id, actor)
    version = next(v for v in statement.versions if v.number == letter.version)
    text = figures.with_figures(version.body, version.figures)
    link = None
    if is_released(statement, letter.version):
        link = verify_url(letter.content_hash, base_url)
    else:
        assert actor is not None  # service.get refused anonymous readers
        if not actor.is_auditor:
            try:
                require_issue_letter(actor, letter.unit_id)
            except Forbidden as refused:
                raise Forbidden(
                    "letter_unreleased", "Before its release, only those who issue the unit's letters download it."
                ) from refused
        code = record_export(session, actor, statement, version, fmt)
        _title, _, text = fingerprint.mark(f"{version.title}\n{text}", code, spread=fmt == "pdf").partition("\n")
    page = render.layout(letter, text, link)
    qr = qr_png(link) if link else None
    data = render.docx(page, qr) if fmt == "docx" else render.pdf(page, qr)
    return data, f"cong-van-{letter.number:02d}-{letter.symbol}-{letter.year}.{fmt}"


def download(session: Session, actor: Actor | None, letter_id: int, fmt: str, base_url: str) -> Response:
    """Return the letter as a file download (the API and the pages share this)."""
    data, name = document(session, actor, letter_id, fmt, base_url)
    # A header is Latin-1: send_file writes the name in ASCII and, whole, in UTF-8 beside it ("BVĐK-KHTH").
    response = send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response
