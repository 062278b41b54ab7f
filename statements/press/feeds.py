"""The press room's machine-readable exports: the Atom feed (with figures as data) and the figures as CSV."""

from __future__ import annotations

import csv
import io
from xml.sax.saxutils import escape as _escape

import sqlalchemy as sa
from flask import Response, request, url_for

from auth.models import Unit
from statements.lifecycle.models import Statement, StatementVersion, release_recorded
from statements.lifecycle.serialize import public_dict
from statements.press.reads import released_page
from statements.press.web import bp
from statements.web_session import db
from workflow import figures
from workflow.db import isoformat
from workflow.states import State
from workflow.text import spreadsheet_text, xml_text


def escape(text: str) -> str:
    """Escape text for the feed, showing what XML cannot hold (a control character) instead of breaking it."""
    return _escape(xml_text(text), {'"': "&quot;"})


@bp.route("/feed.atom")
def feed() -> Response:
    """Return an Atom feed of the latest released statements."""
    items, _ = released_page(db(), 1, 50, count=False)
    entries = [public_dict(s) for s in items]
    updated = entries[0]["released_at"] if entries else "1970-01-01T00:00:00.000000Z"
    base = request.url_root.rstrip("/")
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:pg="{FIGURES_NS}">',
        "<title>PressGate — Thông tin báo chí đã phát hành</title>",
        f"<id>{escape(base)}/press</id>",
        f'<link rel="self" href="{escape(base + url_for("press.feed"))}"/>',
        f'<link href="{escape(base + url_for("press.index"))}"/>',
        f"<updated>{updated}</updated>",
    ]
    for e in entries:
        link = base + url_for("press.show", statement_id=e["id"])
        title = ("[ĐÃ THU HỒI] " if e["retracted"] else "") + e["title"]
        parts += [
            "<entry>",
            f"<title>{escape(title)}</title>",
            f"<id>{escape(link)}</id>",
            f'<link href="{escape(link)}"/>',
            f"<updated>{e['retraction']['at'] if e['retracted'] else e['released_at']}</updated>",
            f"<published>{e['released_at']}</published>",
            f"<author><name>{escape(e['unit_name'])}</name></author>",
            f'<content type="text">{escape(figures.with_figures(e["body"], e["figures"]))}</content>',
            *_figures_xml(e["figures"]),
            "</entry>",
        ]
    parts.append("</feed>")
    return Response("\n".join(parts), content_type="application/atom+xml; charset=utf-8")


#: The namespace of the figures an Atom entry carries as data (docs/figures.md).
FIGURES_NS = "urn:pressgate:figures:1"


def _figures_xml(block: dict | None) -> list[str]:
    """Return a statement's figures as elements a feed reader's program can read (none without figures)."""
    if not block:
        return []
    period = block["period"]
    lines = [
        f'<pg:figures subject="{escape(block["subject"])}" start="{period["start"]}" end="{period["end"]}"'
        f' area="{escape(block["area"])}">',
        *(
            f'<pg:measure name="{m["measure"]}" value="{m["value"]}"'
            + (f' previous="{m["previous"]}"' if m["previous"] is not None else "")
            + f' source="{escape(m["source"])}"/>'
            for m in block["measures"]
        ),
    ]
    if block.get("analysis"):
        lines.append(f"<pg:analysis>{escape(block['analysis'])}</pg:analysis>")
    return [*lines, "</pg:figures>"]


#: The columns of the figures CSV, one row a measure of a released statement.
FIGURES_COLUMNS = (
    "statement", "unit", "unit_name", "title", "released_at", "subject", "period_start", "period_end", "area",
    "measure", "value", "previous", "source", "content_hash",
)  # fmt: skip


@bp.route("/figures.csv")
def figures_csv() -> Response:
    """Return every released statement's figures, a row a measure, for the ministry (`?unit=` one unit's)."""
    where = [
        # Withdrawn figures are no longer the authority's word: the ministry must not add them up.
        Statement.state == State.RELEASED.value,
        release_recorded(Statement.id, Statement.released_hash, Statement.released_version),
        StatementVersion.figures.is_not(None),
    ]
    if code := request.args.get("unit"):
        where.append(Unit.code == code[:64])
    rows = db().execute(
        sa.select(
            Statement.id,
            Unit.code,
            Unit.name,
            StatementVersion.title,
            Statement.released_at,
            StatementVersion.figures,
            Statement.released_hash,
        )
        .join(Unit, Unit.id == Statement.unit_id)
        .join(
            StatementVersion,
            sa.and_(
                StatementVersion.statement_id == Statement.id, StatementVersion.number == Statement.released_version
            ),
        )
        .where(*where)
        .order_by(Statement.released_at, Statement.id)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIGURES_COLUMNS)
    for sid, unit, name, title, released_at, block, digest in rows:
        for m in block["measures"]:
            text = spreadsheet_text
            writer.writerow([sid, unit, text(name), text(title), isoformat(released_at), text(block["subject"]),
                             block["period"]["start"], block["period"]["end"], text(block["area"]), m["measure"],
                             m["value"], "" if m["previous"] is None else m["previous"], text(m["source"]),
                             digest])  # fmt: skip
    # With its byte-order mark, a spreadsheet opens the Vietnamese letters as UTF-8.
    return Response(
        "\ufeff" + out.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="pressgate-figures.csv"'},
    )
