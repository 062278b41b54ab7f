"""The auditor's pages: the ledger with filters, its verification, and exports (admins read them too)."""

from __future__ import annotations

import datetime as dt
import io

from flask import Response, render_template, request
from flask_login import login_required

from statements import ledger_export, queries
from statements.i18n import LOCAL_ZONE
from statements.replay import verify_all
from statements.serialize import entry_dict
from statements.web.views import bp, web_actor
from statements.web_session import db, page_arg
from workflow.db import MAX_ID, isoformat, utcnow
from workflow.errors import NotFound
from workflow.guards import can_read_ledger
from workflow.sealing import seal_before_reading

PER_PAGE = 50


def _date(value: str | None, end: bool = False) -> dt.datetime | None:
    """Read a yyyy-mm-dd date in Hanoi time; an end date includes its whole day."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return None
    start = dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time(), tzinfo=LOCAL_ZONE)
    return start.astimezone(dt.UTC)


@bp.route("/audit/ledger")
@login_required
def audit_ledger():
    """Browse the ledger, filtered by statement, person, action and dates."""
    can_read_ledger(web_actor())
    args = request.args
    statement = args.get("statement", "")
    filters = {
        "statement": int(statement) if statement.isdigit() and 0 < int(statement) <= MAX_ID else None,
        "actor": args.get("actor") or None,
        "action": args.get("action") or None,
        "since": _date(args.get("since")),
        "until": _date(args.get("until"), end=True),
    }
    page = page_arg()
    waiting = seal_before_reading(db())
    items, total = queries.ledger_page(db(), filters, page, PER_PAGE)
    return render_template(
        "web/ledger.html",
        items=[entry_dict(e) for e in items],
        total=total,
        waiting=waiting,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        args=args,
    )


@bp.route("/audit/verify")
@login_required
def audit_verify():
    """Recompute the whole chain and show the result (and the first bad entry, if any)."""
    can_read_ledger(web_actor())
    result = verify_all(db())
    bad = None
    if not result["ok"] and result.get("first_bad_seq"):
        rows, _total = queries.ledger_page(db(), {}, result["first_bad_seq"], 1)
        bad = entry_dict(rows[0]) if rows else None
    return render_template("web/verify.html", result=result, bad=bad, at=isoformat(utcnow()))


@bp.route("/audit/export.<fmt>")
@login_required
def audit_export(fmt: str):
    """Download the whole ledger as CSV or JSON Lines."""
    can_read_ledger(web_actor())
    if fmt not in ("csv", "jsonl"):
        raise NotFound("format", "Export as csv or jsonl.")
    buffer = io.StringIO()
    ledger_export.write(db(), buffer, fmt)
    kind = "text/csv" if fmt == "csv" else "application/x-ndjson"
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return Response(
        buffer.getvalue(),
        content_type=f"{kind}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="pressgate-ledger-{stamp}.{fmt}"'},
    )
