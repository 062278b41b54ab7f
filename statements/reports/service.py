"""A unit's periodic report to the body above it: its figures, for the unit alone or over its subtree.

The Resolution-128 letter ends by asking units to report their results to the Ministry of Health; letter
6006 asks them to commend good work and deal with violations. A report answers both: what the unit
released and how fast, where work waited past its time, what the press asked and got, what was seen
outside and corrected, what leaked and who was commended. It holds counts and times, never a statement's
text, so reading it is not a read of unreleased content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import rfc8785
import sqlalchemy as sa
from sqlalchemy.orm import Session, defer

from auth.models import Unit, User
from auth.service import get_unit
from statements.letters.service import complete_letterhead, letterhead_of, next_number
from statements.reports import figures, periods
from statements.reports.models import IssuedReport
from workflow import ledger
from workflow.actor import Actor
from workflow.db import isoformat, utcnow
from workflow.deadlines import ZONE, local_day
from workflow.errors import Conflict, Invalid, NotFound
from workflow.guards import require_issue_letter, require_read_report


def build(
    session: Session,
    actor: Actor | None,
    unit_code: str,
    period: str,
    *,
    rolled_up: bool = True,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Return the unit's report for the period: over its subtree unless `rolled_up` is false."""
    unit = get_unit(session, unit_code)
    require_read_report(actor, unit.id)
    chosen = periods.parse(period)
    scope = figures.scope_of(session, unit.id, rolled_up)
    head = letterhead_of(session, unit)
    return {
        "unit": unit.code,
        "unit_name": unit.name,
        # The body above in PressGate's tree (the ministry above a department): the report goes up to it.
        "parent_unit_name": unit.parent.name if unit.parent else "",
        "rolled_up": rolled_up,
        "units": scope.codes,
        "period": {"key": chosen.key, "title": chosen.title_vi},
        "letterhead": {k: head[k] for k in ("full_name", "parent_name", "symbol", "place", "archive", "signers")},
        **figures.gather(session, scope, chosen.since, chosen.until, now or utcnow()),
    }


# --- issued reports -----------------------------------------------------------------------------

#: The parts of a report the unit writes in its own words (ND 30 leaves a report's content to its issuer;
#: these are the parts every report to the ministry has), in the order they print after the figures.
REMARKS = ("assessment", "shortcomings", "plans", "proposals")
MAX_REMARK = 5000


def issue(
    session: Session,
    actor: Actor,
    unit_code: str,
    period: str,
    *,
    rolled_up: bool = True,
    signer: int = 0,
    remarks: dict[str, str] | None = None,
) -> IssuedReport:
    """Issue the unit's report for the period under its next number (its spokesperson or a leader); on the ledger.

    The figures are kept as they stand now: the issued report says what was sent up, whatever happens after.
    """
    unit = get_unit(session, unit_code)
    require_issue_letter(actor, unit.id)
    head = complete_letterhead(session, unit)
    if not isinstance(signer, int) or isinstance(signer, bool) or not 0 <= signer < len(head["signers"]):
        raise Invalid(
            "report_signer", "The report is not valid.", errors={"signer": ["One of the letterhead's signers."]}
        )
    written = {part: text.strip() for part, text in (remarks or {}).items() if isinstance(text, str) and text.strip()}
    if set(written) - set(REMARKS) or any(len(text) > MAX_REMARK for text in written.values()):
        message = f"Its parts ({', '.join(REMARKS)}), each at most {MAX_REMARK} characters."
        raise Invalid("report_remarks", "The report is not valid.", errors={"remarks": [message]})
    now = utcnow()
    chosen = periods.parse(period)
    if chosen.until >= local_day(now):
        raise Conflict(
            "period_not_ended",
            f"A report is issued once its period has ended: {chosen.key} ends on {chosen.until:%d/%m/%Y}.",
        )
    year = now.astimezone(ZONE).year
    # The number first: it holds the unit's counter until the transaction ends, so that a second issue of the
    # same period, sent at the same moment, waits and then finds the first (a refusal rolls the number back).
    number = next_number(session, unit.id, year)
    if earlier := issued_for(session, unit.id, chosen, rolled_up):
        raise Conflict(
            "report_issued",
            f"Report {earlier} already covers this period; a correction goes out as a letter.",
        )
    report = build(session, actor, unit_code, period, rolled_up=rolled_up, now=now)
    # The report names the signer chosen: the documents print the first signer of the letterhead they carry.
    signing = head["signers"][signer]
    report["letterhead"]["signers"] = [signing]
    report["remarks"] = {part: written[part] for part in REMARKS if part in written}
    issued = IssuedReport(
        unit_id=unit.id,
        year=year,
        number=number,
        symbol=f"BC-{head['symbol']}",
        period=report["period"]["key"],
        rolled_up=rolled_up,
        figures=report,
        figures_hash=hashlib.sha256(rfc8785.dumps(report)).hexdigest(),
        signing_mark=signing["mark"],
        signer_name=signing["name"],
        issued_at=now,
        issued_by_id=actor.user_id,
    )
    session.add(issued)
    session.flush()
    ledger.append(
        session,
        kind=ledger.EntryKind.LETTER,
        action="issue_report",
        actor_id=actor.user_id,
        actor=actor.username,
        role="spokesperson" if actor.speaks_for(unit.id) else "leader",
        unit=unit.code,
        data={
            "report": issued.id,
            "number": issued.number,
            "year": issued.year,
            "symbol": issued.symbol,
            "period": issued.period,
            "rolled_up": rolled_up,
            "figures_hash": issued.figures_hash,
            "signer": issued.signer_name,
        },
    )
    return issued


def issued_for(session: Session, unit_id: int, period: periods.Period, rolled_up: bool) -> str | None:
    """Return the number of the unit's report already issued for the same days and scope, if there is one."""
    rows = session.execute(
        sa.select(IssuedReport.number, IssuedReport.symbol, IssuedReport.period).where(
            IssuedReport.unit_id == unit_id, IssuedReport.rolled_up == rolled_up
        )
    )
    for number, symbol, key in rows:
        same = periods.parse(key)
        if (same.since, same.until) == (period.since, period.until):
            return f"{number:02d}/{symbol}"
    return None


def issued(session: Session, actor: Actor | None, report_id: int) -> IssuedReport:
    """Return an issued report its reader may read (as the unit's report itself), or say there is none."""
    row = session.get(IssuedReport, report_id)
    if row is None:
        raise NotFound("issued_report", f"No issued report {report_id}.")
    require_read_report(actor, row.unit_id)
    return row


def issued_of(session: Session, actor: Actor | None, unit_code: str) -> list[IssuedReport]:
    """Return the reports the unit has issued, newest first."""
    unit = get_unit(session, unit_code)
    require_read_report(actor, unit.id)
    return list(
        session.scalars(
            # The list names each report; its frozen figures are read only for its files.
            sa.select(IssuedReport)
            .options(defer(IssuedReport.figures))
            .where(IssuedReport.unit_id == unit.id)
            .order_by(IssuedReport.id.desc())
        )
    )


def issued_dicts(session: Session, rows: list[IssuedReport]) -> list[dict[str, Any]]:
    """Return issued reports as the API and the pages list them: their units and people in two queries."""
    if not rows:
        return []
    people = {
        user_id: (username, full_name)
        for user_id, username, full_name in session.execute(
            sa.select(User.id, User.username, User.full_name).where(User.id.in_({r.issued_by_id for r in rows}))
        )
    }
    units = dict(session.execute(sa.select(Unit.id, Unit.code).where(Unit.id.in_({r.unit_id for r in rows}))).all())
    return [
        {
            "id": r.id,
            "unit": units[r.unit_id],
            "number": r.number,
            "year": r.year,
            "symbol": r.symbol,
            "number_text": f"{r.number:02d}/{r.symbol}",
            "period": r.period,
            "period_title": periods.parse(r.period).title_vi,
            "rolled_up": r.rolled_up,
            "figures_hash": r.figures_hash,
            "signing_mark": r.signing_mark,
            "signer_name": r.signer_name,
            "issued_at": isoformat(r.issued_at),
            "issued_by": people[r.issued_by_id][0],
            "issued_by_name": people[r.issued_by_id][1],
        }
        for r in rows
    ]
