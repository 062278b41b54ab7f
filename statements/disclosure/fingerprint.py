"""Marks that tie a copy of unreleased text to one export, and reading them back from leaked text.

Two channels, both derived from the export's fingerprint (32 random bits):

- **Invisible marks**: the fingerprint and a checksum written in zero-width characters, repeated in
  every paragraph (after its first word, then every ``MARK_EVERY`` words), so a pasted paragraph
  or even a sentence still carries it.
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
    """Return the fingerprints whose marks are intact in the text, with how often each appears."""
    found: Counter[str] = Counter()
    for match in _MARK.finditer(text):
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


def mark(text: str, fingerprint: str) -> str:
    """Return the text as the export with this fingerprint carries it: variants chosen, marks woven in."""
    code = encode_mark(fingerprint)
    return "\n".join(_mark_paragraph(p, code) for p in variants.apply_variants(text, fingerprint).split("\n"))
