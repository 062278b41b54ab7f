"""The ledger as an auditor reads it: every entry with names, roles, meanings and local times."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import TextIO

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import User
from statements.i18n import LOCAL_ZONE
from statements.lifecycle.serialize import entry_dict
from workflow.ledger import LedgerEntry
from workflow.ledger.sealing import seal_before_reading
from workflow.machine import ACTIONS

COLUMNS = [
    "seq",
    "at_utc",
    "at_local",
    "kind",
    "action",
    "meaning",
    "statement",
    "version",
    "content_hash",
    "from_state",
    "to_state",
    "actor",
    "actor_name",
    "role",
    "unit",
    "comment",
    "data",
    "prev_hash",
    "hash",
]

MEANINGS = {name: action.meaning for name, action in ACTIONS.items()} | {
    "create": "Drafter created the statement (version 1)",
    "revise": "Drafter wrote a new version",
    "export": "Someone exported a copy of unreleased content (data.fingerprint names the copy)",
    "read": "Someone was shown unreleased content (data.how says where)",
    "open_case": (
        "An investigator opened a disclosure case (data: matches, copies found, those the evidence tells apart,"
        " how many others had the text)"
    ),
    "close_case": "An investigator closed a disclosure case with its finding and any violations",
    "create_unit": "Administrator created a unit",
    "create_user": "Administrator created a user account",
    "grant_role": "Administrator gave a user a role",
    "revoke_role": "Administrator took a role away",
    "designate_spokesperson": "Administrator designated the unit's spokesperson (the previous one lost the role)",
    "remove_spokesperson": "Administrator ended the unit's spokesperson designation",
    "appoint_acting_spokesperson": "A leader appointed an acting spokesperson for a period (data: who, from, until)",
    "end_acting_spokesperson": "A leader ended an acting spokesperson's appointment before its time",
    "create_rule": "A sensitivity rule was added",
    "update_rule": "A sensitivity rule was changed",
    "update_deadlines": "A unit's deadlines (hours per step, days off, reminders, grace, mandatory email) were set",
    "deadline_reminder": "The system reminded whoever must act on the step (data.told), at its share of the time",
    "deadline_overdue": "The system told whoever must act that the step is past its due time",
    "deadline_escalation": "The system escalated an overdue step to the leaders data.level levels up (data.told)",
    "emergency_review_overdue": (
        "The system told those who may review it that an emergency release is past its review's due time"
    ),
    "sign_in_alert": "Sign-in attempts on one account passed the ceiling; only its known addresses may try for now",
    "register_press_request": (
        "The unit registered a question from the press (data: outlet, the question's SHA-256, received, due, assignee)"
    ),
    "assign_press_request": "A question from the press was given to someone to prepare the answer (data.assigned_to)",
    "answer_press_request": "The interview statement that answers a question from the press was linked to it",
    "refuse_press_request": "The spokesperson or a leader refused a question from the press on a Press Law ground",
    "update_press_policy": "A unit's time limits for answering the press were set (data: normal and urgent days)",
    "appoint_watch_focal": "A unit's focal officer for the watch was named, or none (data.focal)",
    "update_figures_policy": "A unit's policy for figures was set (data: the words an analysis needs, the share of"
    " numbers that reads as raw figures)",
    "record_rumour": (
        "An item seen outside was recorded (data: platform, address, first seen, hashes of its summary and words,"
        " what matching it with the released statements found)"
    ),
    "assess_rumour": "The spokesperson or a leader judged an item seen outside (data.assessment), saying why",
    "link_rumour": "The statement an item seen outside concerns, or the correction answering it, was linked",
    "report_rumour": "An item beyond the unit's authority was reported to the unit above (data: from, to)",
    "issue_letter": "A statement was issued as an official letter (data: number, year, symbol, subject)",
    "cancel_letter": "An official letter was cancelled, keeping its number (comment: why)",
    "update_letterhead": "A unit's letterhead for official letters was set (data: what it now says)",
    "record_commendation": "A leader commended one of the unit's people (comment: for what; data: person, statements)",
    "continue_numbering": (
        "An administrator carried a unit's numbers for the year on from those given before PressGate (data: year,"
        " from, to; comment: why)"
    ),
    "issue_report": (
        "A unit's periodic report was issued under its number (data: number, year, symbol, period, figures_hash)"
    ),
}


def rows(
    session: Session, batch: int = 2000, filters: dict | None = None, translate: Callable[[str], str] = str
) -> Iterator[dict]:
    """Yield every entry (or those the filters keep, as the auditor's page filters) in seq order, as flat rows.

    `translate` puts each entry's meaning in the reader's language (the pages pass gettext; the catalogue
    holds every MEANINGS sentence, which a test checks); the CLI keeps them in English.
    """
    from statements.lifecycle.queries import ledger_conditions

    names = dict(session.execute(sa.select(User.username, User.full_name)).all())
    seal_before_reading(session)
    query = (
        sa.select(LedgerEntry)
        .where(*ledger_conditions(filters or {}))
        .order_by(LedgerEntry.seq)
        .execution_options(yield_per=batch)
    )
    for entry in session.scalars(query):
        # The API's entry with what a reader of the export needs beside it; in COLUMNS' order.
        fields = entry_dict(entry)
        local = entry.at.astimezone(LOCAL_ZONE) if isinstance(entry.at, dt.datetime) else None
        fields |= {
            "at_utc": fields.pop("at"),
            "at_local": local.isoformat() if local else None,
            "meaning": translate(MEANINGS[entry.action]) if entry.action in MEANINGS else entry.action,
            "actor_name": names.get(entry.actor, entry.actor),
        }
        yield {name: fields[name] for name in COLUMNS}


def write(
    session: Session, stream: TextIO, fmt: str, filters: dict | None = None, translate: Callable[[str], str] = str
) -> None:
    """Write the ledger (or what the filters keep) as CSV (with a BOM, for spreadsheets) or JSON Lines."""
    if fmt == "csv":
        stream.write("\ufeff")  # so spreadsheet programs read the Vietnamese as UTF-8
        writer = csv.DictWriter(stream, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows(session, filters=filters, translate=translate):
            writer.writerow(
                {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for k, v in row.items()}
            )
    else:
        for row in rows(session, filters=filters, translate=translate):
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
