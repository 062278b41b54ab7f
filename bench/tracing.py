"""How often a leaked copy is traced to its holder, and how often to anyone else (issue 29).

`python -m bench.tracing [--trials 60] [--seed 29]` seeds a fresh database (PostgreSQL when one is found,
else SQLite) through PressGate's own services: a unit of 12 readers, the three statements of
`bench/tracing_statements.json` awaiting review, and every reader's copy of each as txt, docx and pdf
(36 fingerprinted copies a statement). Each trial leaks one copy, transformed as the issue's study did,
and runs the investigation an auditor would. It prints, per transformation, how often the holder was
named first by evidence, how often an innocent was (first, or credited by variants), and how often the
group was shown instead; `bench/results/tracing.json` keeps the figures and the bits per paragraph.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from statements.disclosure import variants
from workflow.text import strip_invisible

RESULTS = Path(__file__).resolve().parent / "results"
STATEMENTS = json.loads((Path(__file__).resolve().parent / "tracing_statements.json").read_text("utf-8"))["statements"]
READERS = 12
FORMATS = ("txt", "docx", "pdf")


def seed(url: str) -> dict:
    """Create the unit, its readers, the statements and every copy; return each copy's file by holder and format."""
    from auth.service import actor_for, get_user
    from bench.disclosure import unit_of_readers
    from statements.copies.exports import make_copy, render
    from statements.lifecycle.service import create_statement, decide

    engine, drafter, names = unit_of_readers(url, "SYT-BL", "Sở Y tế tỉnh Bình Lâm", READERS)
    files: dict = {}
    with Session(engine) as session:
        for sample in STATEMENTS:
            fields = {"title": sample["title"], "body": sample["body"], "kind": "regular", "urgency": "normal"}
            s = create_statement(session, drafter, "SYT-BL", fields)
            decide(session, s.id, drafter, "submit", version=1)
            session.commit()
            for name in names:
                actor = actor_for(session, get_user(session, name))
                for fmt in FORMATS:
                    files[(s.id, name, fmt)] = render(make_copy(session, s.id, actor, fmt), fmt)
            session.commit()
    engine.dispose()
    return files


# --- reading a copy's file as a person would -----------------------------------------------------


def _docx_text(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def _pypdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _poppler_text(data: bytes) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def _pdfminer_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def _pdfium_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def _libreoffice_text(data: bytes) -> str | None:
    if not shutil.which("soffice"):
        return None
    with tempfile.TemporaryDirectory() as workdir:
        Path(workdir, "copy.docx").write_bytes(data)
        profile = f"-env:UserInstallation=file://{workdir}/profile"
        subprocess.run(
            ["soffice", "--headless", "--norestore", profile, "--convert-to", "txt:Text (encoded):UTF8", "--outdir",
             workdir, f"{workdir}/copy.docx"],
            capture_output=True, check=True, timeout=180,
        )  # fmt: skip
        return Path(workdir, "copy.txt").read_text("utf-8-sig")


def _body(text: str, title: str) -> str:
    """Return the statement's text from a copy: from its title to the content hash's footer."""
    # Found in the text without its marks (a PDF's are between the letters), cut from the text with them.
    shown = [i for i, ch in enumerate(text) if strip_invisible(ch)]
    bare = "".join(text[i] for i in shown)
    start, end = bare.find(title[:20]), bare.find("Mã băm nội dung")
    return text[shown[max(start, 0)] : shown[end] if end > 0 else None]


# --- what a leaker does to the text --------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if len(p.split()) >= 12]


def _keyboard(text: str) -> str:
    """Retype with what a keyboard gives: straight quotes, a hyphen for a dash, three dots."""
    for fancy, plain in (("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"), ("…", "..."), ("\u00a0", " ")):
        text = text.replace(fancy, plain)
    return text


def _paraphrase(text: str, rng: random.Random) -> str:
    """Change a few words as a person retelling it would: two words dropped, two neighbours swapped."""
    words = text.split()
    for _ in range(2):
        if len(words) > 8:
            words.pop(rng.randrange(1, len(words) - 1))
    i = rng.randrange(1, len(words) - 2)
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


#: A typist's own word habits: every one of these written their way, whatever the copy chose.
_WORD_HABITS = (("tới", "đến"), ("Tới", "Đến"), (" ở ", " tại "), ("bệnh nhân", "người bệnh"), ("trẻ em", "trẻ"))


def _habits(text: str) -> str:
    """Retype with a typist's own words for the commonest choices (the worst case for word choices)."""
    for theirs, mine in _WORD_HABITS:
        text = text.replace(theirs, mine)
    return _keyboard(text)


def _lines(text: str, rng: random.Random) -> str:
    """Take 4 to 6 consecutive lines of the body, as copied out of a PDF viewer."""
    lines = [line for line in text.split("\n") if line.strip()]
    count = rng.randint(4, 6)
    start = rng.randrange(1, max(2, len(lines) - count))
    return "\n".join(lines[start : start + count])


def _sentence(text: str, rng: random.Random) -> str:
    sentences = [s for s in re.split(r"(?<=[.;])\s+", " ".join(text.split("\n")[1:])) if len(s.split()) >= 10]
    return rng.choice(sentences)


#: Each row: what the leaker took (from which file) and what they did to it.
TRANSFORMS: dict[str, tuple[str, Callable[[str, random.Random], str]]] = {
    "whole text, invisible characters stripped": ("txt", lambda t, r: strip_invisible(t)),
    "one sentence, stripped": ("txt", lambda t, r: _sentence(strip_invisible(t), r)),
    "one paragraph, retyped faithfully": ("txt", lambda t, r: r.choice(_paragraphs(strip_invisible(t)))),
    "one paragraph, retyped with keyboard punctuation": (
        "txt",
        lambda t, r: _keyboard(r.choice(_paragraphs(strip_invisible(t)))),
    ),
    "one paragraph, lightly paraphrased and retyped": (
        "txt",
        lambda t, r: _paraphrase(r.choice(_paragraphs(strip_invisible(t))), r),
    ),
    "one paragraph, retyped with the typist's own word habits": (
        "txt",
        lambda t, r: _habits(r.choice(_paragraphs(strip_invisible(t)))),
    ),
    "whole text, retyped with the typist's own word habits": ("txt", lambda t, r: _habits(strip_invisible(t))),
    "4-6 lines copied from the PDF (pypdf)": ("pdf-pypdf", _lines),
    "4-6 lines copied from the PDF (poppler)": ("pdf-poppler", _lines),
    "4-6 lines copied from the PDF (pdfminer)": ("pdf-pdfminer", _lines),
    "4-6 lines copied from the PDF (pdfium, Chromium's viewer)": ("pdf-pdfium", _lines),
    "4-6 lines copied from the DOCX": ("docx", _lines),
    "4-6 lines of the DOCX's LibreOffice text export": ("docx-libreoffice", _lines),
}


def run(url: str, trials: int, rng: random.Random) -> dict:
    """Seed, then run `trials` investigations per transformation; return the counts."""
    from statements.db import make_engine
    from statements.disclosure.analysis import analyse

    files = seed(url)
    titles = {sid: STATEMENTS[i]["title"] for i, sid in enumerate(sorted({k[0] for k in files}))}
    readers = sorted({k[1] for k in files})
    engine = make_engine(url)
    seen = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    results: dict = {}
    with Session(engine) as session:
        for row, (source, transform) in TRANSFORMS.items():
            if (source == "pdf-poppler" and not shutil.which("pdftotext")) or (
                source.endswith("libreoffice") and not shutil.which("soffice")
            ):
                results[row] = None
                continue
            counts = dict.fromkeys(("trials", "holder_first", "innocent_first", "innocent_credited", "group"), 0)
            for _ in range(trials):
                sid, holder = rng.choice(sorted(titles)), rng.choice(readers)
                fmt = source.split("-")[0]
                data = files[(sid, holder, fmt)]
                text = {
                    "txt": lambda d: d.decode("utf-8"),
                    "docx": _docx_text,
                    "docx-libreoffice": _libreoffice_text,
                    "pdf-pypdf": _pypdf_text,
                    "pdf-poppler": _poppler_text,
                    "pdf-pdfminer": _pdfminer_text,
                    "pdf-pdfium": _pdfium_text,
                }[source](data)
                leaked = transform(_body(text, titles[sid]), rng)
                analysis = analyse(session, leaked, seen, None)
                first = analysis["distinguished"][:1]
                counts["trials"] += 1
                counts["holder_first"] += first == [holder]
                counts["innocent_first"] += bool(first) and first != [holder]
                counts["innocent_credited"] += any(
                    e["type"] in ("variants", "fingerprint")
                    for p in analysis["suspects"]
                    if p["username"] != holder
                    for e in p["evidence"]
                )
                counts["group"] += not first
            results[row] = counts
    engine.dispose()
    return results


def bits_per_paragraph() -> list[int]:
    """Return the variant choices of every paragraph of the bench's statements."""
    return [len(variants.site_keys(p)) for s in STATEMENTS for p in s["body"].split("\n\n")]


def main() -> int:
    """Run the simulation; print the table and write bench/results/tracing.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    from tests import pg

    admin = pg.server_url()
    workdir = tempfile.mkdtemp(prefix="pressgate-tracing-")
    url = pg.create_database(admin) if admin else f"sqlite:///{workdir}/tracing.db"
    try:
        results = run(url, args.trials, random.Random(args.seed))
    finally:
        if admin:
            pg.drop_database(admin, url)
        shutil.rmtree(workdir, ignore_errors=True)
    heads = ("trials", 6), ("holder first", 13), ("innocent first", 15), ("innocent credited", 18), ("group", 6)
    print(f"{'leaked as':<58}" + "".join(f" {name:>{width}}" for name, width in heads))
    for row, c in results.items():
        if c is None:
            print(f"{row:<58} (the reader is not installed)")
            continue
        print(
            f"{row:<58} {c['trials']:>6} {c['holder_first']:>13} {c['innocent_first']:>15}"
            f" {c['innocent_credited']:>18} {c['group']:>6}"
        )
    bits = bits_per_paragraph()
    print(f"variant choices per paragraph: {sorted(bits)} (median {sorted(bits)[len(bits) // 2]})")
    RESULTS.mkdir(exist_ok=True)
    payload = {"trials": args.trials, "seed": args.seed, "results": results, "bits_per_paragraph": bits}
    (RESULTS / "tracing.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
