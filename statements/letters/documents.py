"""A letter's file: the statement's text as approved or released, laid out as the letter, read like any copy.

Downloading a letter of content not yet released is a read of unreleased content: it goes on the ledger
as every such read does. A letter of released content carries the link to its verification page and
its QR code, as a released copy does.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from statements.copies.exports import qr_png
from statements.letters import render, service
from statements.lifecycle.queries import read_statement
from statements.lifecycle.reads import is_released, log_reads
from workflow import figures
from workflow.actor import Actor
from workflow.errors import Invalid

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def document(session: Session, actor: Actor | None, letter_id: int, fmt: str, base_url: str) -> tuple[bytes, str]:
    """Return the letter as a file of the format, and its file name."""
    if fmt not in FORMATS:
        raise Invalid("format", "A letter is DOCX or PDF.", errors={"format": ["Must be one of: docx, pdf."]})
    letter = service.get(session, actor, letter_id)
    statement = read_statement(session, letter.statement_id, actor)
    version = next(v for v in statement.versions if v.number == letter.version)
    released = is_released(statement, letter.version)
    if not released:
        log_reads(session, actor, statement, [version], f"letter_{fmt}")
    link = f"{base_url.rstrip('/')}/press/v/{letter.content_hash[:12]}" if released else None
    page = render.layout(letter, figures.with_figures(version.body, version.figures), link)
    qr = qr_png(link) if link else None
    data = render.docx(page, qr) if fmt == "docx" else render.pdf(page, qr)
    return data, f"cong-van-{letter.number}-{letter.symbol}-{letter.year}.{fmt}"
