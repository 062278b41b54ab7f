"""Choosing a copy's forms at the variant sites, and reading them back from leaked text.

Each copy of unreleased text is given its own forms (``1.245``/``1245``, ``ngày 9/11``/``ngày 09-11``,
``đến``/``tới``, ``bệnh nhân``/``người bệnh``, …) by its fingerprint, so a copy retyped without its
invisible marks still says whose it was, with one bit for every choice it kept. The rules that find the
sites (`statements.disclosure.sites`) are versioned: a copy's stored choices name the rules that made it,
and a later version only adds sites, so copies made under earlier rules are still read right (`reader`).
The choices are vetted in docs/disclosure-tracing.md: none changes what the statement says.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from statements.disclosure.reading import Site, bare, sides, spans_of
from statements.disclosure.sites import SITES_VERSION, sites
from workflow.text import strip_invisible


def variant_bit(fingerprint: str, key: str) -> int:
    """Return which form the export with this fingerprint uses at sites named ``key``."""
    return hashlib.sha256(f"{fingerprint}:{key}".encode()).digest()[0] & 1


def site_keys(text: str, version: str = SITES_VERSION) -> list[str]:
    """Return the keys of a text's variant sites in one fixed order: the order of a copy's choice bits."""
    return sorted({key for site in sites(text, version) for key in site.keys})


def choices(fingerprint: str, keys: list[str]) -> int:
    """Return the copy's form at each of `keys` as the bits of one number (bit i: the form at keys[i])."""
    return sum(variant_bit(fingerprint, key) << i for i, key in enumerate(keys))


def _form_index(site: Site, bits: dict[str, int]) -> int:
    return sum(bits[key] << j for j, key in enumerate(site.keys))


def apply_variants(text: str, fingerprint: str, version: str = SITES_VERSION) -> str:
    """Return the text with every variant site (under the rules of `version`) in the form the fingerprint chooses."""
    out, last = [], 0
    for site in sites(text, version):
        bits = {key: variant_bit(fingerprint, key) for key in site.keys}
        out += [text[last : site.start], site.forms[_form_index(site, bits)]]
        last = site.end
    return "".join([*out, text[last:]])


def written(text: str, version: str = SITES_VERSION) -> dict[str, int]:
    """Return the choice the text as written makes at each site (the screen's forms; the first place for a key)."""
    found: dict[str, int] = {}
    for site in sites(text, version):
        form = text[site.start : site.end]
        if form in site.forms:
            index = site.forms.index(form)
            for j, key in enumerate(site.keys):
                found.setdefault(key, (index >> j) & 1)
    return found


def reader(text: str, version: str) -> Callable[[int], int]:
    """Return what reads a copy's choices made under the rules of `version` as bits in today's key order.

    A copy is read by place: where today's site stands where the copy's rules made the same choice (the
    same pair of forms, however the key was named), the copy's bit is that choice; where its rules made
    none, the copy kept the text's own form, so it is read as the screen's.
    """
    old = {key: i for i, key in enumerate(site_keys(text, version))}
    screen, today = written(text), site_keys(text)
    source: dict[str, tuple[str, bool]] = {}  # today's key: the old key at its place, and whether it flips
    earlier = sites(text, version)
    for site in sites(text):
        for j, key in enumerate(site.keys):
            for o in earlier:
                if key in source or not (o.start <= site.start and site.end <= o.end):
                    continue
                for jj, okey in enumerate(o.keys):
                    there, ours = _pair(text, o, jj, o.start, o.end), _pair(text, site, j, o.start, o.end)
                    if ours == there or ours == there[::-1]:
                        source[key] = (okey, ours != there)
                        break

    def read(bits: int) -> int:
        out = 0
        for i, key in enumerate(today):
            if key in source:
                okey, flip = source[key]
                bit = ((bits >> old[okey]) & 1) ^ flip
            else:
                bit = screen.get(key, 0)
            out |= bit << i
        return out

    return read


def _pair(text: str, site: Site, j: int, start: int, end: int) -> tuple[str, str]:
    """Return the text from `start` to `end` with `site` in its first form and with bit j of it flipped."""
    head, tail = text[start : site.start], text[site.end : end]
    return head + site.forms[0] + tail, head + site.forms[1 << j] + tail


def observe(leaked: str, original: str) -> dict[str, int]:
    """Return, per site key of the original, the form the leaked text uses (when it uses exactly one).

    A form counts only as the original's sites write it, case included ("Tỷ lệ" opening a sentence is
    its own site, not the choice of "tỷ" made elsewhere), a word choice only beside the word it was made
    beside, and neither at the fragment's very start or end.
    """
    text = bare(" ".join(strip_invisible(leaked).split()))
    at: dict[str, list[tuple[Site, int]]] = {}
    for site in sites(original):
        for j, key in enumerate(site.keys):
            at.setdefault(key, []).append((site, j))
    seen: dict[str, int] = {}
    for key, where in at.items():
        # A form at the very edge of a fragment may be cut from a longer one ("14 giờ 30" of "14 giờ 30
        # phút", "dụng" of "sử dụng", "đúng quy định" of "theo đúng quy định"), or open it without opening a
        # sentence: it tells nothing.
        shown = spans_of(text, *sides(where), within=sides(where, folded=True))
        present = [any(a > 0 and b < len(text) for a, b in spans) for spans in shown]
        if present.count(True) == 1:
            seen[key] = present.index(True)
    return _without_habits(seen)


def _without_habits(seen: dict[str, int]) -> dict[str, int]:
    """Drop the sites of a kind whose observed forms are all one: a typist's habit, not a copy's choices.

    A copy chooses each site's form by its own coin, so several sites of one kind all written one way is
    what a habit does ("8%" without its space every time, straight quotes throughout, dates with hyphens,
    "đến" wherever the copy had "tới"), and would count as many choices agreeing with whichever copies
    happen to have made them. The whole kind is set aside (a true copy loses those sites one time in
    2^(k-1): evidence lost, never an innocent named). bench/tracing.py's typist with their own words is
    why word choices are judged so too: without it, two innocents in 60 whole texts were named.
    """
    kinds: dict[str, list[str]] = {}
    for key in seen:
        kinds.setdefault(key.split(":")[0], []).append(key)
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
    screen = written(original)
    return sum((1 if screen[k] == bit else -1) for k, bit in observed.items() if k in screen)
