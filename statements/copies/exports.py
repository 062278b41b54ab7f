"""Copies of a statement: released copies as published; unreleased copies marked for their recipient.

An unreleased copy carries a visible line (recipient, time, not for release) and, woven into its
text, the export's fingerprint (see ``statements.disclosure.fingerprint``); the export is recorded with that
fingerprint and logged on the ledger. A released copy is the released text, unmarked and unlogged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import marshmallow as ma
import segno
import sqlalchemy as sa
from flask import Response, current_app, has_app_context
from marshmallow import fields, validate
from sqlalchemy.orm import Session

from auth.models import User
from statements.disclosure import fingerprint
from statements.disclosure.service import record_export
from statements.i18n import LOCAL_ZONE
from statements.lifecycle.queries import read_statement
from statements.lifecycle.reads import is_released
from workflow import figures
from workflow.actor import Actor
from workflow.db import utcnow
from workflow.errors import Invalid
from workflow.states import PUBLIC_STATES
from workflow.text import strip_invisible, xml_text

FORMATS = ("txt", "docx", "pdf")
MEDIA_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
#: The font PDF copies are set in; it must hold Vietnamese (Debian's fonts-dejavu-core).
PDF_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


class ExportArgs(ma.Schema):
    """Which format to export."""

    class Meta:
        unknown = ma.EXCLUDE

    format = fields.String(load_default="txt", validate=validate.OneOf(FORMATS))


@dataclass(frozen=True)
class Copy:
    """One exported copy: its parts before rendering, and who it is for."""

    statement_id: int
    version: int
    title: str
    body: str
    banner: str | None
    footer: str
    fingerprint: str | None
    #: Where anyone checks a released copy (its short link, also as a QR code); None on unreleased ones.
    verify_url: str | None = None


def make_copy(session: Session, statement_id: int, actor: Actor, fmt: str, base_url: str | None = None) -> Copy:
    """Return the copy the actor gets; an unreleased one is fingerprinted, recorded and logged.

    A released copy carries the link to its verification page (`base_url`, else the app's BASE_URL).
    """
    statement = read_statement(session, statement_id, actor)
    released = statement.state in PUBLIC_STATES and statement.release_recorded
    number = statement.released_version if released else statement.current_version
    version = next(v for v in statement.versions if v.number == number)
    footer = f"Mã băm nội dung (SHA-256): {version.content_hash}"
    if is_released(statement, number):
        base = base_url or (current_app.config["BASE_URL"] if has_app_context() else "http://127.0.0.1:5000")
        link = verify_url(version.content_hash, base)
        body = figures.with_figures(version.body, version.figures)
        return Copy(statement.id, number, version.title, body, None, footer, None, link)
    code = record_export(session, actor, statement, version, fmt)
    name = session.scalar(sa.select(User.full_name).where(User.id == actor.user_id))
    when = utcnow().astimezone(LOCAL_ZONE).strftime("%H:%M ngày %d/%m/%Y")
    banner = (
        f"BẢN CHƯA PHÁT HÀNH — KHÔNG CUNG CẤP CHO BÁO CHÍ. Người nhận: {name or actor.username}"
        f" ({actor.username}). Thời điểm xuất: {when}."
    )
    text = figures.with_figures(version.body, version.figures)
    marked = fingerprint.mark(f"{version.title}\n{text}", code, spread=fmt == "pdf")
    title, _, body = marked.partition("\n")
    return Copy(statement.id, number, title, body, banner, footer, code)


def verify_url(content_hash: str, base_url: str) -> str:
    """Return the short link that a released copy or letter prints to its verification page."""
    return f"{base_url.rstrip('/')}/press/v/{content_hash[:12]}"


def render(copy: Copy, fmt: str) -> bytes:
    """Return the copy as a file of the format."""
    return {"txt": _txt, "docx": _docx, "pdf": _pdf}[fmt](copy)


def filename(copy: Copy, fmt: str) -> str:
    """Return the copy's file name."""
    return f"pressgate-{copy.statement_id}-v{copy.version}.{fmt}"


#: What a released copy says beside its link and QR code.
VERIFY_LINE = "Kiểm tra bản này là thông tin chính thức: {url}"


def qr_png(url: str) -> bytes:
    """Return the QR code of a verification link as a PNG (error correction M: survives a crease or a stain)."""
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def _txt(copy: Copy) -> bytes:
    lines = [copy.banner, ""] if copy.banner else []
    lines += [copy.title, "", copy.body, "", copy.footer]
    if copy.verify_url:
        lines.append(VERIFY_LINE.format(url=copy.verify_url))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _docx(copy: Copy) -> bytes:
    from docx import Document
    from docx.shared import Mm, Pt, RGBColor

    document = Document()
    banner, title, body, footer = (xml_text(text or "") for text in (copy.banner, copy.title, copy.body, copy.footer))
    if banner:
        for part in (document.sections[0].header.paragraphs[0], document.add_paragraph()):
            run = part.add_run(banner)
            run.bold, run.font.color.rgb, run.font.size = True, RGBColor(0xB0, 0x00, 0x20), Pt(9)
    document.add_heading(title, level=1)
    for paragraph in body.split("\n"):
        document.add_paragraph(paragraph)
    document.add_paragraph(footer).runs[0].font.size = Pt(8)
    if copy.verify_url:
        document.add_paragraph(VERIFY_LINE.format(url=copy.verify_url)).runs[0].font.size = Pt(8)
        document.add_picture(io.BytesIO(qr_png(copy.verify_url)), width=Mm(25))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(copy: Copy) -> bytes:
    from fpdf import FPDF

    class _Pdf(FPDF):
        def header(self) -> None:
            if copy.banner:
                self.set_font("body", size=8)
                self.set_text_color(176, 0, 32)
                self.multi_cell(0, 4, copy.banner, new_x="LMARGIN", new_y="NEXT")
                self.set_text_color(0, 0, 0)
                self.ln(2)

    pdf = _Pdf()
    pdf.add_font("body", fname=PDF_FONT)
    pdf.set_title(strip_invisible(copy.title))
    pdf.add_page()
    pdf.set_font("body", size=14)
    pdf.multi_cell(0, 7, copy.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("body", size=11)
    for paragraph in copy.body.split("\n"):
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("body", size=7)
    pdf.multi_cell(0, 4, copy.footer, new_x="LMARGIN", new_y="NEXT")
    if copy.verify_url:
        pdf.multi_cell(0, 4, VERIFY_LINE.format(url=copy.verify_url), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.image(io.BytesIO(qr_png(copy.verify_url)), w=25, h=25)
    return bytes(pdf.output())


def download(session: Session, statement_id: int, actor: Actor, fmt: str) -> Response:
    """Make and record the copy; return it as a file download (the API and the web share this)."""
    if fmt == "pdf" and not Path(PDF_FONT).exists():
        raise Invalid("pdf_font", "PDF copies need the DejaVu font (Debian: fonts-dejavu-core); choose DOCX or text.")
    copy = make_copy(session, statement_id, actor, fmt)
    content = render(copy, fmt)
    return Response(
        content,
        content_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename(copy, fmt)}"', "Cache-Control": "no-store"},
    )
