"""How a leaked text's forms weigh for one copy's holder against every other copy (issue 29).

The forms a leak follows are compared with every copy's choices, a holder's copies adding up, against the
screen's forms, the copies of other versions sharing the text and a text agreeing by chance; a holder is
credited only when that makes their copy the source with CONFIDENCE.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BIT
from sqlalchemy.orm import Session

from statements.disclosure import sites, variants
from statements.disclosure.models import Export
from workflow.db import isoformat

#: How sure the forms must make it that a copy is the source before its holder is credited (issue 29: no
#: innocent credited by variants), and how often a typist is taken to write a form their own way.
CONFIDENCE, TYPIST_ERROR = 0.9, 0.1


def variant_evidence(
    session: Session,
    text: str,
    by_version: dict,
    matches: list,
    marked: set[tuple[int, int]],
    seen_at: dt.datetime,
) -> list[tuple[str, float, dict]]:
    """Return (holder, strength, detail) for each version whose copy the leak's forms surely point to.

    A holder is credited when the forms the leak follows make their copies surely likelier than every other
    copy and the screen; the strength is the match's score times how far their best copy stands ahead.

    The other copies include those of every other version the text resembles, over the forms the two
    versions share: a paragraph two statements both hold is as well explained by a copy of either.
    """
    found = []
    texts = {(c.statement.id, c.version.number): f"{c.version.title}\n{c.version.body}" for _, c in matches}
    for (statement_id, number), (score, _) in by_version.items():
        if score < 0.5 or (statement_id, number) in marked:
            continue
        original = texts[(statement_id, number)]
        observed = variants.observe(text, original)
        if len(observed) < 2:
            continue
        # Every copy of the version at once, as plain rows with its choices as one number: an investigation
        # among 20,000 copies compares bits, not objects (issue 29).
        tallies = _tallies(session, statement_id, number, seen_at, original, observed)
        if not tallies:
            continue
        n = len(observed)
        screen = variants.screen_agreement(observed, original)
        # A person holding several copies (txt, docx, pdf) is one contender: their copies' chances add up.
        person: dict[str, float] = defaultdict(float)
        best_copy: dict[str, tuple[int, int]] = {}
        for margin, times, first, username in tallies:
            person[username] += times * _likelihood(margin, n)
            best_copy[username] = max(best_copy.get(username, (margin, first)), (margin, -first))
        holder = max(person, key=lambda who: (person[who], who))
        best, chosen = best_copy[holder][0], abs(best_copy[holder][1])
        runner_up = max([m for who, (m, _) in best_copy.items() if who != holder] + [screen])
        rest = _likelihood(screen, n) + sum(chance for who, chance in person.items() if who != holder)
        for other, other_text in texts.items():
            if other != (statement_id, number):
                rest += _elsewhere(session, other, other_text, observed, seen_at)
        if best > runner_up and _confidence(person[holder], n, rest) >= CONFIDENCE:
            export = session.execute(sa.select(Export.at, Export.fingerprint).where(Export.id == chosen)).one()
            found.append(
                (
                    holder,
                    score * (best - runner_up) / n,
                    {
                        "statement": statement_id,
                        "version": number,
                        "at": isoformat(export.at),
                        "fingerprint": export.fingerprint,
                        "forms_agreeing": (best + n) // 2,
                        "forms_observed": n,
                    },
                )
            )
    return found


def _elsewhere(
    session: Session, version: tuple[int, int], original: str, observed: dict[str, int], seen_at: dt.datetime
) -> float:
    """Return how well the copies of another version explain the forms: by those they share, the rest by chance."""
    keys = set(variants.site_keys(original))
    shared = {key: bit for key, bit in observed.items() if key in keys}
    if not shared:
        return 0.0
    chance = 0.5 ** (len(observed) - len(shared))
    tallies = _tallies(session, *version, seen_at, original, shared)
    return sum(times * _likelihood(margin, len(shared)) * chance for margin, times, _, _ in tallies)


def _tallies(
    session: Session, statement_id: int, number: int, seen_at: dt.datetime, original: str, observed: dict[str, int]
) -> list[tuple[int, int, int, str]]:
    """Return (margin, how many copies, one copy's id, its holder) per holder and choice of the version's copies.

    The database groups the copies by holder and choices (at most people × 2^sites of them), so 20,000
    copies come as plain rows, never objects. Choices kept under earlier site rules are read in today's
    order (`variants.reader`); copies made before their choices were kept are worked out from their
    fingerprint, one by one.
    """
    place = {key: i for i, key in enumerate(variants.site_keys(original))}
    seen = sum(bit << place[key] for key, bit in observed.items())
    mask = sum(1 << place[key] for key in observed)
    where = (Export.statement_id == statement_id, Export.version == number, Export.at <= seen_at)
    current = f"{sites.SITES_VERSION}:"
    # PostgreSQL sums today's copies by holder and margin itself (bit strings, bit_count): a few dozen rows
    # come back instead of one per copy's choices (20,000 copies: p95 173 ms before, summed in Python).
    in_sql = bool(mask) and _on_postgresql(session)
    summed = _margins_in_sql(session, where, current, len(place), seen, mask) if in_sql else []
    others = (sa.not_(Export.variant_bits.startswith(current)),) if in_sql else ()
    # Plain rows through the connection: the ORM's row processing cost more than the query at 20,000 copies.
    grouped = (
        session.connection()
        .execute(
            sa.select(Export.variant_bits, sa.func.count(), sa.func.min(Export.id), Export.username)
            .where(*where, *others, Export.variant_bits.is_not(None))
            .group_by(Export.variant_bits, Export.username)
        )
        .all()
    )
    readers = {rules: variants.reader(original, rules) for rules in sites.VERSIONS[:-1]}
    # Only the observed forms count, so copies are summed up by their margin and holder as they come: 20,000
    # copies become a few dozen tallies (a margin for each masked choice is worked out once).
    tallies: dict[tuple[int, str], list[int]] = {}
    margins: dict[int, int] = {}

    def count(bits: int | None, times: int, first: int, username: str) -> None:
        masked = -1 if bits is None else bits & mask
        margin = margins.get(masked)
        if margin is None:  # no bits (rules this code does not know, a newer release's) say nothing either way
            margin = margins[masked] = 0 if bits is None else _margin(masked, seen, mask)
        tally = tallies.setdefault((margin, username), [0, first])
        tally[0] += times
        tally[1] = min(tally[1], first)

    for margin, times, first, username in summed:
        tally = tallies.setdefault((margin, username), [0, first])
        tally[0] += times
        tally[1] = min(tally[1], first)
    for stored, times, first, username in grouped:
        if stored.startswith(current):
            count(int(stored[len(current) :], 16), times, first, username)
        else:
            rules, _, bits = stored.partition(":")
            count(readers[rules](int(bits, 16)) if rules in readers else None, times, first, username)
    legacy = session.execute(
        sa.select(Export.fingerprint, Export.id, Export.username).where(*where, Export.variant_bits.is_(None))
    )
    old_keys = variants.site_keys(original, "1")
    for code, i, username in legacy:
        count(readers["1"](variants.choices(code, old_keys)), 1, i, username)
    return [(margin, times, first, username) for (margin, username), (times, first) in tallies.items()]


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _margins_in_sql(
    session: Session, where: tuple, current: str, keys: int, seen: int, mask: int
) -> list[tuple[int, int, int, str]]:
    """Return (margin, copies, first copy's id, holder) for today's copies, summed by PostgreSQL."""
    width = max(1, -(-keys // 4)) * 4  # the choices as hex, padded: a copy's number has no leading zeros
    digits = sa.func.lpad(sa.func.substr(Export.variant_bits, len(current) + 1), width // 4, "0")
    choices = sa.cast(sa.literal("x").concat(digits), BIT(width))
    pattern = f"{{:0{width}b}}"
    differing = sa.func.bit_count(
        choices.bitwise_xor(sa.cast(pattern.format(seen), BIT(width))).bitwise_and(
            sa.cast(pattern.format(mask), BIT(width))
        )
    ).label("differing")
    rows = session.connection().execute(
        sa.select(differing, sa.func.count(), sa.func.min(Export.id), Export.username)
        .where(*where, Export.variant_bits.startswith(current))
        .group_by(differing, Export.username)
    )
    observed = mask.bit_count()
    return [(observed - 2 * int(d), times, first, username) for d, times, first, username in rows]


def _margin(bits: int, seen: int, mask: int) -> int:
    """Return agreeing minus disagreeing forms of a copy's `bits` with the `seen` ones, over `mask`."""
    disagreeing = ((bits ^ seen) & mask).bit_count()
    return mask.bit_count() - 2 * disagreeing


def _likelihood(margin: int, observed: int) -> float:
    """Return the chance that a copy's forms, agreeing minus disagreeing by `margin` of `observed`, made the text.

    A typist writes a form their own way now and then (TYPIST_ERROR), so a copy that is the source agrees
    on each form with probability 1 - e.
    """
    agreeing = (margin + observed) / 2
    return (1 - TYPIST_ERROR) ** agreeing * TYPIST_ERROR ** (observed - agreeing)


def _confidence(likely: float, observed: int, rest: float) -> float:
    """Return how sure the forms make us that the likeliest holder's copy is the source of the leaked text.

    `likely` is that holder's likelihood over `observed` forms, `rest` the other contenders' together (the
    other holders' copies, the screen, and copies of versions sharing the text). One more
    contender is no copy at all: a text that came from elsewhere (a retelling) agrees with each copy by
    chance, a coin per form. The best copy's chance is its likelihood over all of theirs, every one alike
    beforehand.
    """
    return likely / (likely + rest + 0.5**observed)
