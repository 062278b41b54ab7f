"""Text normalisation for matching and search; stored text is never rewritten."""

from __future__ import annotations

import re
import unicodedata

_LIKE_SPECIAL = re.compile(r"([\\%_])")


def fold(text: str) -> str:
    """Return NFC, case-folded text for matching with diacritics kept."""
    return unicodedata.normalize("NFC", text).casefold()


def strip_diacritics(text: str) -> str:
    """Return case-folded text without Vietnamese (or any) diacritics; đ becomes d."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d")


def search_key(*parts: str) -> str:
    """Return the diacritic-free, case-folded, space-collapsed form stored for search."""
    return " ".join(strip_diacritics(" ".join(parts)).split())


def like_patterns(query: str) -> list[str]:
    """Return one LIKE pattern (escape character backslash) per word of the query, each matching anywhere."""
    # Several words find the texts holding all of them, in any order: "rubella sởi" finds "sởi và rubella".
    return ["%" + _LIKE_SPECIAL.sub(r"\\\1", word) + "%" for word in search_key(query).split()]


#: XML 1.0 (a .docx, an Atom feed) cannot hold most control characters: a copy shows each C0 control as
#: its Control Pictures sign (U+0002 as U+2402) and anything else it cannot hold as U+FFFD.
_NOT_XML = {c: 0x2400 + c for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20))} | dict.fromkeys(
    (*range(0xD800, 0xE000), 0xFFFE, 0xFFFF), 0xFFFD
)


def xml_text(text: str) -> str:
    """Return the text with what XML cannot hold shown visibly instead (the stored text is untouched)."""
    return text.translate(_NOT_XML)
