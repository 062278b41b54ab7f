"""A report as files: an official report (PDF, DOCX) in the decree's format, and its figures (XLSX, CSV).

The PDF and the DOCX are a "Báo cáo" as Decree 30/2020/NĐ-CP lays one out: the issuing body and the
number "Số: …/BC-<symbol>" at the top left (left blank for the number the archive gives it, until issued),
the motto, place and date at the top right, the title, the numbered sections with their tables and
charts, and the foot with "Nơi nhận" and the signature. The spreadsheet has a sheet per table; the CSV
lists every figure on a line of its own, so a ministry can add up its units' files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from flask import Response, send_file
from flask_babel import force_locale

from statements.i18n import day_text
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
    fonts_available,
    pdf_document,
    pdf_foot,
    pdf_head,
    pdf_text,
)
from statements.reports import charts, layout
from statements.reports.models import IssuedReport
from workflow.db import utcnow
from workflow.deadlines import local_day
from workflow.errors import Invalid
from workflow.text import spreadsheet_text, xml_text

FORMATS = ("pdf", "docx", "xlsx", "csv")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def roman(number: int) -> str:
    """Return a section's number as the report writes it: I, II, …, XIV."""
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        out += letters * count
    return out


#: Where a number goes before the archive gives one: the blank the decree's drafts leave.
NO_NUMBER = "\u2007" * 6


def render(report: dict[str, Any], fmt: str, *, number: int | None = None, day: dt.date | None = None) -> bytes:
    """Return the report as a file of the format: the official documents in Vietnamese, the figures as asked."""
    if fmt not in FORMATS:
        raise Invalid("format", "Not a report format.", errors={"format": [f"One of: {', '.join(FORMATS)}."]})
    if fmt == "pdf" and not fonts_available():
        raise Invalid("pdf_font", "PDF reports need a serif font (Debian: fonts-liberation2); choose DOCX.")
    if fmt in ("xlsx", "csv"):
        tables = [t for section in layout.sections(report) for t in section.tables]
        return xlsx(report, tables, number) if fmt == "xlsx" else csv_bytes(report, tables)
    with force_locale("vi"):  # an official document is written in Vietnamese (Law 80/2015 Art. 5)
        page = Page(
            head(report, number, day),
            foot(report),
            layout.title(report),
            layout.coverage(report),
            layout.sections(report),
            {chart.name: chart for chart in charts.charts(report)},
        )
        return docx(page) if fmt == "docx" else pdf(page)


def download(report: dict[str, Any], fmt: str) -> Response:
    """Return the report as a file download (the API and the pages share this)."""
    return _send(render(report, fmt), file_name(report, fmt), fmt)


def download_issued(row: IssuedReport, fmt: str) -> Response:
    """Return an issued report as a file download: its figures as issued, its number and its date."""
    return _send(*issued_file(row, fmt), fmt)


def issued_file(row: IssuedReport, fmt: str) -> tuple[bytes, str]:
    """Return an issued report as a file of the format, and its name."""
    data = render(row.figures, fmt, number=row.number, day=local_day(row.issued_at))
    return data, f"bao-cao-{row.number:02d}-{row.symbol}-{row.year}.{fmt}"


def _send(data: bytes, name: str, fmt: str) -> Response:
    response = send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def file_name(report: dict[str, Any], fmt: str) -> str:
    """Return the file's name: "bao-cao-SYT-AH-2026-Q1.pdf"."""
    scope = "" if report["rolled_up"] else "-don-vi"
    return f"bao-cao-{report['unit']}{scope}-{report['period']['key'].replace('..', '_')}.{fmt}"


def head(report: dict[str, Any], number: int | None, day: dt.date | None = None) -> Head:
    """Return the report's top: its unit under its parent, its number (blank until issued), place and date."""
    letterhead = report["letterhead"]
    symbol = f"BC-{letterhead['symbol']}" if letterhead["symbol"] else "BC"
    shown = NO_NUMBER if number is None else f"{number:02d}"
    return Head(
        parent=letterhead["parent_name"].upper(),
        unit=letterhead["full_name"].upper(),
        number=f"Số: {shown}/{symbol}",
        subject=None,
        place_date=date_line(letterhead["place"] or "\u2026" * 6, day or local_day(utcnow())),
    )


def foot(report: dict[str, Any]) -> Foot:
    """Return the report's foot: the bodies above (to report to), the archive, and the letterhead's first signer."""
    letterhead = report["letterhead"]
    # The body above in PressGate's tree (the ministry, for a department), and the one the letterhead names
    # above it (the province's people's committee), each once.
    above = dict.fromkeys(name for name in (report.get("parent_unit_name", ""), letterhead["parent_name"]) if name)
    archive = f", {letterhead['archive']}" if letterhead["archive"] else ""
    signer = letterhead["signers"][0] if letterhead["signers"] else {"mark": "THỦ TRƯỞNG ĐƠN VỊ", "name": ""}
    return Foot(
        copies_to=[*(f"{name} (để báo cáo);" for name in above), f"Lưu: VT{archive}."],
        mark=[line.strip().upper() for line in signer["mark"].split("\n") if line.strip()],
        signer=signer["name"],
    )


def cell_text(value: layout.Cell) -> str:
    """Return a figure as the documents and pages print it: hours to a tenth, days day first, none as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return layout.hours(value)
    if isinstance(value, dt.date):
        return day_text(value)
    return str(value)


@dataclass(frozen=True)
class Page:
    """What an official report prints: its top and foot, title, coverage, sections and charts."""

    head: Head
    foot: Foot
    title: str
    coverage: str
    sections: list[layout.Section]
    drawn: dict[str, charts.Chart]


def docx(page: Page) -> bytes:
    """Return the report as a DOCX that Word and LibreOffice open alike."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document, line = docx_document()
    properties = document.core_properties
    properties.title, properties.author = xml_text(f"Báo cáo {page.title}"), xml_text(page.head.unit.title())
    properties.created = properties.modified = utcnow().replace(tzinfo=None)
    properties.last_modified_by, properties.comments = xml_text(page.head.unit.title()), ""
    docx_head(document, line, page.head)
    document.add_paragraph()
    line(document, "BÁO CÁO", 14, bold=True)
    line(document, page.title, 14, bold=True)
    line(document, page.coverage, 12, italic=True).paragraph_format.space_after = Pt(6)
    for number, section in enumerate(page.sections, start=1):
        heading = line(
            document, f"{roman(number)}. {section.title.upper()}", 13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT
        )
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.keep_with_next = True
        for text in section.lines:
            paragraph = line(document, text, 14, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            paragraph.paragraph_format.first_line_indent = Mm(10)
            paragraph.paragraph_format.space_before = Pt(6)
        for name in section.charts:
            if name in page.drawn:
                chart = page.drawn[name]
                caption = line(document, chart.caption, 12, italic=True)
                caption.paragraph_format.space_before = Pt(6)
                caption.paragraph_format.keep_with_next = True
                document.add_picture(io.BytesIO(chart.png), width=Mm(WIDTH - 10))
                # The picture's description is what a screen reader says of it.
                document.inline_shapes[-1]._inline.docPr.set("descr", xml_text(chart.summary))
        for table in section.tables:
            caption = line(document, table.caption, 12, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
            caption.paragraph_format.keep_with_next = True
            grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header), style="Table Grid")
            widths = _widths(table)
            for r, (row, values) in enumerate(zip(grid.rows, [table.header, *table.rows], strict=True)):
                properties_of_row = row._tr.get_or_add_trPr()
                properties_of_row.append(properties_of_row.makeelement(qn("w:cantSplit"), {}))
                if r == 0:  # the header row repeats on each page the table runs to
                    properties_of_row.append(properties_of_row.makeelement(qn("w:tblHeader"), {}))
                bold = r == 0 or (table.total and r == len(table.rows))
                for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                    cell.width = Mm(widths[i])
                    align = WD_ALIGN_PARAGRAPH.LEFT if i == 0 else WD_ALIGN_PARAGRAPH.RIGHT
                    line(cell, cell_text(value), 10 if len(widths) > 4 else 11, bold=bold, align=align, first=True)
    document.add_paragraph()
    docx_foot(document, line, page.foot)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _widths(table: layout.Table) -> list[float]:
    """Return the columns' widths in millimetres: the figures as narrow as their headings allow, the names the rest."""
    figures = len(table.header) - 1
    if figures <= 1:
        return [WIDTH * 0.7, WIDTH * 0.3]
    each = 14.0 if figures > 4 else 28.0
    return [WIDTH - each * figures, *([each] * figures)]


def pdf(page: Page) -> bytes:
    """Return the report as a PDF with every Vietnamese letter, its charts and its tables."""
    from fpdf.fonts import FontFace

    document = pdf_document()
    document.set_title(f"Báo cáo {page.title}")
    document.set_author(page.head.unit.title())
    document.set_lang("vi")
    pdf_head(document, page.head)
    pdf_text(document, WIDTH, "BÁO CÁO", 14, "B")
    pdf_text(document, WIDTH, page.title, 14, "B")
    pdf_text(document, WIDTH, page.coverage, 12, "I")
    bottom = 297 - BOTTOM
    for number, section in enumerate(page.sections, start=1):
        document.ln(4)
        if document.get_y() > bottom - 35:  # a heading never ends a page alone
            document.add_page()
        pdf_text(document, WIDTH, f"{roman(number)}. {section.title.upper()}", 13, "B", align="L")
        for text in section.lines:
            document.set_font("serif", size=14)
            document.multi_cell(WIDTH, 6.3, "\u2003\u2003\u2009" + text, align="J", new_x="LMARGIN", new_y="NEXT")
            document.ln(1)
        for name in section.charts:
            if name in page.drawn:
                if document.get_y() > bottom - 75:
                    document.add_page()
                pdf_text(document, WIDTH, page.drawn[name].caption, 12, "I")
                document.image(io.BytesIO(page.drawn[name].png), x=LEFT + 5, w=WIDTH - 10,
                               alt_text=page.drawn[name].summary)  # fmt: skip
        for table in section.tables:
            document.ln(2)
            if document.get_y() > bottom - 25:  # a caption stays with its table
                document.add_page()
            pdf_text(document, WIDTH, table.caption, 12, "I", align="L")
            size = 9 if len(table.header) > 4 else 10
            document.set_font("serif", size=size)
            with document.table(
                col_widths=tuple(_widths(table)),
                text_align=("LEFT", *(["RIGHT"] * (len(table.header) - 1))),
                line_height=size * 0.46,
                first_row_as_headings=True,
                # Centred on the page, the table would cross the wider left margin: it starts at the margin.
                align="LEFT",
                width=WIDTH,
            ) as grid:
                for r, values in enumerate([table.header, *table.rows]):
                    emphasis = FontFace(emphasis="BOLD") if table.total and r == len(table.rows) else None
                    row = grid.row()
                    for value in values:
                        row.cell(cell_text(value), style=emphasis)
    document.ln(6)
    pdf_foot(document, page.foot)
    return bytes(document.output())


def xlsx(report: dict[str, Any], tables: list[layout.Table], number: int | None) -> bytes:
    """Return the figures as a spreadsheet: what the report covers first, then a sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    about = book.active
    about.title = "report"
    for name, value in (("unit", report["unit"]), ("unit_name", report["unit_name"]),
                        ("scope", "subtree" if report["rolled_up"] else "unit"), ("units", ", ".join(report["units"])),
                        ("period", report["period"]["key"]), ("since", report["since"]), ("until", report["until"]),
                        ("as_of", report["as_of"]), ("number", number)):  # fmt: skip
        about.append([name, _sheet_text(value) if isinstance(value, str) else value])
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 14, 60
    for table in tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([table.caption])
        sheet["A1"].font = Font(bold=True)
        sheet.append(["key", *table.header])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for key, row in zip(table.keys, table.rows, strict=True):
            sheet.append([key, *(_sheet_text(v) if isinstance(v, str) else v for v in row)])
        sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 18, 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_text(text: str) -> str:
    """Return a text a spreadsheet keeps as text: no formula, no control character the format cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return spreadsheet_text(ILLEGAL_CHARACTERS_RE.sub(" ", text))


def csv_bytes(report: dict[str, Any], tables: list[layout.Table]) -> bytes:
    """Return every figure on a line of its own, keyed the same in any language; UTF-8 with a BOM for Excel.

    Numbers are written with a decimal point, as CSV readers expect; days as ISO 8601.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["unit", "scope", "period", "as_of", "table", "key", "row", "column", "value"])
    scope = "subtree" if report["rolled_up"] else "unit"
    for table in tables:
        for key, row in zip(table.keys, table.rows, strict=True):
            label = row[0].isoformat() if isinstance(row[0], dt.date) else spreadsheet_text(str(row[0]))
            for column, value in zip(table.columns[1:], row[1:], strict=True):
                shown = value.isoformat() if isinstance(value, dt.date) else value
                writer.writerow([spreadsheet_text(report["unit"]), scope, report["period"]["key"], report["as_of"],
                                 table.key, spreadsheet_text(key), label, column,
                                 "" if value is None else shown])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode()
