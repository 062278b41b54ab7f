"""The page of an official document as Decree 30/2020/NĐ-CP's appendix I sets it, shared by letters and reports.

A4; margins 20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman (in the PDF its metric twin,
Liberation Serif, which Debian ships) at 13–14 pt. At the top, two columns: on the left the issuing
body under its parent, in capitals, then the number and symbol (and a letter's "V/v" summary); on the right
the national motto, then the place and date in italics. At the foot, two columns again: "Nơi nhận" with
its last line "Lưu: VT, …", and the signing mark above the signer's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.text import xml_text

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from fpdf import FPDF

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
class Head:
    """What the top of the first page prints."""

    parent: str
    unit: str
    number: str
    subject: str | None
    place_date: str


@dataclass(frozen=True)
class Foot:
    """What the foot prints: where copies go, the signing mark and the signer."""

    copies_to: list[str]
    mark: list[str]
    signer: str


def date_line(place: str, day: dt.date) -> str:
    """Return the place and date line: "An Hòa, ngày 05 tháng 02 năm 2026"."""
    # ND 30 appendix I: days 1–9 and months 1–2 take a leading zero ("ngày 05 tháng 02", "ngày 15 tháng 3").
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def fonts_available() -> bool:
    """Say whether a PDF can be set: Liberation Serif or DejaVu Serif is installed."""
    return any(Path(p).is_file() for p in (SERIF[""], FALLBACK[""]))


# --- DOCX ---------------------------------------------------------------------------------------

DocxLine = Callable[..., "Paragraph"]


def docx_document() -> tuple[Document, DocxLine]:
    """Return a new A4 document set as the decree sets it, and the function that adds a line of text."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
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
    _page_numbers(section)

    def line(cell_or_doc: Any, text: str, size: float = 13, *, bold: bool = False, italic: bool = False,
             align: int = WD_ALIGN_PARAGRAPH.CENTER, first: bool = False) -> Paragraph:  # fmt: skip
        paragraph = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run(xml_text(text))
        run.font.size, run.bold, run.italic = Pt(size), bold, italic
        return paragraph

    return document, line


def _page_numbers(section: Any) -> None:
    """Put the page numbers in the header from the second page on, centred (ND 30 appendix I): a PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section.different_first_page_header_footer = True
    section.header_distance = Mm(10)
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        else:
            element = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            element.text = text
        run._r.append(element)


def docx_head(document: Document, line: DocxLine, head: Head) -> None:
    """Add the two columns at the top: the issuing body, number and summary; the motto, place and date."""
    from docx.enum.table import WD_TABLE_ALIGNMENT

    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    column_widths(table, HEAD_LEFT)
    left, right = table.rows[0].cells
    if head.parent:
        line(left, head.parent, 12, first=True)
    line(left, head.unit, 12, bold=True, first=not head.parent)
    line(left, "_______", 12)
    line(left, head.number, 13)
    if head.subject:
        line(left, head.subject, 12)
    line(right, MOTTO[0], 12, bold=True, first=True)
    line(right, MOTTO[1], 13, bold=True)
    line(right, "_______________", 13)
    line(right, head.place_date, 13, italic=True)


def docx_foot(document: Document, line: DocxLine, foot: Foot) -> None:
    """Add the two columns at the foot, kept on one page: "Nơi nhận" and the signature."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    table = document.add_table(rows=1, cols=2)
    column_widths(table, FOOT_LEFT)
    left, right = table.rows[0].cells
    line(left, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    for item in foot.copies_to:
        line(left, f"- {item}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    row = table.rows[0]._tr.get_or_add_trPr()
    row.append(row.makeelement(qn("w:cantSplit"), {}))
    for i, mark in enumerate(foot.mark):
        line(right, mark, 13, bold=True, first=i == 0)
    for _ in range(4):  # the signature and the seal go here
        line(right, "", 13)
    line(right, foot.signer, 14, bold=True)


def column_widths(table: Table, left_mm: float) -> None:
    """Fix a two-column table's widths: LibreOffice reads the grid's, Word the cells'; both are set."""
    from docx.shared import Mm

    table.autofit = False
    for column, width in zip(table.columns, (left_mm, WIDTH - left_mm), strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


# --- PDF ----------------------------------------------------------------------------------------


def pdf_document() -> FPDF:
    """Return a new A4 PDF set as the decree sets it, in a Times-metric serif with every Vietnamese letter."""
    from fpdf import FPDF

    class DecreePage(FPDF):
        def header(self) -> None:
            # ND 30 appendix I: pages are numbered from the second, in Arabic figures, centred in the top margin.
            if self.page_no() > 1:
                self.set_y(10)
                self.set_font("serif", size=13)
                self.cell(0, 5, str(self.page_no()), align="C")
                self.set_y(TOP)

    faces = SERIF if all(Path(p).is_file() for p in SERIF.values()) else FALLBACK
    document = DecreePage(format="A4", unit="mm")
    document.set_margins(LEFT, TOP, RIGHT)
    document.set_auto_page_break(True, margin=BOTTOM)
    for style, path in faces.items():
        document.add_font("serif", style=style, fname=path)
    document.add_page()
    return document


def pdf_text(document: FPDF, width: float, words: str, size: float, style: str = "", align: str = "C",
             x: float | None = None) -> None:  # fmt: skip
    """Write a block of text `width` wide at `x` (the left margin by default), then go to the next line."""
    if x is not None:
        document.set_x(x)
    document.set_font("serif", style=style, size=size)
    document.multi_cell(width, size * 0.45, words, align=align, new_x="LMARGIN", new_y="NEXT")


def pdf_head(document: FPDF, head: Head) -> None:
    """Write the two columns at the top, with their drawn rules, then move below the longer."""
    y = document.get_y()
    for words, size, style in ((head.parent, 12, ""), (head.unit, 12, "B")):
        if words:
            pdf_text(document, HEAD_LEFT, words, size, style, x=LEFT)
    # A solid rule under the body's name, a third of the column (ND 30 appendix I).
    _rule(document, LEFT + HEAD_LEFT / 2, HEAD_LEFT / 3)
    for words, size, style in ((head.number, 13, ""), (head.subject, 12, "")):
        if words:
            pdf_text(document, HEAD_LEFT, words, size, style, x=LEFT)
    left_end = document.get_y()
    document.set_y(y)
    pdf_text(document, WIDTH - HEAD_LEFT, MOTTO[0], 12, "B", x=LEFT + HEAD_LEFT)
    pdf_text(document, WIDTH - HEAD_LEFT, MOTTO[1], 13, "B", x=LEFT + HEAD_LEFT)
    # Under the motto, a solid rule as long as its line.
    _rule(document, LEFT + HEAD_LEFT + (WIDTH - HEAD_LEFT) / 2, document.get_string_width(MOTTO[1]))
    pdf_text(document, WIDTH - HEAD_LEFT, head.place_date, 13, "I", x=LEFT + HEAD_LEFT)
    document.set_y(max(left_end, document.get_y()) + 6)


def _rule(document: FPDF, centre: float, width: float) -> None:
    y = document.get_y() + 0.8
    document.set_line_width(0.3)
    document.line(centre - width / 2, y, centre + width / 2, y)
    document.set_y(y + 2.5)


def pdf_foot(document: FPDF, foot: Foot) -> None:
    """Write the foot (Nơi nhận beside the signature), moved whole to the next page when short of room."""
    needed = max((len(foot.copies_to) + 1) * 5.0, len(foot.mark) * 5.9 + 22 + 6.3) + 4
    if document.get_y() + needed > 297 - BOTTOM:
        document.add_page()
    y = document.get_y()
    pdf_text(document, FOOT_LEFT, "Nơi nhận:", 12, "BI", align="L", x=LEFT)
    for item in foot.copies_to:
        pdf_text(document, FOOT_LEFT, f"- {item}", 11, align="L", x=LEFT)
    left_end = document.get_y()
    document.set_y(y)
    for mark in foot.mark:
        pdf_text(document, WIDTH - FOOT_LEFT, mark, 13, "B", x=LEFT + FOOT_LEFT)
    document.ln(22)  # the signature and the seal go here
    pdf_text(document, WIDTH - FOOT_LEFT, foot.signer, 14, "B", x=LEFT + FOOT_LEFT)
    document.set_y(max(left_end, document.get_y()) + 6)
