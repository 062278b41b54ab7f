"""Where a text allows equally correct forms: the variant sites, found by versioned rules.

Version 1 finds numbers, dates, times, percentages, y/i spellings, counts in words and typography; version 2
(issue 29) adds a second choice to dates and times, counts in digits, the serial comma, capitalised y/i
spellings and the word choices of `workflow.wording`, each named by the word beside it. A later version
only adds sites, so copies made under earlier rules are still read right (`statements.disclosure.variants`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from workflow.text import strip_diacritics
from workflow.wording import CHOICES, NUMBER_WORDS, YI, Choice

#: The site rules copies are made with now. "1": numbers, dates, times, percentages, y/i spellings, counts
#: in words and typography; "2" (issue 29) adds a second choice to dates and times, word choices read with
#: the word beside them, counts in digits, capitalised y/i spellings and the serial comma.
SITES_VERSION = "2"
VERSIONS = ("1", "2")


@dataclass(frozen=True)
class Site:
    """One place in the text with 2^k correct forms; form i carries bit j of i as its choice at ``keys[j]``.

    ``before``/``after`` name the word beside the site a leaked text is read with (a word choice such as
    ``đến``/``tới`` is only told apart where it stands, not anywhere in the text).
    """

    start: int
    end: int
    keys: tuple[str, ...]
    forms: tuple[str, ...]
    before: str = ""
    after: str = ""


# --- version 1 -------------------------------------------------------------------------------

_COUNTED = ("ca", "người", "huyện", "xã", "tỉnh", "ngày", "tuần", "tháng", "lần", "liều", "đợt", "cơ sở", "bệnh viện")

_V1 = re.compile(
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
#: Words before a date that let it be written with hyphens too ("từ 9-11" could be read as a range).
_HYPHEN_CUES = ("ngay ", "sang ", "chieu ", "toi ", "trua ", "dem ")


def _v1_site(match: re.Match, text: str, version: str) -> Site | None:
    g = match.group
    if g("date"):
        d, m, y = int(g("d")), int(g("m")), g("y") or ""
        if not (1 <= d <= 31 and 1 <= m <= 12):
            return None
        before = strip_diacritics(text[max(0, match.start() - 6) : match.start()])
        padded = not (d >= 10 and m >= 10)
        if (not padded and version == "1") or (not y and not before.endswith(_DATE_CUES)):
            return None
        plain, zeros = f"{d}/{m}{y}", f"{d:02d}/{m:02d}{y}"
        if version == "1" or not (y or before.endswith(_HYPHEN_CUES)):
            return Site(match.start(), match.end(), (f"date:{plain}",), (plain, zeros)) if padded else None
        hyphens = plain.replace("/", "-"), zeros.replace("/", "-")
        if not padded:
            return Site(match.start(), match.end(), (f"datesep:{plain}",), (plain, hyphens[0]))
        return Site(match.start(), match.end(), (f"date:{plain}", f"datesep:{plain}"), (plain, zeros, *hyphens))
    if g("time"):
        return _time(match, int(g("hh")), g("mm"), version)
    if g("pct"):
        return Site(match.start(), match.end(), (f"pct:{g('pn')}",), (f"{g('pn')}%", f"{g('pn')} %"))
    if g("num"):
        digits = g("num").replace(".", "")
        grouped = f"{int(digits):,}".replace(",", ".")
        return Site(match.start(), match.end(), (f"num:{digits}",), (grouped, digits))
    if g("yi"):
        word = g("yw")
        y_form = next((y for y, i in YI.items() if word in (y, i)), word)
        return Site(match.start(), match.end(), (f"yi:{y_form}",), (y_form, YI[y_form]))
    if g("nw"):
        number, noun = g("nn"), g("noun")
        forms = (f"{number} {noun}", f"{NUMBER_WORDS[number]} {noun}")
        return Site(match.start(), match.end(), (f"count:{number} {noun}",), forms)
    if g("vx"):
        return Site(match.start(), match.end(), ("vaccine",), (f"{g('v')}ắc xin", f"{g('v')}ắc-xin"))
    if g("dash"):
        return Site(match.start(), match.end(), ("dash",), (" - ", " – "))
    if g("ell"):
        return Site(match.start(), match.end(), ("ellipsis",), ("...", "…"))
    return Site(match.start(), match.end(), ("quotes",), (f'"{g("q")}"', f"“{g('q')}”"))


def _time(match: re.Match, hh: int, mm: str, version: str) -> Site | None:
    if hh > 23 or int(mm) > 59:
        return None
    forms = (f"{hh}h{mm}", f"{hh}:{mm}")
    if version == "1":
        return Site(match.start(), match.end(), (f"time:{hh}:{mm}",), forms)
    # The second choice: in words, with or without "phút" (14 giờ 30 / 14 giờ 30 phút).
    forms += (f"{hh} giờ {mm}", f"{hh} giờ {mm} phút")
    return Site(match.start(), match.end(), (f"time:{hh}:{mm}", f"timeword:{hh}:{mm}"), forms)


# --- version 2: word choices and the rest -------------------------------------------------------

_BY_FORM: dict[str, list[Choice]] = {}
for _c in CHOICES:
    _BY_FORM.setdefault(_c.form, []).append(_c)
_WORD_CHOICE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(f) for f in sorted(_BY_FORM, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
#: What version 2 also counts in words or digits ("6 điều dưỡng" / "sáu điều dưỡng").
# fmt: off
_COUNTED_MORE = (
    *_COUNTED,
    "công nhân", "trẻ", "bệnh nhân", "người bệnh", "trường hợp", "giường", "điều dưỡng", "bác sĩ", "khoa",
    "mẫu", "em", "ổ dịch", "đội", "nhân viên", "cán bộ", "học sinh",
)
# fmt: on
_COUNT = re.compile(
    r"(?<![\w.,/-])(?:(?P<digits>[2-9]|10)|(?P<word>hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)) (?P<noun>"
    + "|".join(sorted(_COUNTED_MORE, key=len, reverse=True))
    + r")(?!\w)"
)
_HOUR = re.compile(r"(?<![\w.,:])(?P<hh>\d{1,2})(?: giờ|h)(?![\w:]| \d| phút)")
_TIME_WORDS = re.compile(r"(?<![\w.,:])(?P<hh>\d{1,2}) giờ (?P<mm>\d{2})(?: phút)?(?!\w)")
_HYPHEN_DATE = re.compile(r"(?<![\w/.,-])(?P<d>\d{1,2})-(?P<m>\d{1,2})(?P<y>-\d{4})?(?![\w]|[-/]\d)")
_SERIAL = re.compile(r",? và (?=\w)")
_WORD = re.compile(r"\w+")
_CLAUSE_END = re.compile(r"[.;:!?\n]")


def _cased(form: str, like: str) -> str:
    return form[:1].upper() + form[1:] if like[:1].isupper() and not form[:1].isupper() else form


def _neighbours(text: str, start: int, end: int) -> tuple[str, str]:
    """Return the words just before and after a span, lower case ("" at a clause's edge)."""
    before = re.search(r"(\w+)[^\w\n.;:!?]{0,3}$", text[max(0, start - 40) : start])
    after = re.match(r"[^\w\n.;:!?]{0,3}(\w+)", text[end : end + 40])
    return (before.group(1).lower() if before else ""), (after.group(1).lower() if after else "")


def _v2_sites(text: str) -> list[tuple[int, int, str, tuple[str, ...], tuple[str, ...]]]:
    """Return the version-2 sites' spans, kinds and forms (keys get their context later)."""
    found: list[tuple[int, int, str, tuple[str, ...], tuple[str, ...]]] = []
    for m in _WORD_CHOICE.finditer(text):
        written, lower = m.group(1), m.group(1).lower()
        # Lower case, or capitalised opening a sentence; "COVID-19" and the like only as listed.
        choices = _BY_FORM.get(written) or (_BY_FORM.get(lower, []) if written in (lower, _cased(lower, "A")) else [])
        prev, _ = _neighbours(text, m.start(), m.end())
        after = re.match(r"[^\w\n.;:!?]{0,3}(\w+)", text[m.end() : m.end() + 40])
        nxt = after.group(1) if after else ""
        for choice in choices:
            head = text[max(0, m.start() - 80) : m.start()].rstrip()
            opens = (m.start() < 80 and not head) or head[-1:] in (".", "!", "?", ":", "\n")
            if choice.allows(prev, nxt, text[m.end() :], opens=opens):
                forms = (written, _cased(choice.other, written))
                found.append((m.start(), m.end(), choice.kind, (choice.form.lower(),), forms))
                break
    for m in _COUNT.finditer(text):
        prev, nxt = _neighbours(text, m.start(), m.end())
        if prev in ("đến", "tới", "từ") or nxt in ("đến", "tới") or text[m.end() : m.end() + 1] == "-":
            continue
        noun, word = m.group("noun"), m.group("word")
        number = word or next(w for w, n in NUMBER_WORDS.items() if n == int(m.group("digits")))
        # Only the number changes, so the noun stays free for its own choice ("6 người bệnh": "bệnh nhân").
        # The word form first, as version 1 orders a count's forms, whichever the text has.
        end = m.start() + len(word or m.group("digits"))
        found.append((m.start(), end, "count", (f"{number} {noun}",), (number, str(NUMBER_WORDS[number]))))
    for m in _HOUR.finditer(text):
        hh = int(m.group("hh"))
        if hh <= 23:
            found.append((m.start(), m.end(), "hour", (str(hh),), (f"{hh} giờ", f"{hh}h")))
    for m in _TIME_WORDS.finditer(text):
        site = _time(m, int(m.group("hh")), m.group("mm"), "2")
        if site:
            found.append((m.start(), m.end(), "", site.keys, site.forms))
    for m in _HYPHEN_DATE.finditer(text):
        d, mo, y = int(m.group("d")), int(m.group("m")), (m.group("y") or "").replace("-", "/")
        before = strip_diacritics(text[max(0, m.start() - 6) : m.start()])
        if 1 <= d <= 31 and 1 <= mo <= 12 and (y or before.endswith(_HYPHEN_CUES)):
            plain = f"{d}/{mo}{y}"
            if d >= 10 and mo >= 10:
                found.append((m.start(), m.end(), "", (f"datesep:{plain}",), (plain, plain.replace("/", "-"))))
            else:
                zeros = f"{d:02d}/{mo:02d}{y}"
                forms = (plain, zeros, plain.replace("/", "-"), zeros.replace("/", "-"))
                found.append((m.start(), m.end(), "", (f"date:{plain}", f"datesep:{plain}"), forms))
    for m in _SERIAL.finditer(text):
        # Only closing a list ("A, B và C"): the item before "và" is short and follows a comma, and "và" is
        # no part of a name ("Phòng Giáo dục và Đào tạo", "Sở Lao động, Thương binh và Xã hội").
        clause = _CLAUSE_END.split(text[max(0, m.start() - 400) : m.start()])[-1]
        if "," in clause and len(clause.rsplit(",", 1)[1].split()) <= 6 and not text[m.end()].isupper():
            form = m.group()[:-1]
            found.append((m.start(), m.end() - 1, "serial", ("",), (form, " và" if form.startswith(",") else ", và")))
    return found


def _beside(text: str, start: int, end: int) -> tuple[re.Match | None, re.Match | None, int]:
    """Return the word just before a span and the one just after it (within its clause), and where `before` starts."""
    base = max(0, start - 40)
    before = re.search(r"(\w+)[^\w\n.;:!?]{0,3}$", text[base:start])
    after = re.match(r"[^\w\n.;:!?]{0,3}(\w+)", text[end : end + 40])
    return before, after, base


def _site_from(
    found: tuple[int, int, str, tuple[str, ...], tuple[str, ...]],
    text: str,
    taken: Callable[[int, int], bool],
    alike: list[tuple[int, int, str, tuple[str, ...], tuple[str, ...]]],
) -> Site | None:
    """Return a version-2 site, a word choice named by the word beside it; None if no word names it alone.

    A word choice (``đến``/``tới``) is read from a leaked text only beside its word, so the word must be
    one no choice changes, and no other place of the text (whatever its copy chose) may show either form
    beside it: else a copy's form elsewhere would be read as this place's choice.
    """
    start, end, kind, keys, forms = found
    if not kind:
        return Site(start, end, keys, forms)
    before, after, base = _beside(text, start, end)
    read = bare(" ".join(text.split()))  # as `observe` reads a leaked text
    options = []
    if after and not taken(end + after.start(1), end + after.end(1)):
        options.append(("after", after.group(1), f"{kind}:{keys[0]}>{after.group(1).lower()}"))
    if before and not taken(base + before.start(1), base + before.end(1)):
        options.append(("before", before.group(1), f"{kind}:{before.group(1).lower()}<{keys[0]}"))
    if _opens(text, start):  # "Đến 18 giờ, …": opening its sentence names it too
        options.append(("before", "^", f"{kind}:^<{keys[0]}"))
    options.append(("", "", f"{kind}:{keys[0]}"))  # or nothing beside it, if it is the only place either form is
    mine = {bare(f) for f in forms}
    for side, word, key in options:
        site = Site(start, end, (key,), forms, **({side: word} if side else {}))
        if sum(map(len, places(site, read))) != 1:
            continue
        clash = False
        for other in alike:
            if other[0] != start and other[2] == kind and mine & {bare(f) for f in other[4]}:
                b, a, _ = _beside(text, other[0], other[1])
                beside = a if side == "after" else b
                if not side:
                    clash = True
                elif word == "^":
                    clash = clash or _opens(text, other[0])
                else:
                    clash = clash or (beside is not None and bare(beside.group(1)) == bare(word))
        if not clash:
            return site
    return None


def _opens(text: str, start: int) -> bool:
    """Say whether a span opens a sentence (as a leaked text, its lines run together, shows it)."""
    head = text[max(0, start - 80) : start].rstrip()
    return (start < 80 and not head) or head[-1:] in (".", "!", "?", ":")


def sites(text: str, version: str = SITES_VERSION) -> tuple[Site, ...]:
    """Return the variant sites of a text under the rules of `version`, left to right."""
    return _sites(text, version)


# An investigation reads one version's sites several times (its keys, its screen forms, earlier rules'):
# a version's text never changes, so they are worked out once per text.
@functools.lru_cache(maxsize=256)
def _sites(text: str, version: str) -> tuple[Site, ...]:
    first = [s for m in _V1.finditer(text) if (s := _v1_site(m, text, version))]
    if version == "1":
        return tuple(first)
    spans = [(s.start, s.end) for s in first]

    def taken(start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in spans)

    chosen = []
    for found in sorted(_v2_sites(text), key=lambda f: (f[0], -(f[1] - f[0]))):
        if not taken(found[0], found[1]):
            spans.append((found[0], found[1]))
            chosen.append(found)
    # Keys are named once every site is known: a word beside a site is context only if no choice changes it.
    more = [site for found in chosen if (site := _site_from(found, text, taken, chosen))]
    return tuple(sorted(first + more, key=lambda s: s.start))


def bare(text: str) -> str:
    """Return the text without diacritics (đ as d) and in its own case: a retyped copy may lose the first."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d").replace("Đ", "D")


def pattern(form: str, site: Site) -> str:
    folded = re.escape(bare(form))
    # A form only counts as a whole token: "5/3/2026" is not inside "15/3/2026".
    head = r"(?<![\w.,/:])" if form[:1].isalnum() else ""
    tail = r"(?![\w]|[.,/:]\d)" if form[-1:].isalnum() else ""
    # The word beside a form is read with what stands between them; a form that starts or ends with its own
    # punctuation (", và") may touch it.
    if site.before == "^":
        head = r"(?:^|(?<=[.!?:] ))"
    elif site.before:
        gap = "{1,3}" if form[:1].isalnum() else "{0,3}"
        head = rf"(?<![\w]){re.escape(bare(site.before))}[^\w\n]{gap}"
    if site.after:
        gap = "{1,3}" if form[-1:].isalnum() else "{0,3}"
        tail = rf"(?=[^\w\n]{gap}{re.escape(bare(site.after))}(?!\w))"
    return head + folded + tail


def spans_of(text: str, zero: set[str], one: set[str]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Return where the text shows each side's forms; a form inside the other one ("trẻ" in "trẻ em") is that one."""
    found = [[m.span() for p in forms for m in re.finditer(p, text)] for forms in (zero, one)]
    kept = [
        [(s, e) for s, e in found[side] if not any(a <= s and e <= b and (a, b) != (s, e) for a, b in found[1 - side])]
        for side in (0, 1)
    ]
    return kept[0], kept[1]


def places(site: Site, bare: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Return where a bare text shows the site's forms, as `observe` would read them."""
    sides: tuple[set[str], set[str]] = (set(), set())
    for index, form in enumerate(site.forms):
        sides[index & 1].add(pattern(form, site))
    return spans_of(bare, sides[0] - sides[1], sides[1] - sides[0])
