"""Marks that tie a copy of unreleased text to one export, and reading them back from leaked text.

Two channels, both derived from the export's fingerprint (32 random bits):

- **Invisible marks**: the fingerprint and a checksum written in zero-width characters, repeated in
  every paragraph (after its first word, then every ``MARK_EVERY`` words), so a pasted paragraph
  or even a sentence still carries it.
- **Variants**: wherever the text allows two equally correct forms (``1.245``/``1245``,
  ``09/11``/``9/11``, ``8%``/``8 %``, ``14h30``/``14:30``, ``vắc xin``/``vắc-xin``,
  ``tỷ lệ``/``tỉ lệ``, ``hai huyện``/``2 huyện``, dashes, ellipses, quotes), the fingerprint
  chooses one. Retyping keeps these, so a retyped copy still
  says which export it follows, with as many bits as the text has sites.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass

from workflow.text import strip_diacritics, strip_invisible

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


# --- variants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One place in the text with two correct forms; ``key`` names it so repeats share one choice."""

    start: int
    end: int
    key: str
    forms: tuple[str, str]


#: Y and i spellings that Vietnamese accepts alike (tỷ lệ / tỉ lệ, quản lý / quản lí): the y form, the i form.
_YI = {"tỷ": "tỉ", "lý": "lí", "kỹ": "kĩ", "mỹ": "mĩ", "quý": "quí"}
#: Numbers up to ten written as words or digits before what they count (hai huyện / 2 huyện).
_NUMBER_WORDS = {"hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
_COUNTED = ("ca", "người", "huyện", "xã", "tỉnh", "ngày", "tuần", "tháng", "lần", "liều", "đợt", "cơ sở", "bệnh viện")

_SITES = re.compile(
    r"(?P<date>(?<![\d/.,])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?P<y>/\d{4})?(?![\d]|/\d))"
    r"|(?P<time>(?<![\d:.,])(?P<hh>\d{1,2})(?:h|:)(?P<mm>\d{2})(?![\d]|:\d))"
    r"|(?P<pct>(?<![\d.,])(?P<pn>\d+(?:[.,]\d+)*)[ \u00a0]?%)"
    r"|(?P<num>(?<![\d.,])(?:[1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d{4,6})(?![\d]|[.,]\d))"
    r"|(?P<vx>(?P<v>[vV])ắc[ -]xin)"
    r"|(?P<yi>(?<!\w)(?P<yw>tỷ|tỉ|lý|lí|kỹ|kĩ|mỹ|mĩ|quý|quí)(?!\w))"
    r"|(?P<nw>(?<!\w)(?P<nn>hai|ba|bốn|năm|sáu|bảy|tám|chín|mười) (?P<noun>" + "|".join(_COUNTED) + r")(?!\w))"
    r"|(?P<dash> [-–] )"
    r"|(?P<ell>\.\.\.|…)"
    r"|(?P<quote>[\"“](?P<q>[^\"“”\n]{1,200})[\"”])"
)


#: Words before a day/month without a year that make it a date ("24/7" alone is not one).
_DATE_CUES = ("ngay ", "tu ", "den ", "va ", "- ", "– ")


def _site(match: re.Match, text: str) -> Site | None:
    g = match.group
    if match.group("date"):
        d, m, y = int(g("d")), int(g("m")), g("y") or ""
        if not (1 <= d <= 31 and 1 <= m <= 12) or (d >= 10 and m >= 10):
            return None
        if not y and not strip_diacritics(text[max(0, match.start() - 6) : match.start()]).endswith(_DATE_CUES):
            return None
        key, forms = f"date:{d}/{m}{y}", (f"{d}/{m}{y}", f"{d:02d}/{m:02d}{y}")
    elif match.group("time"):
        hh, mm = int(g("hh")), g("mm")
        if hh > 23 or int(mm) > 59:
            return None
        key, forms = f"time:{hh}:{mm}", (f"{hh}h{mm}", f"{hh}:{mm}")
    elif match.group("pct"):
        key, forms = f"pct:{g('pn')}", (f"{g('pn')}%", f"{g('pn')} %")
    elif match.group("num"):
        digits = g("num").replace(".", "")
        grouped = f"{int(digits):,}".replace(",", ".")
        key, forms = f"num:{digits}", (grouped, digits)
    elif match.group("yi"):
        word = g("yw")
        y_form = next((y for y, i in _YI.items() if word in (y, i)), word)
        key, forms = f"yi:{y_form}", (y_form, _YI[y_form])
    elif match.group("nw"):
        number, noun = g("nn"), g("noun")
        key, forms = f"count:{number} {noun}", (f"{number} {noun}", f"{_NUMBER_WORDS[number]} {noun}")
    elif match.group("vx"):
        key, forms = "vaccine", (f"{g('v')}ắc xin", f"{g('v')}ắc-xin")
    elif match.group("dash"):
        key, forms = "dash", (" - ", " – ")
    elif match.group("ell"):
        key, forms = "ellipsis", ("...", "…")
    else:
        key, forms = "quotes", (f'"{g("q")}"', f"“{g('q')}”")
    return Site(match.start(), match.end(), key, forms)


def sites(text: str) -> list[Site]:
    """Return the variant sites of a text, left to right."""
    return [s for m in _SITES.finditer(text) if (s := _site(m, text))]


def variant_bit(fingerprint: str, key: str) -> int:
    """Return which form the export with this fingerprint uses at sites named ``key``."""
    return hashlib.sha256(f"{fingerprint}:{key}".encode()).digest()[0] & 1


#: Which rules found the sites a stored copy's choice bits are ordered by (`Export.variant_bits` starts with
#: it): change it with `_SITES` or `_site`, and copies stored before are worked out from their fingerprint.
SITES_VERSION = "1"


def site_keys(text: str) -> list[str]:
    """Return the keys of a text's variant sites in one fixed order: the order of a copy's choice bits."""
    return sorted({site.key for site in sites(text)})


def choices(fingerprint: str, keys: list[str]) -> int:
    """Return the copy's form at each of `keys` as the bits of one number (bit i: the form at keys[i])."""
    return sum(variant_bit(fingerprint, key) << i for i, key in enumerate(keys))


def apply_variants(text: str, fingerprint: str) -> str:
    """Return the text with every variant site in the form the fingerprint chooses."""
    out, last = [], 0
    for site in sites(text):
        out += [text[last : site.start], site.forms[variant_bit(fingerprint, site.key)]]
        last = site.end
    return "".join([*out, text[last:]])


def mark(text: str, fingerprint: str) -> str:
    """Return the text as the export with this fingerprint carries it: variants chosen, marks woven in."""
    code = encode_mark(fingerprint)
    return "\n".join(_mark_paragraph(p, code) for p in apply_variants(text, fingerprint).split("\n"))


def _bare(text: str) -> str:
    """Return the text without diacritics (đ as d) and in its own case: a retyped copy may lose the first."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d").replace("Đ", "D")


def _form_pattern(form: str) -> re.Pattern:
    folded = re.escape(_bare(form))
    # A form only counts as a whole token: "5/3/2026" is not inside "15/3/2026".
    return re.compile(rf"(?<![\w.,/:]){folded}(?![\w]|[.,/:]\d)" if form[:1].isalnum() else folded)


def observe(leaked: str, original: str) -> dict[str, int]:
    """Return, per site key of the original, the form the leaked text uses (when it uses exactly one).

    A form counts only as the original's sites write it, case included: "Tỷ lệ" opening a sentence is no
    site (sites are lower case), so it is not read as the choice of "tỷ" made elsewhere in the text.
    """
    text = _bare(" ".join(strip_invisible(leaked).split()))
    forms: dict[str, tuple[set[str], set[str]]] = {}
    for site in sites(original):
        found = forms.setdefault(site.key, (set(), set()))
        found[0].add(site.forms[0])
        found[1].add(site.forms[1])
    seen: dict[str, int] = {}
    for key, choices in forms.items():
        present = [any(_form_pattern(f).search(text) for f in choice) for choice in choices]
        if present.count(True) == 1:
            seen[key] = present.index(True)
    return _without_habits(seen)


#: Sites whose forms a typist's keyboard or word processor settles alike (straight or curly quotes, three
#: dots or an ellipsis, a hyphen or a dash): one habit, so they are judged together.
_TYPOGRAPHY = frozenset({"dash", "ellipsis", "quotes", "vaccine"})


def _without_habits(seen: dict[str, int]) -> dict[str, int]:
    """Drop the sites of a kind whose observed forms are all one: a typist's habit, not a copy's choices.

    A copy chooses each site's form by its own coin, so several sites of one kind all written one way is
    what a habit does ("8%" without its space every time, straight quotes throughout), and would count
    as many choices agreeing with whichever copies happen to have made them. The whole kind is set aside
    (a true copy loses those sites one time in 2^(k-1): evidence lost, never an innocent named).
    """
    kinds: dict[str, list[str]] = {}
    for key in seen:
        kinds.setdefault("typography" if key in _TYPOGRAPHY else key.split(":")[0], []).append(key)
    for keys in kinds.values():
        if len(keys) > 1 and len({seen[k] for k in keys}) == 1:
            for key in keys:
                del seen[key]
    return seen


def agreement(observed: dict[str, int], fingerprint: str) -> tuple[int, int]:
    """Return (agreeing, disagreeing) observed sites for the export with this fingerprint."""
    agree = sum(1 for key, bit in observed.items() if variant_bit(fingerprint, key) == bit)
    return agree, len(observed) - agree


def screen_agreement(observed: dict[str, int], original: str) -> int:
    """Return agreeing minus disagreeing observed sites for the text as written (what a screen shows)."""
    written = {}
    for site in sites(original):
        text = original[site.start : site.end]
        if text in site.forms:
            written.setdefault(site.key, site.forms.index(text))
    return sum((1 if written[k] == bit else -1) for k, bit in observed.items() if k in written)
