"""Issue an approved or released statement as an official letter, and keep each unit's letterhead.

A letter takes the next number of its unit's year, in the transaction that writes it and its ledger entry:
a letter rolled back takes no number, and a number issued is never given again (a cancelled letter keeps
it, marked cancelled; ND 30/2020 Art. 15). The letter is bound to the content hash the statement was
approved or released with, and keeps the letterhead as it stood when issued.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from auth.models import Unit, User
from auth.service import get_unit
from statements.letters.models import Letter, LetterCounter, Letterhead
from statements.lifecycle.models import Statement
from statements.lifecycle.queries import read_statement
from workflow import ledger
from workflow.actor import Actor
from workflow.db import isoformat, utcnow
from workflow.deadlines import ZONE
from workflow.errors import Conflict, Invalid, NotFound
from workflow.guards import require_issue_letter, require_manage_org, require_read_letterhead
from workflow.settings import save_unit_setting
from workflow.states import State

#: A letter's symbol: the unit's abbreviation and the drafting office's, in capitals ("SYT-NV", "BYT-TT").
SYMBOL = re.compile(r"[A-ZĐ0-9]{1,12}(?:-[A-ZĐ0-9]{1,12}){0,3}")
SYMBOL_MESSAGE = "Capital letters and digits in parts joined by hyphens, as SYT-NV."
MAX_LINES = 20
MAX_SIGNERS = 10
MAX_REASON = 2000
#: What a letter may be issued from: content the unit's competent person approved, or released.
ISSUABLE = (State.APPROVED.value, State.RELEASED.value)


# --- the letterhead -----------------------------------------------------------------------------


def letterhead_of(session: Session, unit: Unit) -> dict[str, Any]:
    """Return the unit's letterhead: its own, or the defaults (its name, its parent's, its code; no place)."""
    row = session.get(Letterhead, unit.id)
    if row is not None:
        return {
            "unit": unit.code,
            "full_name": row.full_name,
            "parent_name": row.parent_name,
            "symbol": row.symbol,
            "place": row.place,
            "recipients": list(row.recipients),
            "copies_to": list(row.copies_to),
            "archive": row.archive,
            "signers": [dict(s) for s in row.signers],
            "set_by_unit": True,
        }
    return {
        "unit": unit.code,
        "full_name": unit.name,
        "parent_name": unit.parent.name if unit.parent else "",
        "symbol": unit.code.upper() if SYMBOL.fullmatch(unit.code.upper()) else "",
        "place": "",
        "recipients": [],
        "copies_to": [],
        "archive": "",
        "signers": [],
        "set_by_unit": False,
    }


def complete_letterhead(session: Session, unit: Unit) -> dict[str, Any]:
    """Return the unit's letterhead for a numbered document, or refuse until an admin has set all it needs."""
    head = letterhead_of(session, unit)
    if not (head["set_by_unit"] and head["place"] and head["signers"] and head["symbol"]):
        raise Conflict(
            "letterhead_incomplete",
            "Set the unit's letterhead first (an administrator): its place, symbol and signers.",
        )
    return head


def read_letterhead(session: Session, actor: Actor | None, unit_code: str) -> dict[str, Any]:
    """Return the unit's letterhead (its people, the leaders above it, auditors and admins)."""
    unit = get_unit(session, unit_code)
    require_read_letterhead(actor, unit.id)
    return letterhead_of(session, unit)


def update_letterhead(session: Session, actor: Actor, unit_code: str, values: dict[str, Any]) -> dict[str, Any]:
    """Set the unit's letterhead (admins); the change goes on the ledger with what it now says."""
    unit = get_unit(session, unit_code)
    require_manage_org(actor)
    clean = _clean_letterhead(values)
    save_unit_setting(session, actor, unit.id, unit.code, Letterhead, "update_letterhead", clean)
    session.flush()
    return letterhead_of(session, unit)


def _clean_letterhead(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def text(name: str, most: int, *, required: bool = True) -> str:
        value = values.get(name, "")
        if not isinstance(value, str) or len(value.strip()) > most or (required and not value.strip()):
            errors[name] = [
                f"A text of at most {most} characters." if not required else f"Between 1 and {most} characters."
            ]
            return ""
        return value.strip()

    full_name, parent_name = text("full_name", 300), text("parent_name", 300, required=False)
    place, archive = text("place", 100), text("archive", 40, required=False)
    symbol = values.get("symbol", "")
    if not isinstance(symbol, str) or not SYMBOL.fullmatch(symbol.strip()) or len(symbol.strip()) > 40:
        errors["symbol"] = [SYMBOL_MESSAGE]
    recipients, copies_to = (
        _lines(values.get("recipients", []), "recipients", errors),
        _lines(values.get("copies_to", []), "copies_to", errors),
    )
    signers = values.get("signers", [])
    if (
        not isinstance(signers, list)
        or not 1 <= len(signers) <= MAX_SIGNERS
        or not all(
            isinstance(s, dict)
            and isinstance(s.get("mark"), str)
            and isinstance(s.get("name"), str)
            and 0 < len(s["mark"].strip()) <= 200
            and 0 < len(s["name"].strip()) <= 200
            for s in signers
        )
    ):
        errors["signers"] = [f"From 1 to {MAX_SIGNERS} signers, each with a signing mark and a name."]
    if errors:
        raise Invalid("letterhead", "The letterhead is not valid.", errors=errors)
    return {
        "full_name": full_name,
        "parent_name": parent_name,
        "symbol": symbol.strip(),
        "place": place,
        "recipients": recipients,
        "copies_to": copies_to,
        "archive": archive,
        "signers": [{"mark": s["mark"].strip(), "name": s["name"].strip()} for s in signers],
    }


def _lines(value: object, name: str, errors: dict[str, list[str]]) -> list[str]:
    if (
        not isinstance(value, list)
        or len(value) > MAX_LINES
        or not all(isinstance(line, str) and 0 < len(line.strip()) <= 300 for line in value)
    ):
        errors[name] = [f"At most {MAX_LINES} lines of at most 300 characters."]
        return []
    return [line.strip() for line in value]


# --- numbering ----------------------------------------------------------------------------------

MAX_NUMBER = 99_999


def numbering(session: Session, actor: Actor | None, unit_code: str) -> dict[str, Any]:
    """Return the last number the unit has given this year (to letters and reports), as the letterhead's readers see."""
    unit = get_unit(session, unit_code)
    require_read_letterhead(actor, unit.id)
    year = utcnow().astimezone(ZONE).year
    row = session.get(LetterCounter, (unit.id, year))
    return {"unit": unit.code, "year": year, "last": row.last if row else 0}


def continue_numbering(session: Session, actor: Actor, unit_code: str, last: object, reason: object) -> dict[str, Any]:
    """Carry on the year's numbers from those the unit gave before PressGate (admins): only ever forward; on the ledger.

    A unit that starts using PressGate in June has numbered its documents since January in its paper register;
    its next letter takes the number after the register's last (ND 30/2020 Art. 15: one sequence a year,
    never repeated). Numbers only move forward, so a number already given is never given again.
    """
    unit = get_unit(session, unit_code)
    require_manage_org(actor)
    errors: dict[str, list[str]] = {}
    if not isinstance(last, int) or isinstance(last, bool) or not 0 < last <= MAX_NUMBER:
        errors["last"] = [f"A whole number from 1 to {MAX_NUMBER}."]
    if not isinstance(reason, str) or not 0 < len(reason.strip()) <= MAX_REASON:
        errors["reason"] = [f"Say why, in at most {MAX_REASON} characters."]
    if errors:
        raise Invalid("numbering", "The numbering is not valid.", errors=errors)
    assert isinstance(last, int) and isinstance(reason, str)
    year = utcnow().astimezone(ZONE).year
    row = session.get(LetterCounter, (unit.id, year), with_for_update=True)
    before = row.last if row else 0
    if last <= before:
        raise Conflict(
            "numbers_given",
            f"Number {before} has already been given this year: the numbers only move forward, never given twice.",
        )
    if row is None:
        session.add(LetterCounter(unit_id=unit.id, year=year, last=last))
    else:
        row.last = last
    ledger.append(
        session,
        kind=ledger.EntryKind.ADMIN,
        action="continue_numbering",
        actor_id=actor.user_id,
        actor=actor.username,
        role="admin",
        unit=unit.code,
        comment=reason.strip(),
        data={"year": year, "from": before, "to": last},
    )
    session.flush()
    return {"unit": unit.code, "year": year, "last": last}


# --- letters ------------------------------------------------------------------------------------


def issue(
    session: Session,
    actor: Actor,
    statement_id: int,
    *,
    subject: str,
    recipients: list[str] | None = None,
    copies_to: list[str] | None = None,
    signer: int = 0,
) -> Letter:
    """Issue the statement as the unit's next numbered letter (its spokesperson or a leader); on the ledger."""
    statement = read_statement(session, statement_id, actor, for_update=True)
    require_issue_letter(actor, statement.unit_id)
    if statement.state not in ISSUABLE:
        raise Conflict("not_issuable", "Only an approved or released statement is issued as a letter.")
    if statement.release_at is not None:
        # A letter to the press before the scheduled release would break the release's embargo.
        raise Conflict("letter_before_release", "Its release is scheduled: issue the letter once it is released.")
    released = statement.state == State.RELEASED.value
    version = statement.released_version if released else statement.approved_version
    content_hash = statement.released_hash if released else statement.approved_hash
    if version is None or content_hash is None:
        raise Conflict("not_issuable", "Only an approved or released statement is issued as a letter.")
    unit = session.get(Unit, statement.unit_id)
    assert unit is not None  # a statement's unit is never deleted
    head = complete_letterhead(session, unit)
    errors: dict[str, list[str]] = {}
    if not isinstance(subject, str) or not 0 < len(subject.strip()) <= 300:
        errors["subject"] = ["Say what the letter is about, in at most 300 characters."]
    to = _lines(head["recipients"] if recipients is None else recipients, "recipients", errors)
    if not to and "recipients" not in errors:
        errors["recipients"] = ["Name at least one recipient."]
    cc = _lines(head["copies_to"] if copies_to is None else copies_to, "copies_to", errors)
    if not isinstance(signer, int) or isinstance(signer, bool) or not 0 <= signer < len(head["signers"]):
        errors["signer"] = ["One of the letterhead's signers."]
    if errors:
        raise Invalid("letter", "The letter is not valid.", errors=errors)
    now = utcnow()
    year = now.astimezone(ZONE).year
    chosen = head["signers"][signer]
    letter = Letter(
        unit_id=unit.id,
        year=year,
        number=next_number(session, unit.id, year),
        statement_id=statement.id,
        version=version,
        content_hash=content_hash,
        symbol=head["symbol"],
        place=head["place"],
        unit_full_name=head["full_name"],
        parent_name=head["parent_name"],
        subject=subject.strip(),
        recipients=to,
        copies_to=cc,
        archive=head["archive"],
        signing_mark=chosen["mark"],
        signer_name=chosen["name"],
        issued_at=now,
        issued_by_id=actor.user_id,
    )
    session.add(letter)
    session.flush()
    _entry(session, actor, letter, unit.code, "issue_letter")
    return letter


def cancel(session: Session, actor: Actor, letter_id: int, reason: str) -> Letter:
    """Cancel a letter with the reason; it keeps its number for ever, marked cancelled; on the ledger."""
    letter = get(session, actor, letter_id)
    require_issue_letter(actor, letter.unit_id)
    session.refresh(letter, with_for_update=True)  # two cancellations at once: the second sees the first
    if letter.cancelled_at is not None:
        raise Conflict("letter_cancelled", f"Letter {letter_id} is already cancelled.")
    if not isinstance(reason, str) or not 0 < len(reason.strip()) <= MAX_REASON:
        raise Invalid("reason", "Say why.", errors={"reason": [f"Say why, in at most {MAX_REASON} characters."]})
    letter.cancelled_at, letter.cancelled_by_id, letter.cancel_reason = utcnow(), actor.user_id, reason.strip()
    code = session.scalar(sa.select(Unit.code).where(Unit.id == letter.unit_id))
    _entry(session, actor, letter, code or "", "cancel_letter", comment=letter.cancel_reason)
    return letter


def get(session: Session, actor: Actor | None, letter_id: int) -> Letter:
    """Return a letter the actor may read: its unit's people, the leaders above, auditors."""
    letter = session.get(Letter, letter_id)
    if letter is None or actor is None or not actor.can_read_unit(letter.unit_id):
        raise NotFound("letter", f"No letter {letter_id}.")
    return letter


def of_statement(session: Session, actor: Actor | None, statement_id: int) -> list[Letter]:
    """Return the letters issued from a statement, newest first (none for whom may not read its unit)."""
    letters = session.scalars(
        sa.select(Letter).where(Letter.statement_id == statement_id).order_by(Letter.id.desc())
    ).all()
    return [x for x in letters if actor is not None and actor.can_read_unit(x.unit_id)]


def superseded(session: Session, letter: Letter) -> bool:
    """Say whether the statement no longer stands by the content the letter was issued with (reopened since)."""
    row = session.execute(
        sa.select(Statement.approved_hash, Statement.released_hash).where(Statement.id == letter.statement_id)
    ).one()
    return letter.content_hash not in (row.approved_hash, row.released_hash)


def letter_dict(session: Session, letter: Letter) -> dict[str, Any]:
    """Return a letter as the API and the pages give it."""
    return letter_dicts(session, [letter])[0]


def letter_dicts(session: Session, letters: list[Letter]) -> list[dict[str, Any]]:
    """Return letters as the API and the pages give them: their units and people in two queries, however many."""
    if not letters:
        return []
    ids = {x.issued_by_id for x in letters} | {x.cancelled_by_id for x in letters if x.cancelled_by_id}
    people = dict(session.execute(sa.select(User.id, User.username).where(User.id.in_(ids))).all())
    units = dict(session.execute(sa.select(Unit.id, Unit.code).where(Unit.id.in_({x.unit_id for x in letters}))).all())
    return [
        {
            "id": x.id,
            "unit": units[x.unit_id],
            "number": x.number,
            "year": x.year,
            "symbol": x.symbol,
            "number_text": x.number_text,
            "statement": x.statement_id,
            "version": x.version,
            "content_hash": x.content_hash,
            "subject": x.subject,
            "place": x.place,
            "unit_full_name": x.unit_full_name,
            "parent_name": x.parent_name,
            "recipients": list(x.recipients),
            "copies_to": list(x.copies_to),
            "archive": x.archive,
            "signing_mark": x.signing_mark,
            "signer_name": x.signer_name,
            "issued_at": isoformat(x.issued_at),
            "issued_by": people.get(x.issued_by_id),
            "cancelled": None
            if x.cancelled_at is None
            else {"at": isoformat(x.cancelled_at), "by": people.get(x.cancelled_by_id), "reason": x.cancel_reason},
        }
        for x in letters
    ]


def next_number(session: Session, unit_id: int, year: int) -> int:
    """Take the unit's next number of the year, shared by its letters and reports, in the caller's transaction."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(LetterCounter)
    # One statement, atomic on both databases: two letters issued at once wait on the row and take 1 and 2.
    statement = insert.values(unit_id=unit_id, year=year, last=1).on_conflict_do_update(
        index_elements=["unit_id", "year"], set_={"last": LetterCounter.last + 1}
    )
    return int(session.execute(statement.returning(LetterCounter.last)).scalar_one())


def _entry(
    session: Session, actor: Actor, letter: Letter, unit_code: str, action: str, comment: str | None = None
) -> None:
    ledger.append(
        session,
        kind=ledger.EntryKind.LETTER,
        action=action,
        actor_id=actor.user_id,
        actor=actor.username,
        role="spokesperson" if actor.speaks_for(letter.unit_id) else "leader",
        unit=unit_code,
        statement_id=letter.statement_id,
        version=letter.version,
        content_hash=letter.content_hash,
        comment=comment,
        data={
            "letter": letter.id,
            "number": letter.number,
            "year": letter.year,
            "symbol": letter.symbol,
            "subject": letter.subject,
            "signer": letter.signer_name,
        },
    )
