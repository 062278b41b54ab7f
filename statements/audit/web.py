"""The auditor's pages: the ledger with filters, its verification, and exports (admins read them too)."""

from __future__ import annotations

import datetime as dt
import io

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from statements.audit import export as ledger_export
from statements.audit.replay import verify_all
from statements.lifecycle import queries
from statements.lifecycle.serialize import entry_dict
from statements.web import bp, web_actor
from statements.web.labels import ACTION_LABELS
from statements.web_session import count_limit, db, page_arg, paged
from workflow.db import MAX_ID, isoformat, utcnow
from workflow.errors import NotFound
from workflow.guards import require_read_ledger
from workflow.ledger.sealing import seal_before_reading

PER_PAGE = 50


def _date(value: str, end: bool = False) -> dt.datetime:
    """Read a yyyy-mm-dd date in Hanoi time; an end date includes its whole day (ValueError when not a date)."""
    return queries.local_day_start(dt.date.fromisoformat(value) + dt.timedelta(days=1 if end else 0))


def _filters(args) -> tuple[dict, dict[str, list[str]]]:
    """Read the page's filters; a bad one is an error to show beside its field, never silently dropped."""
    filters: dict = {"actor": (args.get("actor") or "").strip() or None, "reads": args.get("reads") == "1"}
    errors: dict[str, list[str]] = {}
    statement = (args.get("statement") or "").strip()
    if statement:
        if statement.isdigit() and 0 < int(statement) <= MAX_ID:
            filters["statement"] = int(statement)
        else:
            errors["statement"] = [_("A statement number is a whole number, such as 42.")]
    action = args.get("action") or None
    if action is not None and action not in ACTION_LABELS:
        errors["action"] = [_("Choose an action from the list.")]
    filters["action"] = action
    if action in ("read", "export"):  # asking for reads shows them
        filters["reads"] = True
    for name, end in (("since", False), ("until", True)):
        value = (args.get(name) or "").strip()
        if value:
            try:
                filters[name] = _date(value, end)
            except (ValueError, OverflowError):
                errors[name] = [_("Not a date: give it as day, month and year (the date picker does).")]
    if filters.get("since") and filters.get("until") and filters["since"] >= filters["until"]:
        errors["until"] = [_("The end date comes before the start date.")]
    return filters, errors


@bp.route("/audit/ledger")
@login_required
def audit_ledger():
    """Browse the ledger, filtered by statement, person, action and dates; decisions first, reads on request."""
    require_read_ledger(web_actor())
    filters, errors = _filters(request.args)
    page = page_arg()
    waiting = seal_before_reading(db())
    limit = count_limit(page, PER_PAGE)
    items, total = ([], 0) if errors else queries.ledger_page(db(), filters, page, PER_PAGE, count_up_to=limit)
    return render_template(
        "web/ledger.html",
        items=[entry_dict(e) for e in items],
        **paged(total, page, PER_PAGE, limit),
        waiting=waiting,
        args=request.args,
        # The export takes the filters, not the page: it is every entry they select.
        export_args={name: value for name, value in request.args.items() if name != "page"},
        errors=errors,
    ), (422 if errors else 200)


@bp.route("/audit/verify")
@login_required
def audit_verify():
    """Recompute the whole chain and show the result (and the first bad entry, if any)."""
    require_read_ledger(web_actor())
    result = verify_all(db())
    bad = None
    if not result["ok"] and result.get("first_bad_seq"):
        rows, _total = queries.ledger_page(db(), {}, result["first_bad_seq"], 1)
        bad = entry_dict(rows[0]) if rows else None
    return render_template("web/verify.html", result=result, bad=bad, at=isoformat(utcnow()))


@bp.route("/audit/export.<fmt>")
@login_required
def audit_export(fmt: str):
    """Download the ledger as CSV or JSON Lines, with the page's filters (none: the whole ledger)."""
    require_read_ledger(web_actor())
    if fmt not in ("csv", "jsonl"):
        raise NotFound("format", "Export as csv or jsonl.")
    filters, errors = _filters(request.args)
    if errors:  # the ledger page says what is wrong with the filters, beside each one
        return redirect(url_for("web.audit_ledger", **request.args))
    if not request.args:  # the export link without filters: every entry, reads included
        filters["reads"] = True
    buffer = io.StringIO()
    ledger_export.write(db(), buffer, fmt, filters, translate=_)
    kind = "text/csv" if fmt == "csv" else "application/x-ndjson"
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return Response(
        buffer.getvalue(),
        content_type=f"{kind}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="pressgate-ledger-{stamp}.{fmt}"'},
    )
