"""How a word choice is named by the word beside it, and every site vetted against the whole text.

A leaked fragment is read by looking for a key's forms, so a key must name a place no other part of the text
can be mistaken for, whatever each copy chose: `named` gives a word choice the word beside it (or its
sentence's opening) as its key, and `vetted` keeps only the sites whose forms show exactly at their own
places in every reading of the text (`statements.disclosure.reading`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from statements.disclosure.reading import Site, _lowered, bare, count, places, sides

#: A candidate site before its key is named: start, end, kind ("" when already named), keys, forms.
Found = tuple[int, int, str, tuple[str, ...], tuple[str, ...]]


def named(text: str, chosen: list[Found], taken: Callable[[int, int], bool]) -> list[Site]:
    """Return the candidates as sites, each word choice named by a word beside it; those no word names alone go."""
    read = bare(" ".join(text.split()))  # as `observe` reads a leaked text
    alike: dict[str, list[_Place]] = {}
    for start, end, kind, _keys, forms in chosen:
        before, after, _base = beside(text, start, end)
        alike.setdefault(kind.lower(), []).append(
            _Place(
                start,
                _bare_forms(forms),
                bare(before.group(1)).lower() if before else None,
                bare(after.group(1)).lower() if after else None,
                opens(text, start),
            )
        )
    return [site for found in chosen if (site := _site_from(found, text, taken, alike, read))]


def beside(text: str, start: int, end: int) -> tuple[re.Match | None, re.Match | None, int]:
    """Return the word just before a span and the one just after it (within its clause), and where `before` starts."""
    base = max(0, start - 40)
    before = re.search(r"(\w+)[^\w\n.;:!?]{0,3}\Z", text[base:start])  # \Z: "$" also matches before a "\n"
    after = re.match(r"[^\w\n.;:!?]{0,3}(\w+)", text[end : end + 40])
    return before, after, base


def _site_from(
    found: Found,
    text: str,
    taken: Callable[[int, int], bool],
    alike: dict[str, list[_Place]],
    read: str,
) -> Site | None:
    """Return a version-3 site, a word choice named by the word beside it; None if no word names it alone.

    A word choice (``đến``/``tới``) is read from a leaked text only beside its word, so the word must be
    one no choice changes, and no other place of the text (whatever its copy chose) may show either form
    beside it, in any case: else a copy's form elsewhere would be read as this place's choice.
    """
    start, end, kind, keys, forms = found
    if not kind:
        return Site(start, end, keys, forms)
    before, after, base = beside(text, start, end)
    options = []
    if after and not taken(end + after.start(1), end + after.end(1)):
        options.append(("after", after.group(1), f"{kind}:{keys[0]}>{after.group(1).lower()}"))
    if before and not taken(base + before.start(1), base + before.end(1)):
        options.append(("before", before.group(1), f"{kind}:{before.group(1).lower()}<{keys[0]}"))
    if opens(text, start):  # "Đến 18 giờ, …": opening its sentence names it too
        options.append(("before", "^", f"{kind}:^<{keys[0]}"))
    options.append(("", "", f"{kind}:{keys[0]}"))  # or nothing beside it, if it is the only place either form is
    mine = _bare_forms(forms)
    # The other places of its kind that may show one of its forms.
    others = [other for other in alike[kind.lower()] if other.start != start and mine & other.forms]
    for side, word, key in options:
        site = Site(start, end, (key,), forms, **({side: word} if side else {}))
        if places([(site, 0)], read) != 1 or places([(site, 0)], _lowered(read), folded=True) != 1:
            continue
        if side and word == "^":
            clash = any(other.opens for other in others)
        elif side:
            told = bare(word).lower()
            clash = any((o.before if side == "before" else o.after) == told for o in others)
        else:
            clash = bool(others)
        if not clash:
            return site
    return None


class _Place(NamedTuple):
    """A word choice's place as its neighbours see it: its forms and the words beside it, bare, lower case."""

    start: int
    forms: frozenset[str]
    before: str | None
    after: str | None
    opens: bool


def _bare_forms(forms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(bare(f).lower() for f in forms)


def opens(text: str, start: int) -> bool:
    """Say whether a span opens a sentence (as a leaked text, its lines run together, shows it)."""
    head = text[max(0, start - 80) : start].rstrip()
    return (start < 80 and not head) or head[-1:] in (".", "!", "?", ":")


def vetted(text: str, found: list[Site]) -> tuple[Site, ...]:
    """Return the sites whose forms show in the text exactly where they are, whatever each copy chose.

    A leaked fragment is read by looking for a key's forms (without diacritics, as a retyping may leave
    it), so a form that also shows elsewhere would be read as that key's choice: "ty" in "Công ty" as the
    "tỷ" of "tỷ lệ", "tại" in "hiện tại" beside the word a "tại" was chosen at. Each key's forms are
    counted in the text as written and as a copy writes it with every site in its first, second, third and
    last form, each also in lower case; a key found anywhere but its own sites is no site (and the check is
    run again without it).
    """
    while True:
        reads = [bare(" ".join(t.split())) for t in (text, *(_uniform(text, found, i) for i in range(4)))]
        # A fragment may be retyped all in lower case: "đến 18" from "Đến 18 giờ" is then read as "đến 18".
        reads += [read.lower() for read in reads]
        at: dict[str, list[tuple[Site, int]]] = {}
        for site in found:
            for j, key in enumerate(site.keys):
                at.setdefault(key, []).append((site, j))
        bad = set()
        for key, where in at.items():
            probes = (sides(where), sides(where, folded=True))
            if any(count(read, *probes[i > 4]) != len(where) for i, read in enumerate(reads)):
                bad.add(key)
        if not bad:
            return tuple(found)
        found = [site for site in found if not bad & set(site.keys)]


def _uniform(text: str, found: list[Site], index: int) -> str:
    out, last = [], 0
    for site in found:
        out += [text[last : site.start], site.forms[min(index, len(site.forms) - 1)]]
        last = site.end
    return "".join([*out, text[last:]])
