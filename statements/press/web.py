"""The public press room: released statements, newest first, as HTML and Atom; nothing unreleased."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.sax.saxutils import escape as _escape

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session, aliased

from auth.models import Unit
from statements import authenticity
from statements.lifecycle import snapshots
from statements.lifecycle.models import Statement, StatementVersion, release_recorded
from statements.lifecycle.queries import holding_words
from statements.lifecycle.serialize import public_dict
from statements.lifecycle.snapshots import STATEMENT_COLUMNS, WITH_UNIT, StatementView
from statements.rumours.models import Rumour
from statements.web_session import count_limit, db, page_arg, paged
from workflow import figures
from workflow.db import count_of, isoformat
from workflow.errors import Invalid, NotFound
from workflow.ledger import checkpoints as checkpoint_files
from workflow.states import PUBLIC_STATES, State
from workflow.text import xml_text

bp = Blueprint("press", __name__, url_prefix="/press")
PUBLIC = [s.value for s in PUBLIC_STATES]
PER_PAGE = 20


def escape(text: str) -> str:
    """Escape text for the feed, showing what XML cannot hold (a control character) instead of breaking it."""
    return _escape(xml_text(text), {'"': "&quot;"})


def released_page(
    session: Session,
    page: int,
    per_page: int,
    q: str | None = None,
    *,
    count: bool = True,
    count_up_to: int | None = None,
) -> tuple[list[StatementView], int | None]:
    """Return one page of released (and retracted) statements, newest release first, holding every word of `q`.

    With the page, how many there are (the API's exact total), counted only up to `count_up_to` past the
    page when given (the public page: anyone may ask, so nobody makes it count 100,000), or not at all.
    """
    where = sa.and_(
        Statement.state.in_(PUBLIC),
        release_recorded(Statement.id, Statement.released_hash, Statement.released_version),
        *holding_words(q or ""),
    )
    total = session.scalar(count_of(sa.select(Statement.id).where(where), count_up_to)) if count else None
    rows = session.execute(
        sa.select(*STATEMENT_COLUMNS)
        .select_from(WITH_UNIT)
        .where(where)
        .order_by(Statement.released_at.desc(), Statement.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return snapshots.page_of(session, rows), total


def released_one(session: Session, statement_id: int) -> StatementView:
    """Return a released statement, or 404 for anything else (unreleased ones do not exist here)."""
    statement = snapshots.one(session, statement_id)
    if statement is None or statement.state not in PUBLIC or not statement.release_recorded:
        raise NotFound("statement", f"No released statement {statement_id}.")
    return statement


@bp.route("")
def index() -> str:
    """List released statements."""
    page = page_arg()
    q = (request.args.get("q") or "")[:200]
    limit = count_limit(page, PER_PAGE)
    items, total = released_page(db(), page, PER_PAGE, q, count_up_to=limit)
    return render_template(
        "press/index.html", items=[public_dict(s) for s in items], **paged(total or 0, page, PER_PAGE, limit), q=q
    )


@bp.route("/<int:statement_id>")
def show(statement_id: int) -> str:
    """Show one released statement."""
    shown = public_dict(released_one(db(), statement_id))
    corrected = snapshots.one(db(), shown["corrects"]) if shown["corrects"] else None
    return render_template(
        "press/show.html",
        s=shown,
        changes=figures.changes(shown["figures"]) if shown["figures"] else [],
        rebutted=rebuttals(db(), statement_id),
        corrects=public_dict(corrected) if corrected and _public(corrected) else None,
        corrected_by=[public_dict(c) for c in corrections_of(db(), statement_id)],
    )


def rebuttals(session: Session, statement_id: int) -> tuple[list[dict], list[dict]]:
    """Return the released answers to false items about a statement, and the statements a correction answers for.

    An item seen outside that distorts a statement is answered by a correction of the item, not of the
    statement: the press room says the false version was answered, whichever was linked first.
    """
    answer, about = aliased(Statement), aliased(Statement)
    released = [
        sa.and_(s.state == State.RELEASED.value, release_recorded(s.id, s.released_hash, s.released_version))
        for s in (answer, about)
    ]
    rows = session.execute(
        sa.select(Rumour.concerns_id, Rumour.correction_id, answer.released_at, about.released_at)
        .join(answer, answer.id == Rumour.correction_id)
        .join(about, about.id == Rumour.concerns_id)
        .where(sa.or_(Rumour.concerns_id == statement_id, Rumour.correction_id == statement_id), *released)
        .order_by(answer.released_at.desc())
        .limit(20)
    ).all()
    titles = dict(
        session.execute(
            sa.select(StatementVersion.statement_id, StatementVersion.title)
            .join(Statement, Statement.id == StatementVersion.statement_id)
            .where(
                StatementVersion.statement_id.in_({i for r in rows for i in r[:2]}),
                StatementVersion.number == Statement.released_version,
            )
        ).all()
    ) if rows else {}  # fmt: skip
    answered_by = [
        {"id": c, "title": titles.get(c), "at": at} for about_id, c, at, _ in rows if about_id == statement_id
    ]
    answers = [{"id": a, "title": titles.get(a), "at": at} for a, c, _, at in rows if c == statement_id]
    return answered_by, answers


def _public(statement: StatementView) -> bool:
    return statement.state in PUBLIC and bool(statement.release_recorded)


def corrections_of(session: Session, statement_id: int) -> list[StatementView]:
    """Return the released corrections of a statement, newest first (the press room shows them beside it)."""
    ids = session.scalars(
        sa.select(Statement.id)
        .where(
            Statement.corrects_id == statement_id,
            Statement.state.in_(PUBLIC),
            release_recorded(Statement.id, Statement.released_hash, Statement.released_version),
        )
        .order_by(Statement.released_at.desc())
        .limit(20)
    ).all()
    return [s for i in ids if (s := snapshots.one(session, i)) is not None]


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


def _cell(text: str) -> str:
    """Keep a text a text in a spreadsheet: one starting like a formula ("=HYPERLINK(…)") is written quoted."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
            writer.writerow([sid, unit, _cell(name), _cell(title), isoformat(released_at), _cell(block["subject"]),
                             block["period"]["start"], block["period"]["end"], _cell(block["area"]), m["measure"],
                             m["value"], "" if m["previous"] is None else m["previous"], _cell(m["source"]),
                             digest])  # fmt: skip
    # With its byte-order mark, a spreadsheet opens the Vietnamese letters as UTF-8.
    return Response(
        "\ufeff" + out.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="pressgate-figures.csv"'},
    )


@bp.route("/verify", methods=["GET", "POST"])
def verify_page() -> tuple[str, int] | str:
    """Tell anyone whether a pasted text or an uploaded copy is a statement the authority released."""
    if request.method == "GET":
        return render_template("press/verify.html", result=None, text="", errors={})
    text = request.form.get("text", "")
    try:
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            text = authenticity.text_of_upload(upload.filename, upload.read(authenticity.MAX_UPLOAD + 1))
        result = authenticity.verify(db(), text, contact(), _checkpoints())
    except Invalid as invalid:
        return render_template("press/verify.html", result=None, text=text, errors=invalid.errors), 422
    return render_template("press/verify.html", result=result, text=text, errors={})


@bp.route("/verify/<content_hash>")
def verify_link(content_hash: str) -> tuple[str, int] | str:
    """Answer the link printed on a released copy: the statement released with this content hash."""
    try:
        result = authenticity.verify_hash(db(), content_hash.lower(), contact(), _checkpoints())
    except Invalid:
        result = None  # not even a hash: most likely mistyped from the paper
    if result is None or result["verdict"] == "not_issued":
        # A link says nothing about the text: the reader is told to check what they typed, or paste the text.
        return render_template("press/verify.html", result=None, unknown_link=True, text="", errors={}), 404
    return render_template("press/verify.html", result=result, text="", errors={})


@bp.route("/v/<content_hash>")
def short_link(content_hash: str) -> Response:
    """Send the short link of a printed copy on to its verification page."""
    return redirect(url_for("press.verify_link", content_hash=content_hash))


#: Said to machines (and to whoever opens the address), so in English like every API error.
NO_CHECKPOINT = "No checkpoint of the ledger has been signed yet."


def contact() -> str:
    """Return whom the verification page tells people to call: the configured line, else the ministry's hotline."""
    return current_app.config["PRESS_CONTACT"] or _("the Ministry of Health's hotline 1900 9095")


def _checkpoints() -> Path:
    return Path(current_app.config["CHECKPOINT_DIR"])


@bp.route("/checkpoint")
def checkpoint() -> Response:
    """Publish the newest signed checkpoint of the ledger as a C2SP signed note (origin, size, Merkle root)."""
    latest = checkpoint_files.latest_checkpoint(_checkpoints())
    if latest is None:
        # A plain file has no language switch: it says so in both of the interface's languages.
        with force_locale("vi"):
            said = f"{_('No checkpoint of the ledger has been signed yet.')}\n{NO_CHECKPOINT}\n"
        return Response(said, status=404, content_type="text/plain; charset=utf-8")
    return Response(latest["note"], content_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-cache"})


@bp.route("/checkpoint.json")
def checkpoint_json() -> Response:
    """Publish the newest signed checkpoint as PressGate writes it (size, head hash, root, time, signature)."""
    latest = checkpoint_files.latest_checkpoint(_checkpoints())
    if latest is None:  # a machine reads this address: its refusal is JSON too
        error = NotFound("checkpoint", NO_CHECKPOINT)
        return Response(json.dumps(error.to_dict()), status=404, content_type="application/json")
    return Response(json.dumps(latest, indent=2), content_type="application/json")


@bp.route("/ledger-key.pem")
def ledger_key() -> Response:
    """Publish the public key checkpoints are signed with, for checking proofs offline."""
    config = current_app.config
    path = Path(config["LEDGER_PUBLIC_KEY"] or checkpoint_files.public_key_path(Path(config["LEDGER_KEY"])))
    if not path.is_file():
        raise NotFound("ledger_key", "No ledger signing key has been made yet.")
    return Response(path.read_bytes(), content_type="application/x-pem-file")
