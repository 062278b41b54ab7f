"""An official letter as DOCX and PDF, laid out as Decree 30/2020/NĐ-CP's appendix I sets it.

The page, its top and its foot are the decree's (`statements.letters.page`); a letter adds the "V/v"
summary under its number, "Kính gửi", and the body with its first lines indented. A letter of released
content ends with its verification link and QR code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from statements.letters.models import Letter
from statements.letters.page import (
    BOTTOM,
    LEFT,
    WIDTH,
    Foot,
    Head,
    date_line,
    docx_document,
    docx_foot,
    docx_head,
    pdf_document,
    pdf_foot,
    pdf_head,
    pdf_text,
)
from workflow.deadlines import local_day


@dataclass(frozen=True)
class Layout:
    """What a letter prints, part by part."""

    parent: str
    unit: str
    number: str
    subject: str
    place_date: str
    recipients: list[str]
    paragraphs: list[str]
    copies_to: list[str]
    mark: list[str]
    signer: str
    verify_url: str | None
    cancelled: bool


def layout(letter: Letter, body: str, verify_url: str | None) -> Layout:
    """Return what the letter prints: its letterhead as issued, and the statement's approved text."""
    return Layout(
        parent=letter.parent_name.upper(),
        unit=letter.unit_full_name.upper(),
        number=f"Số: {letter.number_text}",
        subject=f"V/v {letter.subject}",
        place_date=date_line(letter.place, local_day(letter.issued_at)),
        recipients=_listed(letter.recipients),
        paragraphs=[p.strip() for p in body.split("\n") if p.strip()],
        # Each line ends in ";" and the last, "Lưu: VT, …", in "." (ND 30 appendix I).
        copies_to=[
            *(f"{_bare(line)};" for line in letter.copies_to),
            f"Lưu: VT{', ' + letter.archive if letter.archive else ''}.",
        ],
        mark=[line.strip().upper() for line in letter.signing_mark.split("\n") if line.strip()],
        signer=letter.signer_name,
        verify_url=verify_url,
        cancelled=letter.cancelled_at is not None,
    )


def _bare(line: str) -> str:
    """Return a line without the punctuation the layout adds itself."""
    return line.strip().rstrip(";.,").rstrip()


def _listed(recipients: list[str]) -> list[str]:
    """Return the recipients as the letter lists them: one alone ends in "."; several, each "- …;" and the last "."."""
    bare = [_bare(r) for r in recipients]
    if len(bare) == 1:
        return [f"{bare[0]}."]
    return [f"- {r}{'.' if i == len(bare) - 1 else ';'}" for i, r in enumerate(bare)]


def docx(page: Layout, qr: bytes | None) -> bytes:
    """Return the letter as a DOCX that Word and LibreOffice open alike."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document, line = docx_document()
    docx_head(document, line, _head(page))
    if page.cancelled:
        line(document, "ĐÃ HỦY", 14, bold=True)
    document.add_paragraph()
    if len(page.recipients) == 1:
        line(document, f"Kính gửi: {page.recipients[0]}", 14)
    else:
        line(document, "Kính gửi:", 14)
        for recipient in page.recipients:
            indented = line(document, recipient, 14, align=WD_ALIGN_PARAGRAPH.LEFT)
            indented.paragraph_format.left_indent = Mm(45)
    for text in page.paragraphs:
        paragraph = line(document, text, 14, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        paragraph.paragraph_format.first_line_indent = Mm(10)
        paragraph.paragraph_format.space_before = Pt(6)
    document.add_paragraph()
    docx_foot(document, line, _foot(page))
    if page.verify_url:
        document.add_paragraph()
        line(document, f"Kiểm tra văn bản đã phát hành: {page.verify_url}", 9, align=WD_ALIGN_PARAGRAPH.LEFT)
        if qr:
            document.add_picture(io.BytesIO(qr), width=Mm(22))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf(page: Layout, qr: bytes | None) -> bytes:
    """Return the letter as a PDF set in a Times-metric serif with every Vietnamese letter."""
    document = pdf_document()
    pdf_head(document, _head(page))
    if page.cancelled:
        pdf_text(document, WIDTH, "ĐÃ HỦY", 14, "B")
    if len(page.recipients) == 1:
        pdf_text(document, WIDTH, f"Kính gửi: {page.recipients[0]}", 14)
    else:
        pdf_text(document, WIDTH, "Kính gửi:", 14)
        for recipient in page.recipients:
            pdf_text(document, WIDTH - 45, recipient, 14, align="L", x=LEFT + 45)
    document.ln(3)
    for paragraph in page.paragraphs:
        document.set_font("serif", size=14)
        document.set_x(LEFT)
        # The first line is indented 10 mm: the paragraph starts after a blank of that width.
        document.multi_cell(WIDTH, 6.3, "\u2003\u2003\u2009" + paragraph, align="J", new_x="LMARGIN", new_y="NEXT")
        document.ln(2)
    document.ln(4)
    pdf_foot(document, _foot(page))
    if page.verify_url:
        if document.get_y() > 297 - BOTTOM - 30:
            document.add_page()
        if qr:
            document.image(io.BytesIO(qr), x=LEFT, y=document.get_y(), w=22)
            document.set_y(document.get_y() + 24)
        pdf_text(document, WIDTH, f"Kiểm tra văn bản đã phát hành: {page.verify_url}", 9, align="L", x=LEFT)
    return bytes(document.output())


def _head(page: Layout) -> Head:
    return Head(page.parent, page.unit, page.number, page.subject, page.place_date)


def _foot(page: Layout) -> Foot:
    return Foot(page.copies_to, page.mark, page.signer)
