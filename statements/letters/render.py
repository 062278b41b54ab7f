"""An official letter as DOCX and PDF, laid out as Decree 30/2020/NĐ-CP's appendix I sets it.

A4; margins 20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman (in the PDF its metric twin,
Liberation Serif, which Debian ships) at 13–14 pt. At the top, two columns: on the left the issuing
body under its parent, in capitals, then the number and symbol and the "V/v" summary; on the right the
national motto, then the place and date in italics. Then "Kính gửi", the body with its first lines
indented, and at the foot two columns again: "Nơi nhận" with its last line "Lưu: VT, …", and the signing
mark above the signer's name. A letter of released content ends with its verification link and QR code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from statements.letters.models import Letter
from statements.letters.service import local_day, number_text
from workflow.text import xml_text

if TYPE_CHECKING:
    from docx.table import Table

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
#: The PDF's faces: Times New Roman's metric twin, then a serif every Debian has.
SERIF = {
    "": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "B": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    "I": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf",
    "BI": "/usr/share/fonts/truetype/liberation2/LiberationSerif-BoldItalic.ttf",
}
FALLBACK = {
    "": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "B": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "I": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf",
    "BI": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf",
}
#: Margins in millimetres (top, bottom, left, right) and the width left for the text.
TOP, BOTTOM, LEFT, RIGHT = 20, 20, 30, 15
WIDTH = 210 - LEFT - RIGHT
#: The left columns of the letterhead and of the foot: the motto and the signature take the rest.
HEAD_LEFT, FOOT_LEFT = 65, 80


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
    day = local_day(letter.issued_at)
    # ND 30 appendix I: days 1–9 and months 1–2 take a leading zero ("ngày 05 tháng 02", "ngày 15 tháng 3").
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    date = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return Layout(
        parent=letter.parent_name.upper(),
        unit=letter.unit_full_name.upper(),
        number=f"Số: {number_text(letter)}",
        subject=f"V/v {letter.subject}",
        place_date=f"{letter.place}, {date}",
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
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(TOP), Mm(BOTTOM)
    section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(14)
    # Word takes the East Asian and complex-script faces from their own attributes: all Times New Roman.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)

    def line(cell_or_doc, text: str, size: float = 13, *, bold: bool = False, italic: bool = False,
             align: int = WD_ALIGN_PARAGRAPH.CENTER, first: bool = False):  # fmt: skip
        paragraph = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run(xml_text(text))
        run.font.size, run.bold, run.italic = Pt(size), bold, italic
        return paragraph

    head = document.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(head, HEAD_LEFT)
    left, right = head.rows[0].cells
    if page.parent:
        line(left, page.parent, 12, first=True)
    line(left, page.unit, 12, bold=True, first=not page.parent)
    line(left, "_______", 12)
    line(left, page.number, 13)
    line(left, page.subject, 12)
    line(right, MOTTO[0], 12, bold=True, first=True)
    line(right, MOTTO[1], 13, bold=True)
    line(right, "_______________", 13)
    line(right, page.place_date, 13, italic=True)
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
    foot = document.add_table(rows=1, cols=2)
    _widths(foot, FOOT_LEFT)
    left, right = foot.rows[0].cells
    line(left, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    for item in page.copies_to:
        line(left, f"- {item}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    # The foot stays on one page: its row is not split.
    row = foot.rows[0]._tr.get_or_add_trPr()
    row.append(row.makeelement(qn("w:cantSplit"), {}))
    for i, mark in enumerate(page.mark):
        line(right, mark, 13, bold=True, first=i == 0)
    for _ in range(4):  # the signature and the seal go here
        line(right, "", 13)
    line(right, page.signer, 14, bold=True)
    if page.verify_url:
        document.add_paragraph()
        line(document, f"Kiểm tra văn bản đã phát hành: {page.verify_url}", 9, align=WD_ALIGN_PARAGRAPH.LEFT)
        if qr:
            document.add_picture(io.BytesIO(qr), width=Mm(22))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _widths(table: Table, left_mm: float) -> None:
    """Fix a two-column table's widths: LibreOffice reads the grid's, Word the cells'; both are set."""
    from docx.shared import Mm

    table.autofit = False
    for column, width in zip(table.columns, (left_mm, WIDTH - left_mm), strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def pdf(page: Layout, qr: bytes | None) -> bytes:
    """Return the letter as a PDF set in a Times-metric serif with every Vietnamese letter."""
    from fpdf import FPDF

    faces = SERIF if all(Path(p).is_file() for p in SERIF.values()) else FALLBACK
    document = FPDF(format="A4", unit="mm")
    document.set_margins(LEFT, TOP, RIGHT)
    document.set_auto_page_break(True, margin=BOTTOM)
    for style, path in faces.items():
        document.add_font("serif", style=style, fname=path)
    document.add_page()

    def text(width: float, words: str, size: float, style: str = "", align: str = "C", x: float | None = None) -> None:
        if x is not None:
            document.set_x(x)
        document.set_font("serif", style=style, size=size)
        document.multi_cell(width, size * 0.45, words, align=align, new_x="LMARGIN", new_y="NEXT")

    split = LEFT + HEAD_LEFT
    y = document.get_y()
    for words, size, style in ((page.parent, 12, ""), (page.unit, 12, "B"), ("_______", 12, ""),
                               (page.number, 13, ""), (page.subject, 12, "")):  # fmt: skip
        if words:
            text(HEAD_LEFT, words, size, style, x=LEFT)
    left_end = document.get_y()
    document.set_y(y)
    for words, size, style in ((MOTTO[0], 12, "B"), (MOTTO[1], 13, "B"), ("_______________", 13, ""),
                               (page.place_date, 13, "I")):  # fmt: skip
        text(WIDTH - HEAD_LEFT, words, size, style, x=split)
    document.set_y(max(left_end, document.get_y()) + 6)
    if page.cancelled:
        text(WIDTH, "ĐÃ HỦY", 14, "B")
    if len(page.recipients) == 1:
        text(WIDTH, f"Kính gửi: {page.recipients[0]}", 14)
    else:
        text(WIDTH, "Kính gửi:", 14)
        for recipient in page.recipients:
            text(WIDTH - 45, recipient, 14, align="L", x=LEFT + 45)
    document.ln(3)
    for paragraph in page.paragraphs:
        document.set_font("serif", size=14)
        document.set_x(LEFT)
        # The first line is indented 10 mm: the paragraph starts after a blank of that width.
        document.multi_cell(WIDTH, 6.3, "\u2003\u2003\u2009" + paragraph, align="J", new_x="LMARGIN", new_y="NEXT")
        document.ln(2)
    document.ln(4)
    # The foot (Nơi nhận beside the signature) stays on one page: it moves whole to the next when short of room.
    foot = max((len(page.copies_to) + 1) * 5.0, len(page.mark) * 5.9 + 22 + 6.3) + 4
    if document.get_y() + foot > 297 - BOTTOM:
        document.add_page()
    y = document.get_y()
    text(FOOT_LEFT, "Nơi nhận:", 12, "BI", align="L", x=LEFT)
    for item in page.copies_to:
        text(FOOT_LEFT, f"- {item}", 11, align="L", x=LEFT)
    left_end = document.get_y()
    document.set_y(y)
    for mark in page.mark:
        text(WIDTH - FOOT_LEFT, mark, 13, "B", x=LEFT + FOOT_LEFT)
    document.ln(22)  # the signature and the seal go here
    text(WIDTH - FOOT_LEFT, page.signer, 14, "B", x=LEFT + FOOT_LEFT)
    document.set_y(max(left_end, document.get_y()) + 6)
    if page.verify_url:
        if document.get_y() > 297 - BOTTOM - 30:
            document.add_page()
        if qr:
            document.image(io.BytesIO(qr), x=LEFT, y=document.get_y(), w=22)
            document.set_y(document.get_y() + 24)
        text(WIDTH, f"Kiểm tra văn bản đã phát hành: {page.verify_url}", 9, align="L", x=LEFT)
    return bytes(document.output())
