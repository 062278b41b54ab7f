"""Finding which versions a text came from: normalise, shingle, MinHash, and a banded index in the database.

Text is normalised so that retyping does not matter (no diacritics, no case, no punctuation, numbers,
dates and a copy's word choices in one form, invisible marks dropped), cut into overlapping word triples (shingles), and
summarised by a MinHash signature per paragraph. The signature is cut into bands; each band's hash is
a row in ``version_bands``. A leaked paragraph whose band equals a stored one names a candidate
version, found with one indexed query, never by comparing the leak with every version. Candidates
are then scored exactly by containment: the share of the leak's shingles the version holds.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from statements.lifecycle.models import VersionBand
from workflow import wording
from workflow.text import strip_diacritics, strip_invisible

SHINGLE = 3
BANDS, ROWS = 16, 3
_PRIME = (1 << 61) - 1
_PERMUTATIONS = [
    (r.randrange(1, _PRIME), r.randrange(0, _PRIME)) for r in [random.Random(20261123)] for _ in range(BANDS * ROWS)
]
_GROUPED = re.compile(r"(?<=\d)\.(?=\d{3}(?!\d))")
_TIME = re.compile(r"(?<=\d)h(?=\d{2}(?!\d))")
_TIME_WORDS = re.compile(r"(?<!\w)(\d{1,2}) gio (\d{2})(?: phut)?(?!\w)")
_HOUR = re.compile(r"(?<!\w)(\d{1,2})h(?!\w)")
_WORD = re.compile(r"\w+")
#: Paragraphs shorter than this many words are joined to the next before indexing.
MIN_PARAGRAPH_WORDS = 8


#: Spellings and number words that mean the same, in one form (after diacritics are gone).
_SAME = {"ti": "ty", "li": "ly", "ki": "ky", "mi": "my", "qui": "quy"} | {
    w: str(n) for w, n in {"hai": 2, "ba": 3, "bon": 4, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10}.items()
}


def tokens(text: str) -> list[str]:
    """Return the words of the text in one comparable form (retyping, marks and diacritics do not matter)."""
    text = strip_diacritics(strip_invisible(text))
    text = _HOUR.sub(r"\1 gio", _TIME_WORDS.sub(r"\1:\2", _TIME.sub(":", _GROUPED.sub("", text))))
    # A copy's word choices (đến/tới, bệnh nhân/người bệnh, …) in one form: whichever copy leaked, it matches.
    text = wording.canonical(text)
    return [(w.lstrip("0") or "0") if w.isdigit() else _SAME.get(w, w) for w in _WORD.findall(text.replace("_", " "))]


def paragraphs(text: str) -> list[list[str]]:
    """Return the text's paragraphs as token lists, short ones joined to the next."""
    out: list[list[str]] = []
    pending: list[str] = []
    for line in strip_invisible(text).split("\n"):
        pending += tokens(line)
        if len(pending) >= MIN_PARAGRAPH_WORDS:
            out.append(pending)
            pending = []
    if pending:
        if out and len(pending) < MIN_PARAGRAPH_WORDS:
            out[-1] = out[-1] + pending
        else:
            out.append(pending)
    return out


def _h64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def shingles(words: Sequence[str]) -> set[int]:
    """Return the hashed word triples of a token list (the whole list when shorter)."""
    if len(words) < SHINGLE:
        return {_h64(" ".join(words))} if words else set()
    return {_h64(" ".join(words[i : i + SHINGLE])) for i in range(len(words) - SHINGLE + 1)}


def signature(shingle_set: Iterable[int]) -> list[int]:
    """Return the MinHash signature: per permutation, the least permuted shingle."""
    values = list(shingle_set)
    return [min((a * x + b) % _PRIME for x in values) for a, b in _PERMUTATIONS]


def band_keys(sig: Sequence[int]) -> list[tuple[int, int]]:
    """Return (band, bucket) pairs; two texts share a bucket when their signatures agree on a whole band."""
    keys = []
    for band in range(BANDS):
        chunk = ",".join(map(str, sig[band * ROWS : (band + 1) * ROWS]))
        keys.append((band, _h64(chunk) >> 1))  # 63 bits: fits a signed BIGINT
    return keys


def text_keys(text: str) -> set[tuple[int, int]]:
    """Return the band keys of every paragraph of a text and of the text as a whole."""
    paras = paragraphs(text)
    keys: set[tuple[int, int]] = set()
    for words in [*paras, [w for p in paras for w in p]]:
        if sh := shingles(words):
            keys.update(band_keys(signature(sh)))
    return keys


def index_version(session: Session, version_id: int, title: str, body: str) -> None:
    """Store a version's band keys (in the caller's transaction)."""
    keys = text_keys(f"{title}\n{body}")
    if not keys:  # a text too short to shingle has nothing to match (an empty list would insert one empty row)
        return
    session.execute(
        sa.insert(VersionBand), [{"version_id": version_id, "band": b, "bucket": k} for b, k in sorted(keys)]
    )


def candidates(session: Session, keys: set[tuple[int, int]]) -> set[int]:
    """Return the ids of versions sharing at least one band bucket with the keys."""
    if not keys:
        return set()
    found: set[int] = set()
    pairs = sorted(keys)
    for i in range(0, len(pairs), 500):
        chunk = pairs[i : i + 500]
        found.update(
            session.scalars(
                sa.select(VersionBand.version_id)
                .where(sa.tuple_(VersionBand.band, VersionBand.bucket).in_(chunk))
                .distinct()
            )
        )
    return found


def likeliest(session: Session, keys: set[tuple[int, int]], cap: int = 200, top: int = 20) -> list[int]:
    """Return the ids of the versions sharing the most distinctive band buckets with the keys, likeliest first.

    A bucket many versions share (the sentences every weekly bulletin repeats) tells nothing of which one a
    text is: each bucket is asked for at most `cap` + 1 versions, in one statement of index probes, and a
    bucket with more is set aside. The `top` versions holding the most of the rest are the candidates. When
    every bucket is that common, the `cap` versions of the first are (the text is then like all of them).
    """
    if not keys:
        return []
    vb = VersionBand.__table__.c
    probes = [
        sa.select(sa.literal(i).label("key"), vb.version_id)
        .where(vb.band == band, vb.bucket == bucket)
        .limit(cap + 1)
        .subquery()
        .select()
        for i, (band, bucket) in enumerate(sorted(keys))
    ]
    hits: dict[int, list[int]] = {}
    for key, version_id in session.execute(sa.union_all(*probes)):
        hits.setdefault(key, []).append(version_id)
    counts: dict[int, int] = {}
    for found in hits.values():
        if len(found) <= cap:
            for version_id in found:
                counts[version_id] = counts.get(version_id, 0) + 1
    if not counts:
        return min(hits.values(), key=len, default=[])[:cap]
    return sorted(counts, key=lambda v: (-counts[v], v))[:top]


def containment(leak: set[int], source: set[int]) -> float:
    """Return the share of the leak's shingles that the source holds."""
    return len(leak & source) / len(leak) if leak else 0.0
