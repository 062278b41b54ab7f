"""Marks that tie a copy of unreleased text to one export, and reading them back from leaked text.

Two channels, both derived from the export's fingerprint (32 random bits):

- **Invisible marks**: the fingerprint and a checksum written in zero-width characters, repeated in
  every paragraph (after its first word, then every ``MARK_EVERY`` words), so a pasted paragraph
  or even a sentence still carries it. In a PDF the mark is spread instead, one character between
  each two letters of a word, mark after mark: PDF readers place text by position, and poppler, pdfium
  and pdfminer keep only one of several zero-width characters drawn at one place (issue 29).
- **Variants** (`variants`): wherever the text allows equally correct forms, the fingerprint chooses
  one. Retyping keeps these, so a retyped copy still says which export it follows, with as many bits
  as the text has choices.
"""

from __future__ import annotations

import re
import secrets
import zlib
from collections import Counter

from statements.disclosure import variants

FINGERPRINT_BITS = 32
#: Zero-width characters: a frame around 32 data bits and 8 checksum bits.
MARK_START, MARK_END = "\u2060", "\u200d"
BIT = ("\u200b", "\u200c")
MARK_EVERY = 12
_MARK = re.compile(f"{MARK_START}([{BIT[0]}{BIT[1]}]{{40}}){MARK_END}")
_NOT_MARK = re.compile(f"[^{MARK_START}{MARK_END}{BIT[0]}{BIT[1]}]+")


def new_fingerprint() -> str:
    """Return a fresh random fingerprint as 8 hex digits (never zero)."""
    return f"{secrets.randbelow(2**FINGERPRINT_BITS - 1) + 1:08x}"


def _checksum(value: int) -> int:
    return zlib.crc32(value.to_bytes(4, "big")) & 0xFF


def encode_mark(fingerprint: str) -> str:
    """Return the invisible mark carrying the fingerprint and its checksum."""
    value = int(fingerprint, 16)
    payload = (value << 8) | _checksum(value)
    return MARK_START + "".join(BIT[(payload >> (39 - i)) & 1] for i in range(40)) + MARK_END


def decode_marks(text: str) -> Counter[str]:
    """Return the fingerprints whose marks are intact in the text, with how often each appears.

    The mark's characters are read in order whatever stands between them: a mark spread between the
    letters of a PDF's words reads as one written in a row. A mark cut short or put together from two
    copies fails its frame or its checksum and is not read.
    """
    found: Counter[str] = Counter()
    for match in _MARK.finditer(_NOT_MARK.sub("", text)):
        payload = int("".join("1" if ch == BIT[1] else "0" for ch in match.group(1)), 2)
        value, check = payload >> 8, payload & 0xFF
        if value and _checksum(value) == check:
            found[f"{value:08x}"] += 1
    return found


def _mark_paragraph(paragraph: str, mark: str) -> str:
    words = paragraph.split(" ")
    if len(words) < 2:
        return paragraph
    # The mark sits at the start of a word, after its space: copying any sentence takes one along.
    return " ".join(mark + w if i % MARK_EVERY == 1 else w for i, w in enumerate(words))


def _spread_paragraph(paragraph: str, mark: str) -> str:
    """Return the paragraph with the mark's characters between the letters of its words, mark after mark."""
    out, at = [], 0
    for i, ch in enumerate(paragraph):
        out.append(ch)
        if ch.isalnum() and paragraph[i + 1 : i + 2].isalnum():
            out.append(mark[at % len(mark)])
            at += 1
    return "".join(out)


def mark(text: str, fingerprint: str, *, spread: bool = False) -> str:
    """Return the text as the export with this fingerprint carries it: variants chosen, marks woven in.

    `spread` lays each mark's characters between letters (for a PDF: see above) rather than in a row.
    """
    code = encode_mark(fingerprint)
    weave = _spread_paragraph if spread else _mark_paragraph
    return "\n".join(weave(p, code) for p in variants.apply_variants(text, fingerprint).split("\n"))
