"""How a leaked text shows a site's forms: without diacritics, as a word among words, beside its word.

A retyped copy may lose its diacritics and its capitals, so a form is looked for bare (`bare`) and as a
whole token, and a word choice only beside the word it was made beside (`pattern`). `sides` and `shown`
are what `statements.disclosure.variants.observe` reads a text with, and `places` what the site rules
vet a site with: the same patterns both ways, so sites and reading agree on what a site is.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


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


@dataclass(frozen=True)
class Probe:
    """A form's pattern at a site, and the literal every match of it starts with.

    Every match starts with its literal (the word it is read beside, else the form itself, the rest of the
    pattern being lookarounds), so a text is searched for the literal with `str.find` and the pattern only
    tried where it stands: a site's forms are looked for in a text thousands of times while it is vetted,
    and running each pattern over the whole text made a 20,000-character table take 16 s.
    """

    regex: str
    literal: str
    folded: bool = False
    #: The other words every match holds (the form, the word after it), and how far past its start at most:
    #: the rarest of them is looked for first ("ca" stands in every row of a table, "tăng" beside it in few).
    inner: tuple[str, ...] = ()
    reach: int = 0


def probe(form: str, site: Site, *, folded: bool = False) -> Probe:
    """Return the probe of one form at its site (`folded`: in any case)."""
    fold = str.lower if folded else str
    before = bare(site.before) if site.before and site.before != "^" else ""
    core, after = bare(form), bare(site.after)
    inner = tuple(fold(w) for w in (core if before else "", after) if w)
    # The words stand apart by at most three characters each (`pattern`).
    reach = len(before) + 3 + len(core) + 3 if after else len(before) + 3
    return Probe(("(?i)" if folded else "") + pattern(form, site), fold(before or core), folded, inner, reach)


#: More patterns are in play than `re` caches (512), and compiling them again each time costs most.
_compiled = functools.lru_cache(maxsize=1 << 16)(re.compile)


@functools.lru_cache(maxsize=64)
def _lowered(text: str) -> str:
    return text.lower()


def matches(text: str, p: Probe) -> list[tuple[int, int]]:
    """Return where a text shows a probe's form, as `re.finditer` would: left to right, never overlapping."""
    regex = _compiled(p.regex)
    hay = _lowered(text) if p.folded else text
    if not p.literal or len(hay) != len(text):  # nothing to look for first, or a lower case of another length
        return [m.span() for m in regex.finditer(text)]
    starts = _positions(hay, p.literal)
    rarest = min((_positions(hay, word) for word in p.inner), key=len, default=starts)
    if len(rarest) < len(starts):  # only the starts that close a rarer word may begin a match
        near: set[int] = set()
        for at in rarest:
            near.update(starts[bisect.bisect_left(starts, at - p.reach) : bisect.bisect_right(starts, at)])
        starts = tuple(sorted(near))
    found: list[tuple[int, int]] = []
    end = 0
    for at in starts:
        if at >= end and (m := regex.match(text, at)):
            found.append(m.span())
            end = max(m.end(), at + 1)
    return found


@functools.lru_cache(maxsize=4096)
def _positions(text: str, literal: str) -> tuple[int, ...]:
    """Return where a literal stands in a text, overlapping ones too (a text's few words are asked for often)."""
    found, at = [], text.find(literal)
    while at != -1:
        found.append(at)
        at = text.find(literal, at + 1)
    return tuple(found)


def spans_of(
    text: str, zero: set[Probe], one: set[Probe], *, within: tuple[set[Probe], set[Probe]] | None = None
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Return where the text shows each side's forms; a form inside the other one ("trẻ" in "trẻ em") is that one.

    `within` names the probes whose matches hold a form (by default the sides' own): a leaked text is read
    case by case, but "dụng" is inside "Sử dụng" however a retyping capitalised it.
    """
    found = [[span for p in forms for span in matches(text, p)] for forms in (zero, one)]
    holding = found if within is None else [[span for p in forms for span in matches(text, p)] for forms in within]
    return outside(found[0], holding[1]), outside(found[1], holding[0])


def sides(where: Iterable[tuple[Site, int]], *, folded: bool = False) -> tuple[set[Probe], set[Probe]]:
    """Return the probes of a key's forms at its sites (bit j of each), as (choice 0, choice 1).

    A form both choices share says nothing, so it is in neither.
    """
    found: tuple[set[Probe], set[Probe]] = (set(), set())
    for site, j in where:
        for index, form in enumerate(site.forms):
            found[(index >> j) & 1].add(probe(form, site, folded=folded))
    return found[0] - found[1], found[1] - found[0]


def places(where: Iterable[tuple[Site, int]], text: str, *, folded: bool = False) -> int:
    """Return how many places of a bare text show the forms of a key, either choice."""
    return count(text, *sides(where, folded=folded))


def count(text: str, zero: set[Probe], one: set[Probe]) -> int:
    """Return how many places of a bare text show either side's probes."""
    found = [span for spans in spans_of(text, zero, one) for span in spans]
    # One place may show two forms of one choice ("14 giờ 30" inside "14 giờ 30 phút"): it is one place.
    return len(outside(found, found))


def outside(spans: list[tuple[int, int]], others: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the spans that no other span of `others` holds (a span does not hold itself), in n log n."""
    if not spans or not others:
        return spans
    ordered = sorted(others)
    starts = [a for a, _ in ordered]
    reach = list(itertools.accumulate((b for _, b in ordered), max))  # the furthest end of those starting so far
    kept = []
    for s, e in spans:
        before = bisect.bisect_left(starts, s)  # those starting before this one hold it if they reach its end
        if before and reach[before - 1] >= e:
            continue
        same = bisect.bisect_right(starts, s)  # those starting with it hold it if they end after it
        if same > before and ordered[same - 1][1] > e:
            continue
        kept.append((s, e))
    return kept
