"""Where a text allows equally correct forms: the variant sites, found by versioned rules.

Version 1 finds numbers, dates, times, percentages, y/i spellings, counts in words and typography. Version 3
(issue 29) adds a second choice to dates and times, counts in digits, capitalised y/i spellings and the word
choices of `workflow.wording`, each named by the word beside it; it drops typography (a word processor
settles it, not the copy) and makes a choice only where the words beside it keep the meaning, and keeps a
site only if its forms show nowhere else in the text, whatever the copy chose elsewhere, so that a leaked
fragment is never read as a choice it does not show. Copies made under earlier rules are read by place
(`statements.disclosure.variants.reader`).
"""

from __future__ import annotations

import bisect
import functools
import re

from statements.disclosure.naming import Found, beside, named, opens, vetted
from statements.disclosure.reading import Site
from workflow.text import strip_diacritics
from workflow.wording import CHOICES, NUMBER_WORDS, YI, Choice, words

#: The site rules copies are made with now (the module's docstring says what each version finds).
SITES_VERSION = "4"
#: Every version whose copies are read by their choices. Version 2 made choices that changed what a
#: sentence said ("Trần Văn Tới", "thứ Hai tới") and could read a fragment wrongly ("Công ty" as "tỷ");
#: version 3 still made some inside names, quotations and questions ("Cục Quản lí Dược", "Xin ông cho
#: hay…?"), counted dates and labels ("Ngày hai tháng 9", "giường năm") and took seconds on long texts.
#: Copies made under them are traced by their marks; their choices say nothing either way.
VERSIONS = ("1", "4")


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
#: Words before a date that let it be written with hyphens too ("từ 9-11" could be read as a range), with
#: their diacritics: "tới 3-7" (to) and "đem" are not "tối" and "đêm".
_HYPHEN_CUES = ("ngày ", "sáng ", "chiều ", "tối ", "trưa ", "đêm ")
#: Words after a day that make it a day of something, where "3-7" is a range ("ngày 3-7 của bệnh").
_DAY_OF = words("của sau kể đầu thứ")


def _v1_site(match: re.Match, text: str, version: str) -> Site | None:
    g = match.group
    if version != "1" and (g("nw") or g("yi") or g("dash") or g("ell") or g("quote")):
        # Counts and y/i spellings are word choices now, read beside their words; typography is the typist's.
        return None
    if g("date"):
        return _date(match, text, version)
    if g("time"):
        if version != "1" and text[match.start("mm") - 1] == ":" and not _clock(text, match.start(), match.end()):
            return None  # "tỷ lệ 1:20" is a ratio
        return _time(match, int(g("hh")), g("mm"), version)
    if g("pct"):
        return Site(match.start(), match.end(), (f"pct:{g('pn')}",), (f"{g('pn')}%", f"{g('pn')} %"))
    if g("num"):
        if version != "1" and _code(text, match.start(), match.end()):
            return None
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


def _date(match: re.Match, text: str, version: str) -> Site | None:
    d, m, y = int(match.group("d")), int(match.group("m")), match.group("y") or ""
    if not (1 <= d <= 31 and 1 <= m <= 12):
        return None
    before = strip_diacritics(text[max(0, match.start() - 6) : match.start()])
    padded = not (d >= 10 and m >= 10)
    plain, zeros = f"{d}/{m}{y}", f"{d:02d}/{m:02d}{y}"
    if version == "1":
        if not padded or not (y or before.endswith(_DATE_CUES)):
            return None
        return Site(match.start(), match.end(), (f"date:{plain}",), (plain, zeros))
    # Without a year, only a day's date: "đến 3/4" may be three quarters, "ngày 1/2 viên" half a tablet.
    if not (y or _a_day(text, match.start(), match.end())):
        return None
    hyphens = plain.replace("/", "-"), zeros.replace("/", "-")
    if not padded:
        return Site(match.start(), match.end(), (f"datesep:{plain}",), (plain, hyphens[0]))
    return Site(match.start(), match.end(), (f"date:{plain}", f"datesep:{plain}"), (plain, zeros, *hyphens))


#: What a number before it counts or measures: "ngày 2-3 lần" is a dose, not the 2nd of March.
_MEASURES = words("lần lít viên cốc ly giờ phút ml gam kg mg liều ca người ngày tuần tháng đợt mũi gói chai hộp")
#: Words before a number that make it a code, not a quantity ("số lô 230517", "mã 12345").
_CODE_CUES = words("số lô mã hiệu khoản thoại sđt hotline fax bn chính")
#: Words beside a clock time ("lúc 14:30", "14 giờ sáng"): "4 giờ" alone may be a duration.
_CLOCK_BEFORE = words("lúc vào")
_CLOCK_AFTER = words("sáng chiều tối đêm trưa ngày hôm")


def _a_day(text: str, start: int, end: int) -> bool:
    """Say whether a day/month without a year is a day: after "ngày", "sáng", …, not measured or "of" something."""
    cue = text[max(0, start - 6) : start].lower().endswith(_HYPHEN_CUES)
    return cue and not _measured(text, end) and _neighbours(text, start, end)[1] not in _DAY_OF


def _measured(text: str, end: int) -> bool:
    nxt = re.match(r"\s*(\w+)", text[end : end + 30])
    return bool(nxt) and nxt.group(1).lower() in _MEASURES


def _code(text: str, start: int, end: int) -> bool:
    """Say whether a number is part of a code ("BN12345", "VN-16789-13", "số lô 230517")."""
    if text[start - 1 : start].isalnum() or text[start - 1 : start] == "-" or text[end : end + 1] == "-":
        return True
    if text[end : end + 1].isalpha() or text[end : end + 1] == "/":  # "12345/QĐ-BYT" numbers a document
        return True
    prev, _ = _neighbours(text, start, end)
    return prev in _CODE_CUES


def _clock(text: str, start: int, end: int) -> bool:
    prev, nxt = _neighbours(text, start, end)
    return prev in _CLOCK_BEFORE or nxt in _CLOCK_AFTER


def _time(match: re.Match, hh: int, mm: str, version: str) -> Site | None:
    if hh > 23 or int(mm) > 59:
        return None
    forms = (f"{hh}h{mm}", f"{hh}:{mm}")
    if version == "1":
        return Site(match.start(), match.end(), (f"time:{hh}:{mm}",), forms)
    # The second choice: in words, with or without "phút" (14 giờ 30 / 14 giờ 30 phút).
    forms += (f"{hh} giờ {mm}", f"{hh} giờ {mm} phút")
    return Site(match.start(), match.end(), (f"time:{hh}:{mm}", f"timeword:{hh}:{mm}"), forms)


# --- version 3: word choices and the rest -------------------------------------------------------

_BY_FORM: dict[str, list[Choice]] = {}
for _c in CHOICES:
    _BY_FORM.setdefault(_c.form, []).append(_c)
_WORD_CHOICE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(f) for f in sorted(_BY_FORM, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
#: What version 3 also counts in words or digits ("6 điều dưỡng" / "sáu điều dưỡng").
# fmt: off
_COUNTED_MORE = (
    *_COUNTED,
    "công nhân", "trẻ", "bệnh nhân", "người bệnh", "trường hợp", "giường", "điều dưỡng", "bác sĩ", "khoa",
    "mẫu", "em", "ổ dịch", "đội", "nhân viên", "cán bộ", "học sinh",
)
# fmt: on
#: Words before a number that make it a label or a date, not a count ("giường 5 khoa", "Ngày 2 tháng 9").
_LABELS = words("ngày giường phòng buồng tổ khu tầng lô tuần đợt kỳ khóa năm khoa số thứ")
_COUNT = re.compile(
    r"(?<![\w.,/-])(?:(?P<digits>[2-9]|10)|(?P<word>hai|ba|bốn|sáu|bảy|tám|chín|mười)) (?P<noun>"
    + "|".join(sorted(_COUNTED_MORE, key=len, reverse=True))
    + r")(?!\w)"
)
_HOUR = re.compile(r"(?<![\w.,:])(?P<hh>\d{1,2})(?: giờ|h)(?![\w:]| \d| phút)")
_TIME_WORDS = re.compile(r"(?<![\w.,:])(?P<hh>\d{1,2}) giờ (?P<mm>\d{2})(?: phút)?(?!\w)")
_HYPHEN_DATE = re.compile(r"(?<![\w/.,-])(?P<d>\d{1,2})-(?P<m>\d{1,2})(?P<y>-\d{4})?(?![\w]|[-/]\d)")
#: Words before a count that make it part of something else: a longer number, "mỗi năm", "thứ hai".
_NOT_BEFORE_COUNT = frozenset(
    {*NUMBER_WORDS, "một", "mươi", "trăm", "nghìn", "ngàn", "triệu", "mỗi", "hằng", "hàng"}
) | {
    "thứ",
    "đến",
    "tới",
    "từ",
    "số",
    "trong",
    "cả",
    "nhiều",
}


def _cased(form: str, like: str) -> str:
    return form[:1].upper() + form[1:] if like[:1].isupper() and not form[:1].isupper() else form


def _neighbours(text: str, start: int, end: int) -> tuple[str, str]:
    """Return the words just before and after a span, lower case ("" at a clause's edge)."""
    before, after, _ = beside(text, start, end)
    return (before.group(1).lower() if before else ""), (after.group(1).lower() if after else "")


def _word_sites(text: str) -> list[Found]:
    """Return the version-3 sites' spans, kinds and forms (keys get their context later)."""
    found: list[Found] = []
    quoted = _quotations(text)
    for m in _WORD_CHOICE.finditer(text):
        written, lower = m.group(1), m.group(1).lower()
        opening = opens(text, m.start()) or text[: m.start()].rstrip(" ").endswith("\n")
        if _inside(quoted, m.start()):
            continue
        # As listed ("COVID-19", "Tỷ" opening a sentence), in lower case, or capitalised opening a sentence:
        # a capital mid-sentence is a name ("Trần Văn Tới", "Bệnh viện Trẻ em", "Quỹ Hy vọng").
        choices = _BY_FORM.get(written) or (
            _BY_FORM.get(lower, []) if written == lower or (opening and written == _cased(lower, "A")) else []
        )
        prev, _ = _neighbours(text, m.start(), m.end())
        after_comma = text[max(0, m.start() - 3) : m.start()].rstrip().endswith(",")
        head = re.split(r"[.!?\n]", text[max(0, m.start() - 200) : m.start()])[-1]
        for choice in choices:
            if choice.kind.startswith(_NAME_PARTS) and not opening and _in_name(text, m.start()):
                continue
            if choice.allows(prev, text[m.end() : m.end() + 200], opens=opening, after_comma=after_comma, head=head):
                forms = (written, _cased(choice.other, written))
                found.append((m.start(), m.end(), choice.kind, (choice.form.lower(),), forms))
                break
    for m in _COUNT.finditer(text):
        prev, nxt = _neighbours(text, m.start(), m.end())
        # Not inside a longer number ("mười hai ca", "hai mươi ba người"), a range or an ordinal ("thứ hai"),
        # a label or a date ("giường 5", "Ngày 2 tháng 9"), a quotation, nor opening a sentence (its capital).
        ahead = text[max(0, m.start() - 12) : m.start()].rstrip()
        if (
            prev in _NOT_BEFORE_COUNT
            or prev in _LABELS
            or prev in ("hoặc", "hay")
            or nxt in ("đến", "tới", "hoặc", "hay")
            or text[m.end() : m.end() + 1] == "-"
            or re.search(r"(\d|[-–x×]|\d (hoặc|hay|đến|tới))$", ahead)
            or opens(text, m.start())
            or _inside(quoted, m.start())
        ):
            continue
        noun, word = m.group("noun"), m.group("word")
        number = word or next(w for w, n in NUMBER_WORDS.items() if n == int(m.group("digits")))
        # Only the number changes, so the noun stays free for its own choice ("6 người bệnh": "bệnh nhân").
        # The word form first, as version 1 orders a count's forms, whichever the text has.
        end = m.start() + len(word or m.group("digits"))
        found.append((m.start(), end, "count", (f"{number} {noun}",), (number, str(NUMBER_WORDS[number]))))
    for m in _HOUR.finditer(text):
        hh = int(m.group("hh"))
        if hh <= 23 and _clock(text, m.start(), m.end()):
            found.append((m.start(), m.end(), "hour", (str(hh),), (f"{hh} giờ", f"{hh}h")))
    for m in _TIME_WORDS.finditer(text):
        site = _time(m, int(m.group("hh")), m.group("mm"), SITES_VERSION)
        if site and _clock(text, m.start(), m.end()):  # "2 giờ 30 phút" alone may be how long, not when
            found.append((m.start(), m.end(), "", site.keys, site.forms))
    for m in _HYPHEN_DATE.finditer(text):
        d, mo, y = int(m.group("d")), int(m.group("m")), (m.group("y") or "").replace("-", "/")
        day = y or _a_day(text, m.start(), m.end())
        if 1 <= d <= 31 and 1 <= mo <= 12 and day:
            plain = f"{d}/{mo}{y}"
            if d >= 10 and mo >= 10:
                found.append((m.start(), m.end(), "", (f"datesep:{plain}",), (plain, plain.replace("/", "-"))))
            else:
                zeros = f"{d:02d}/{mo:02d}{y}"
                forms = (plain, zeros, plain.replace("/", "-"), zeros.replace("/", "-"))
                found.append((m.start(), m.end(), "", (f"date:{plain}", f"datesep:{plain}"), forms))
    return found


_QUOTATION = re.compile(r"“[^”\n]*”|\"[^\"\n]*\"")


def _quotations(text: str) -> list[tuple[int, int]]:
    """Return where a text quotes someone: their words are theirs, never a copy's choice."""
    return [m.span() for m in _QUOTATION.finditer(text)]


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    return any(a < at < b for a, b in spans)


#: Words that begin the name of a body, a law or a programme: the lower-case words after them are the name's
#: ("Quỹ Hỗ trợ bệnh nhân nghèo", "Luật Khám bệnh, chữa bệnh").
_NAME_HEADS = words("Quỹ Luật Cục Chương Hội Ban Đề Dự Chiến Kế Chỉ Quyết Thông Nghị Bộ Chi Tổng Viện Vụ Trường Đề")


#: The choices of words a name may hold ("Cục Quản lý Dược", "Hội Bệnh nhân"); verbs and connectives follow
#: a name as what it does ("Bệnh viện Bạch Mai cho biết").
_NAME_PARTS = ("yi:", "w.patient", "w.child", "w.parents", "w.airways", "w.pregnant", "w.case", "w.symptom",
               "w.use", "w.cause", "w.virus", "w.oxygen")  # fmt: skip


def _in_name(text: str, start: int) -> bool:
    """Say whether a word choice stands inside a name: after a capitalised word, or soon after a name's head."""
    before = re.findall(r"\w+", re.split(r"[,;:.!?()\n“”\"]", text[max(0, start - 60) : start])[-1])
    if before and before[-1][:1].isupper() and len(before) > 1:
        return True  # "Cục Quản lý", "Luật Xử lý": a capital mid-sentence continues a name
    return any(word in _NAME_HEADS for word in before[-4:-1])


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
    # The spans taken never overlap, so kept in order the one starting last before an end is the only one
    # that can reach past a start (a scan of them all made a 100,000-character table take seconds more).
    spans = sorted((s.start, s.end) for s in first)

    def taken(start: int, end: int) -> bool:
        before = bisect.bisect_left(spans, (end,))
        return before > 0 and spans[before - 1][1] > start

    chosen = []
    for found in sorted(_word_sites(text), key=lambda f: (f[0], -(f[1] - f[0]))):
        if not taken(found[0], found[1]):
            bisect.insort(spans, (found[0], found[1]))
            chosen.append(found)
    # Keys are named once every site is known: a word beside a site is context only if no choice changes it.
    return vetted(text, sorted(first + named(text, chosen, taken), key=lambda s: s.start))
