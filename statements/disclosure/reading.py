"""How a leaked text shows a site's forms: without diacritics, as a word among words, beside its word.

A retyped copy may lose its diacritics and its capitals, so a form is looked for bare (`bare`) and as a
whole token, and a word choice only beside the word it was made beside (`pattern`). `sides` and `shown`
are what `statements.disclosure.variants.observe` reads a text with, and `places` what the site rules
vet a site with: the same patterns both ways, so sites and reading agree on what a site is.
"""

from __future__ import annotations

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


def spans_of(text: str, zero: set[str], one: set[str]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Return where the text shows each side's forms; a form inside the other one ("trẻ" in "trẻ em") is that one."""
    found = [[m.span() for p in forms for m in re.finditer(p, text)] for forms in (zero, one)]
    kept = [
        [(s, e) for s, e in found[side] if not any(a <= s and e <= b and (a, b) != (s, e) for a, b in found[1 - side])]
        for side in (0, 1)
    ]
    return kept[0], kept[1]


def sides(where: Iterable[tuple[Site, int]], *, folded: bool = False) -> tuple[set[str], set[str]]:
    """Return the patterns of a key's forms at its sites (bit j of each), as (choice 0, choice 1).

    A form both choices share says nothing, so it is in neither.
    """
    found: tuple[set[str], set[str]] = (set(), set())
    for site, j in where:
        for index, form in enumerate(site.forms):
            found[(index >> j) & 1].add(("(?i)" if folded else "") + pattern(form, site))
    return found[0] - found[1], found[1] - found[0]


def places(where: Iterable[tuple[Site, int]], text: str, *, folded: bool = False) -> int:
    """Return how many places of a bare text show the forms of a key, either choice."""
    found = [span for spans in spans_of(text, *sides(where, folded=folded)) for span in spans]
    # One place may show two forms of one choice ("14 giờ 30" inside "14 giờ 30 phút"): it is one place.
    return sum(1 for s, e in found if not any(a <= s and e <= b and (a, b) != (s, e) for a, b in found))
