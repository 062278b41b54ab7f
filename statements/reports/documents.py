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
from typing import Any

from flask import Response, send_file
from flask_babel import force_locale

from statements.i18n import day_text
from statements.letters.page import (
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
from statements.reports import charts, layout
from statements.reports.models import IssuedReport
from workflow.db import utcnow
from workflow.deadlines import local_day
from workflow.errors import Invalid

FORMATS = ("pdf", "docx", "xlsx", "csv")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
#: Where a number goes before the archive gives one: the blank the decree's drafts leave.
NO_NUMBER = "\u2007" * 6


def render(report: dict[str, Any], fmt: str, *, number: int | None = None, day: dt.date | None = None) -> bytes:
    """Return the report as a file of the format: the official documents in Vietnamese, the figures as asked."""
    if fmt not in FORMATS:
        raise Invalid("format", "Not a report format.", errors={"format": [f"One of: {', '.join(FORMATS)}."]})
    if fmt in ("xlsx", "csv"):
        tables = [t for section in layout.sections(report) for t in section.tables]
        return xlsx(tables) if fmt == "xlsx" else csv_bytes(tables)
    with force_locale("vi"):  # an official document is written in Vietnamese (Law 80/2015 Art. 5)
        sections = layout.sections(report)
        drawn = {chart.name: chart for chart in charts.charts(report)}
        top, bottom, title = head(report, number, day), foot(report), layout.title(report)
        return (docx if fmt == "docx" else pdf)(top, bottom, title, sections, drawn)


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
    """Return the report's foot: to the body above (to report), the archive, and the letterhead's first signer."""
    letterhead = report["letterhead"]
    above = letterhead["parent_name"]
    archive = f", {letterhead['archive']}" if letterhead["archive"] else ""
    signer = letterhead["signers"][0] if letterhead["signers"] else {"mark": "THỦ TRƯỞNG ĐƠN VỊ", "name": ""}
    return Foot(
        copies_to=[*([f"{above} (để báo cáo);"] if above else []), f"Lưu: VT{archive}."],
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


def docx(head: Head, foot: Foot, title: str, sections: list[layout.Section], drawn: dict) -> bytes:
    """Return the report as a DOCX that Word and LibreOffice open alike."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document, line = docx_document()
    docx_head(document, line, head)
    document.add_paragraph()
    line(document, "BÁO CÁO", 14, bold=True)
    line(document, title, 14, bold=True)
    for number, section in zip(ROMAN, sections, strict=False):
        heading = line(document, f"{number}. {section.title.upper()}", 13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        heading.paragraph_format.space_before = Pt(12)
        for text in section.lines:
            paragraph = line(document, text, 14, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            paragraph.paragraph_format.first_line_indent = Mm(10)
            paragraph.paragraph_format.space_before = Pt(6)
        for name in section.charts:
            if name in drawn:
                line(document, drawn[name].caption, 12, italic=True).paragraph_format.space_before = Pt(6)
                document.add_picture(io.BytesIO(drawn[name].png), width=Mm(WIDTH - 10))
        for table in section.tables:
            line(document, table.caption, 12, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
            grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header), style="Table Grid")
            for row, values in zip(grid.rows, [table.header, *table.rows], strict=True):
                for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                    bold = row is grid.rows[0]
                    align = WD_ALIGN_PARAGRAPH.LEFT if i == 0 else WD_ALIGN_PARAGRAPH.RIGHT
                    line(cell, cell_text(value), 11, bold=bold, align=align, first=True)
    document.add_paragraph()
    docx_foot(document, line, foot)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf(head: Head, foot: Foot, title: str, sections: list[layout.Section], drawn: dict) -> bytes:
    """Return the report as a PDF with every Vietnamese letter, its charts and its tables."""
    document = pdf_document()
    pdf_head(document, head)
    pdf_text(document, WIDTH, "BÁO CÁO", 14, "B")
    pdf_text(document, WIDTH, title, 14, "B")
    for number, section in zip(ROMAN, sections, strict=False):
        document.ln(4)
        pdf_text(document, WIDTH, f"{number}. {section.title.upper()}", 13, "B", align="L")
        for text in section.lines:
            document.set_font("serif", size=14)
            document.multi_cell(WIDTH, 6.3, "\u2003\u2003\u2009" + text, align="J", new_x="LMARGIN", new_y="NEXT")
            document.ln(1)
        for name in section.charts:
            if name in drawn:
                if document.get_y() > 297 - 20 - 75:
                    document.add_page()
                pdf_text(document, WIDTH, drawn[name].caption, 12, "I")
                document.image(io.BytesIO(drawn[name].png), x=LEFT + 5, w=WIDTH - 10)
        for table in section.tables:
            document.ln(2)
            pdf_text(document, WIDTH, table.caption, 12, "I", align="L")
            document.set_font("serif", size=10)
            first = min(70.0, WIDTH / 2) if len(table.header) > 2 else WIDTH * 0.7
            rest = (WIDTH - first) / max(1, len(table.header) - 1)
            with document.table(
                col_widths=(first, *([rest] * (len(table.header) - 1))),
                text_align=("LEFT", *(["RIGHT"] * (len(table.header) - 1))),
                line_height=4.6,
                first_row_as_headings=True,
                # Centred on the page, the table would cross the wider left margin: it starts at the margin.
                align="LEFT",
                width=WIDTH,
            ) as grid:
                for values in [table.header, *table.rows]:
                    row = grid.row()
                    for value in values:
                        row.cell(cell_text(value))
    document.ln(6)
    pdf_foot(document, foot)
    return bytes(document.output())


def xlsx(tables: list[layout.Table]) -> bytes:
    """Return the figures as a spreadsheet: a sheet per table, its header in bold, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([table.caption])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(list(row))
        sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(tables: list[layout.Table]) -> bytes:
    """Return every figure on a line: table, row, column, value; UTF-8 with a BOM, so Excel reads the letters."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row", "column", "value"])
    for table in tables:
        for row in table.rows:
            for column, value in zip(table.header[1:], row[1:], strict=True):
                shown = value.isoformat() if isinstance(value, dt.date) else value
                writer.writerow([table.key, row[0], column, "" if value is None else shown])
    return ("\ufeff" + out.getvalue()).encode()
