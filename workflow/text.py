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


def like_pattern(query: str) -> str:
    """Return a LIKE pattern (escape character backslash) matching the query anywhere."""
    return "%" + _LIKE_SPECIAL.sub(r"\\\1", search_key(query)) + "%"
