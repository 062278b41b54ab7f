"""Is this statement genuine? A pasted text, an uploaded copy or a printed link held to what was released.

Fake statements imitating a health authority's letterhead circulate in every outbreak. Anyone, without
signing in, can ask: the text is matched against released statements only (the banded index finds the
candidates with one query; a draft is never a match, nor said to exist), and the answer is one of
`genuine` (the text is the released text word for word, or, `whole` false, a part of it), `altered` (it
follows a released statement but changes words: the differences are shown), `retracted` (it is, or
follows, a statement the authority withdrew) or `not_issued` (nothing the authority released reads like
it; what to do is said). A printed link carries only the content hash, so its answer is `released` (a
statement with this hash was released: the copy in hand still has to be held to it) or one of the last
two. A genuine, altered or released answer names the release on the ledger: its entry and its hash in the
chain, which
`pressgate ledger` bundles and signed checkpoints let anyone check offline (docs/verification.md).
"""

from __future__ import annotations

import difflib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from statements.lifecycle import matching, snapshots
from statements.lifecycle.models import Statement, StatementVersion, release_recorded
from statements.lifecycle.serialize import public_dict
from statements.lifecycle.snapshots import StatementView
from workflow import figures
from workflow.db import isoformat
from workflow.errors import Invalid
from workflow.ledger import LedgerEntry
from workflow.ledger import checkpoints as checkpoint_files
from workflow.ledger.canonical import HASHED_FIELDS
from workflow.states import PUBLIC_STATES
from workflow.text import like_pattern, search_key, strip_invisible

#: A text shares at least this much of its word triples with a released statement to follow it.
FOLLOWS = 0.5
#: What is read of a pasted text or an uploaded copy.
MAX_TEXT = 50_000
MAX_UPLOAD = 5 * 1024 * 1024
_WORDS = re.compile(r"\S+")
_UNREADABLE = "Upload the copy as PDF, DOCX or UTF-8 text."
_TOO_LARGE = "The file is larger than 5 MB."
_TOO_SHORT = "Paste at least a sentence of the statement (five words or more)."
_NO_HASH = "A content hash is 64 hexadecimal characters (the link may give its first 12)."


def plain(text: str) -> str:
    """Return text as its words read: composed, without invisible characters, every run of spaces one space."""
    return " ".join(unicodedata.normalize("NFC", strip_invisible(text)).split())


def text_of_upload(name: str, data: bytes) -> str:
    """Return the text of an uploaded copy (PDF, DOCX or plain text); a file that is none of them is refused."""
    if len(data) > MAX_UPLOAD:
        raise Invalid("copy_too_large", _TOO_LARGE, errors={"file": [_TOO_LARGE]})
    try:
        if data.startswith(b"%PDF"):
            from pypdf import PdfReader

            return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
        if data.startswith(b"PK") and name.lower().endswith(".docx"):
            import docx

            return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        return data.decode("utf-8")
    except (UnicodeDecodeError, ValueError, KeyError, zipfile.BadZipFile) as err:
        raise Invalid("copy_unreadable", _UNREADABLE, errors={"file": [_UNREADABLE]}) from err
    except Exception as err:  # a damaged PDF raises whatever its parser meets; it is still bad input
        raise Invalid("copy_unreadable", _UNREADABLE, errors={"file": [_UNREADABLE]}) from err


#: The lines a released copy adds below the text (statements.copies.exports): not part of what was released.
_COPY_LINES = re.compile(r"^\s*(Mã băm nội dung \(SHA-256\):|Kiểm tra bản này là thông tin chính thức:).*$", re.M)


def verify(session: Session, text: str, contact: str, checkpoints: Path | None = None) -> dict:
    """Return the verdict on a text: which released statement it is, or follows, and how it differs."""
    text = _COPY_LINES.sub("", text[:MAX_TEXT])
    if len(matching.tokens(text)) < 5:
        raise Invalid("text_too_short", _TOO_SHORT, errors={"text": [_TOO_SHORT]})
    best = _best_release(session, text)
    if best is None:
        return _not_issued(contact)
    score, statement = best
    shown = public_dict(statement)
    body = figures.with_figures(shown["body"], shown["figures"])  # as every copy carries it
    released, held = plain(f"{shown['title']}\n{body}"), plain(text)
    exact = held in released
    verdict = "retracted" if shown["retracted"] else ("genuine" if exact else "altered")
    return {
        "verdict": verdict,
        "whole": exact and held in (released, plain(body)),
        "statement": shown,
        "similarity": round(score, 3),
        "differences": [] if exact else differences(released, plain(text)),
        "release": release_entry(session, statement, checkpoints),
        "contact": contact,
    }


def verify_hash(session: Session, content_hash: str, contact: str, checkpoints: Path | None = None) -> dict:
    """Return the verdict on the link printed on a released copy: the statement released with this content hash."""
    if not re.fullmatch(r"[0-9a-f]{12,64}", content_hash):
        raise Invalid("bad_content_hash", _NO_HASH, errors={"hash": [_NO_HASH]})
    ids = session.scalars(
        sa.select(Statement.id)
        .where(Statement.released_hash.startswith(content_hash, autoescape=True), Statement.state.in_(_PUBLIC))
        .limit(2)
    ).all()
    statement = snapshots.one(session, ids[0]) if len(ids) == 1 else None
    if statement is None or not statement.release_recorded:
        return _not_issued(contact)
    shown = public_dict(statement)
    return {
        # A link is easily printed on a forged letter: it says which statement was released, not that the
        # paper in hand says the same.
        "verdict": "retracted" if shown["retracted"] else "released",
        "whole": False,
        "statement": shown,
        "similarity": 1.0,
        "differences": [],
        "release": release_entry(session, statement, checkpoints),
        "contact": contact,
    }


_PUBLIC = [s.value for s in PUBLIC_STATES]


def _not_issued(contact: str) -> dict:
    return {"verdict": "not_issued", "whole": False, "statement": None, "similarity": 0.0, "differences": [],
            "release": None, "contact": contact}  # fmt: skip


def _best_release(session: Session, text: str) -> tuple[float, StatementView] | None:
    """Return the released statement the text follows most closely, with the share it follows, if any.

    Its sentences are looked for first, the most telling first (those with figures), and the search stops
    as soon as a release the text clearly follows is found; else the likeliest versions by their
    distinctive band buckets are scored (a text whose every sentence was changed a little).
    """
    leak = matching.shingles(matching.tokens(text))
    best: tuple[float, int] | None = None
    seen: set[int] = set()
    for ids in _by_sentences(session, text):
        best = max(filter(None, [best, _score(session, leak, ids - seen, by_version=False)]), default=None)
        seen |= ids
        if best is not None and best[0] >= CLEAR:
            break
    if best is None:
        best = _score(session, leak, set(matching.likeliest(session, matching.text_keys(text))), by_version=True)
    if best is None or best[0] < FOLLOWS:
        return None
    statement = snapshots.one(session, best[1])
    return (best[0], statement) if statement is not None else None


#: A text sharing this much with a release follows it clearly: no other release is looked for.
CLEAR = 0.8


def _score(session: Session, leak: set[int], ids: set[int], *, by_version: bool) -> tuple[float, int] | None:
    """Return the best (share of the text's word triples held, statement id) among released candidates."""
    if not ids:
        return None
    v, s = StatementVersion, Statement
    rows = session.execute(
        sa.select(s.id, v.title, v.body, v.figures)
        .join(v, sa.and_(v.statement_id == s.id, v.number == s.released_version))
        .where(
            (v.id if by_version else s.id).in_(ids),
            s.state.in_(_PUBLIC),
            release_recorded(s.id, s.released_hash, s.released_version),
        )
    ).all()
    scored = [
        (matching.containment(leak, matching.shingles(matching.tokens(f"{t}\n{figures.with_figures(b, f)}"))), -sid)
        for sid, t, b, f in rows
    ]
    if not scored:
        return None
    share, sid = max(scored)
    return share, -sid


#: A sentence the text shares with more released statements than this names none of them (boilerplate).
SENTENCE_CAP = 100
_SENTENCE = re.compile(r"(?<=[.;!?…:])\s+|\n+")
_FIGURE = re.compile(r"\d+")


def _by_sentences(session: Session, text: str) -> Iterator[set[int]]:
    """Yield, sentence by sentence, the released statements holding it as written (in any case or accent).

    The search text's trigram index (PostgreSQL) finds a sentence anywhere at once. The sentences with
    the most figures come first (they tell one weekly bulletin from the next). One that more than
    SENTENCE_CAP releases hold names none alone; then those sentences are asked for together, as the
    statement that holds them all ("số ca tập trung tại huyện Tân Phú…" and "… 12 trạm y tế xã …").
    """
    parts = {search_key(part) for part in _SENTENCE.split(text) if len(part.split()) >= 6}
    common = []
    for sentence in sorted(parts, key=lambda p: (-len(_FIGURE.findall(p)), -len(p)))[:4]:
        ids = _holding(session, [sentence])
        if len(ids) <= SENTENCE_CAP:
            yield set(ids)
        else:
            common.append(sentence)
    if len(common) > 1:
        ids = _holding(session, common)
        if len(ids) <= SENTENCE_CAP:
            yield set(ids)


def _holding(session: Session, sentences: list[str]) -> list[int]:
    """Return up to SENTENCE_CAP + 1 released statements whose search text holds every one of the sentences."""
    # A prefix of a sentence is as telling and keeps the pattern (written into the SQL, as the list's
    # search does, so that PostgreSQL plans for it) short.
    return list(
        session.scalars(
            sa.select(Statement.id)
            .where(
                *(
                    Statement.search_text.like(sa.literal(like_pattern(s[:300]), literal_execute=True), escape="\\")
                    for s in sentences
                ),
                Statement.state.in_(_PUBLIC),
            )
            .limit(SENTENCE_CAP + 1)
        )
    )


def differences(released: str, text: str, context: int = 4) -> list[dict]:
    """Return where a text departs from the released one, word by word: what was released, what it says instead.

    Words of the release before and after the part the text follows are not differences: a text may quote
    one paragraph.
    """
    a, b = _WORDS.findall(released), _WORDS.findall(text)
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    # The release's words before the text starts and after it ends were not quoted, not removed.
    while ops and ops[0][0] == "delete":
        ops = ops[1:]
    while ops and ops[-1][0] == "delete":
        ops = ops[:-1]
    # An excerpt whose first or last words were changed pairs them with all the release beyond them: only as
    # many released words as the text has there were replaced, the rest were not quoted ("tăng 5%." → "50%.").
    if ops and ops[-1][0] == "replace" and ops[-1][2] - ops[-1][1] > ops[-1][4] - ops[-1][3]:
        tag, i1, _i2, j1, j2 = ops[-1]
        ops[-1] = (tag, i1, i1 + (j2 - j1), j1, j2)
    if ops and ops[0][0] == "replace" and ops[0][2] - ops[0][1] > ops[0][4] - ops[0][3]:
        tag, _i1, i2, j1, j2 = ops[0]
        ops[0] = (tag, i2 - (j2 - j1), i2, j1, j2)
    out = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        out.append(
            {
                "before": " ".join(a[max(0, i1 - context) : i1]),
                "released": " ".join(a[i1:i2]),
                "text": " ".join(b[j1:j2]),
                "after": " ".join(a[i2 : i2 + context]),
            }
        )
    return out


def release_entry(session: Session, statement: StatementView, checkpoints: Path | None = None) -> dict | None:
    """Return the ledger entry that released the statement's content, and the proof it is in a signed checkpoint.

    The proof (`pressgate.inclusion/1`) is there once a checkpoint signed after the release holds it;
    `pressgate ledger verify-release` checks it offline against the authority's public key.
    """
    entry = session.scalars(
        sa.select(LedgerEntry)
        .where(
            LedgerEntry.statement_id == statement.id,
            LedgerEntry.action.in_(("release", "emergency_release")),
            LedgerEntry.content_hash == statement.released_hash,
        )
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    ).first()
    if entry is None:
        return None
    latest = checkpoint_files.latest_checkpoint(checkpoints) if checkpoints else None
    row = {name: getattr(entry, name) for name in (*HASHED_FIELDS, "prev_hash", "hash")}
    return {
        "seq": entry.seq,
        "hash": entry.hash,
        "prev_hash": entry.prev_hash,
        "at": isoformat(entry.at),
        "action": entry.action,
        "content_hash": entry.content_hash,
        "proof": checkpoint_files.inclusion(session, row, latest) if latest else None,
    }
