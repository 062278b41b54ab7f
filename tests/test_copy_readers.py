"""A copy's marks survive its text being copied out by every common reader of its file (issue 29).

PDF readers place text by position, and poppler (pdftotext, Linux viewers), pdfium (Chromium's viewer)
and pdfminer keep one of several zero-width characters drawn at one place; a PDF copy's marks are spread
between letters so that each has a place of its own. LibreOffice's text export is how a DOCX copy most
often becomes plain text.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from statements.disclosure.fingerprint import decode_marks
from statements.disclosure.models import Export
from tests.test_disclosure import SAMPLES, create, export
from workflow.text import strip_invisible

#: A longer text than one sample: three of the samples' paragraphs, so a page holds many lines.
BODY = "\n\n".join(s["body"] for s in SAMPLES["statements"][:3])


def _pypdf(data: bytes, _: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _poppler(data: bytes, _: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def _pdfminer(data: bytes, _: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def _pdfium(data: bytes, _: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def _libreoffice(data: bytes, workdir: Path) -> str:
    (workdir / "copy.docx").write_bytes(data)
    profile = f"-env:UserInstallation=file://{workdir}/profile"  # its own profile: tests run side by side
    subprocess.run(
        ["soffice", "--headless", "--norestore", profile, "--convert-to", "txt:Text (encoded):UTF8", "--outdir",
         str(workdir), str(workdir / "copy.docx")],
        capture_output=True, check=True, timeout=180,
    )  # fmt: skip
    return (workdir / "copy.txt").read_text("utf-8-sig")


READERS = {
    "pypdf": ("pdf", _pypdf),
    "poppler": ("pdf", _poppler),
    "pdfminer": ("pdf", _pdfminer),
    "pdfium": ("pdf", _pdfium),
    "libreoffice": ("docx", _libreoffice),
}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_four_to_six_lines_copied_out_by_any_reader_name_the_copy(reader, api, session, tmp_path):
    fmt, read = READERS[reader]
    s = create(api, body=BODY)
    export(api, "leader", s["id"], fmt)  # another copy first: the right one must be told from it
    data = export(api, "spokesperson", s["id"], fmt)
    code = session.scalar(
        sa.select(Export.fingerprint).where(Export.statement_id == s["id"], Export.username == "spokesperson")
    )
    lines = [line for line in read(data, tmp_path).splitlines() if line.strip()]
    # The statement's own lines: from its title to the content hash's footer, banner and footer left out.
    title = " ".join(SAMPLES["statements"][0]["title"].split()[:3])
    start = next(i for i, line in enumerate(lines) if title in strip_invisible(line))
    end = next(i for i, line in enumerate(lines) if "SHA-256" in line)
    body = lines[start:end]
    assert len(body) >= 6, lines
    for size in (4, 5, 6):
        for first in range(len(body) - size + 1):
            window = "\n".join(body[first : first + size])
            assert set(decode_marks(window)) == {code}, (reader, size, first, window)
