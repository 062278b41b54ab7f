"""Text normalisation for matching and search; stored text is never rewritten."""

from __future__ import annotations

import functools
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


def like_pattern(word: str) -> str:
    """Return the LIKE pattern (escape character backslash) matching the word anywhere."""
    return "%" + _LIKE_SPECIAL.sub(r"\\\1", word) + "%"


#: XML 1.0 (a .docx, an Atom feed) cannot hold most control characters: a copy shows each C0 control as
#: its Control Pictures sign (U+0002 as U+2402) and anything else it cannot hold as U+FFFD.
_NOT_XML = {c: 0x2400 + c for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20))} | dict.fromkeys(
    (*range(0xD800, 0xE000), 0xFFFE, 0xFFFF), 0xFFFD
)


def spreadsheet_text(text: str) -> str:
    """Keep a text a text in a spreadsheet: one starting like a formula ("=HYPERLINK(…)") is written quoted."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def xml_text(text: str) -> str:
    """Return the text with what XML cannot hold shown visibly instead (the stored text is untouched)."""
    return text.translate(_NOT_XML)


# --- text as a reader sees it ----------------------------------------------------------------
#
# The sensitivity rules must see what a reader sees: "tử\u00a0vong", "tử\u200bvong", "tử-vong", "tử vоng"
# (a Cyrillic о) and "ｔử vong" (fullwidth) all read "tử vong". Stored text is never rewritten; only the
# matching looks through these disguises, and `hidden_characters` names them.

#: Letters of other scripts (and Latin look-alikes outside Vietnamese) that Unicode's confusables data
#: (TR39, through confusable-homoglyphs) gives a single ASCII letter or digit for: Cyrillic "о" → "o".
#: Vietnamese letters decompose to ASCII and marks, except đ, which stays itself.
_KEEP = frozenset("đĐ")


@functools.cache
def _confusable_table() -> dict[int, str]:
    from confusable_homoglyphs import confusables

    table: dict[int, str] = {}
    for char, homoglyphs in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii() or char in _KEEP or not (char.isalpha() or char.isdigit()):
            continue
        ascii_twin = next(
            (h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalnum()), None
        )
        if ascii_twin is not None:
            table[ord(char)] = ascii_twin
    return table


#: Every format control (category Cf) in Unicode 14.0, Python 3.11's data: zero-width, bidi, soft hyphen,
#: BOM, tags. Written out because deriving it scans all 1.1 million code points (half a second of CPU in
#: every server process, on its first request); tests/test_disguise.py holds it to `unicodedata`.
FORMAT_CONTROLS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
#: Characters a reader does not see: the format controls, the variation selectors, the combining grapheme
#: joiner and the Hangul fillers.
_INVISIBLE_RE = re.compile(
    f"[{FORMAT_CONTROLS}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)


@functools.cache
def _confusable_re() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(c)) for c in _confusable_table()) + "]")


#: Dashes and hyphens of every kind (category Pd, and the minus sign): inside a phrase they read as a space.
_DASH_RE = re.compile(
    "[\u002d\u058a\u05be\u1400\u1806\u2010-\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u301c\u3030"
    "\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\u2212]"
)
#: Every run of white space, the blank Braille pattern and the Mongolian vowel separator among them.
_SPACE_RE = re.compile(r"[\s\u2800\u180e]+")
_LINE_BREAK_RE = re.compile("[\n\r\v\f\x85\u2028\u2029]")


def invisible_characters(text: str) -> list[re.Match[str]]:
    """Return where the text holds characters a reader cannot see."""
    return list(_INVISIBLE_RE.finditer(text))


def _in_word(char: str) -> bool:
    # A combining mark belongs to its word: in decomposed "mo\u031b\u0301ι" the Greek iota is still in "mới".
    return char.isalnum() or unicodedata.category(char).startswith("M")


def confusable_letters(text: str) -> list[tuple[str, str, str]]:
    """Return the look-alike letters hiding in Latin words: (letter, the ASCII it imitates, the word)."""
    found = []
    for m in _confusable_re().finditer(text):
        start, end = m.start(), m.end()
        while start > 0 and _in_word(text[start - 1]):
            start -= 1
        while end < len(text) and _in_word(text[end]):
            end += 1
        word = text[start:end]
        # A whole word of another script (a Russian name) is no disguise; a Latin word with one inside is.
        latin = any(c.isalpha() and "LATIN" in unicodedata.name(c, "") for c in word)
        if latin:
            found.append((m.group(0), _confusable_table()[ord(m.group(0))], word))
    return found


#: Fullwidth forms of ASCII: typed by East Asian input methods, never by a Vietnamese keyboard.
_FULLWIDTH_RE = re.compile("[\uff01-\uff5e]")


def fullwidth_characters(text: str) -> list[str]:
    """Return the fullwidth forms of ASCII characters in the text."""
    return _FULLWIDTH_RE.findall(text)


def reader_text(text: str, *, lines: bool = False) -> str:
    """Return the text as a reader sees it, for matching: disguises removed, each run of spaces one space.

    With `lines`, a run of white space holding a line break stays one line break (detectors read sentences).
    """
    text = _INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", text))
    text = unicodedata.normalize("NFD", text).translate(_confusable_table())
    text = _DASH_RE.sub(" ", unicodedata.normalize("NFC", text))
    if lines:
        return _SPACE_RE.sub(lambda m: "\n" if _LINE_BREAK_RE.search(m.group(0)) else " ", text)
    return _SPACE_RE.sub(" ", text)


def strip_invisible(text: str) -> str:
    """Return the text without format characters (zero-width marks, BOMs) and with plain spaces."""
    return "".join(" " if ch in "\u00a0\u2007\u202f" else ch for ch in text if unicodedata.category(ch) != "Cf")
