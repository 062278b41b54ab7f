"""The lifecycle's pages: inbox, list, editor and diff (the statement page and its decisions: actions.py)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import asdict
from functools import lru_cache

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from auth.models import Unit, User
from statements.i18n import day_text
from statements.lifecycle import idempotency, queries, reads, service
from statements.lifecycle.figures_web import figures_from_form
from statements.lifecycle.schemas import StatementIn, StatementListArgs, VersionIn
from statements.lifecycle.serialize import diff_dict, privacy_findings, statement_dict, version_dict, word_diff
from statements.schemas import load_input
from statements.web import bp, web_actor
from statements.web.labels import (
    ACTION_LABELS,
    ASSESSMENT_LABELS,
    BASIS_LABELS,
    CHANNEL_LABELS,
    DETECTOR_LABELS,
    EMERGENCY_OUTCOME_LABELS,
    EVENT_LABELS,
    EVIDENCE_LABELS,
    FINDING_LABELS,
    GROUND_LABELS,
    KIND_LABELS,
    MEASURE_LABELS,
    NARROWING_LABELS,
    OUTCOME_LABELS,
    PRESS_STATUS_LABELS,
    REASON_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
    URGENCY_LABELS,
)
from statements.web.messages import refusal_message
from statements.web_session import count_limit, db, page_arg, paged, rollback_session
from workflow.actor import Actor
from workflow.errors import Invalid, Refusal
from workflow.guards import require_draft_in, require_revise

PER_PAGE = 25


_LAZY_LABELS = {
    "states": STATE_LABELS,
    "actions": ACTION_LABELS,
    "kinds": KIND_LABELS,
    "urgencies": URGENCY_LABELS,
    "channels": CHANNEL_LABELS,
    "roles": ROLE_LABELS,
    "outcomes": OUTCOME_LABELS,
    "evidence": EVIDENCE_LABELS,
    "narrowing": NARROWING_LABELS,
    "reasons": REASON_LABELS,
    "detectors": DETECTOR_LABELS,
    "findings": FINDING_LABELS,
    "bases": BASIS_LABELS,
    "emergency_outcomes": EMERGENCY_OUTCOME_LABELS,
    "grounds": GROUND_LABELS,
    "press_statuses": PRESS_STATUS_LABELS,
    "assessments": ASSESSMENT_LABELS,
    "measures": MEASURE_LABELS,
}


@lru_cache(maxsize=8)
def _labels(locale: str) -> dict[str, dict[str, str]]:
    # Translated once per language, not at every row of every page (a list shows the same few a hundred times).
    return {name: {key: str(label) for key, label in lazy.items()} for name, lazy in _LAZY_LABELS.items()}


@bp.app_context_processor
def _labels_for_pages() -> dict:
    return {"labels": _labels(str(get_locale()))}


@bp.route("/inbox")
@login_required
def inbox():
    """List what awaits the signed-in person, oldest first."""
    actor = web_actor()
    items, total = reads.listing(db(), actor, queries.AWAITING_ME, page=1, per_page=100, how="web_inbox")
    return render_template("web/inbox.html", items=[statement_dict(s, actor) for s in items], total=total)


#: The list's filters as the API reads them: the same values accepted, the same refusal for the rest (the
#: page is read as every page reads it, `page_arg`).
_LIST_ARGS = StatementListArgs()
_FILTERS = frozenset(_LIST_ARGS.fields) - {"page", "per_page"}


@bp.route("/statements")
@login_required
def statements():
    """All the statements the person may see, filtered and searched."""
    actor = web_actor()
    # A form sends its empty fields as empty values: they narrow nothing, as if left out.
    given = {name: value for name, value in request.args.items() if value != "" and name in _FILTERS}
    try:
        loaded = load_input(_LIST_ARGS, given)
    except Invalid as refusal:  # the list, empty, with what is wrong said above it: the form stays at hand
        empty = paged(0, 1, PER_PAGE, PER_PAGE)
        page = render_template(
            "web/list.html", items=[], **empty, filters=asdict(queries.NO_FILTERS), errors=refusal.errors, narrowed=[]
        )
        return page, refusal.status
    filters = asdict(queries.Filters(**{name: loaded[name] for name in loaded.keys() & _FILTERS}))
    # Whoever is late on a step is late on an overdue one: the form's box says so.
    filters["overdue"] = filters["overdue"] or bool(filters["late"])
    page = page_arg()
    limit = count_limit(page, PER_PAGE)
    # A search finds statements by their body, so what it shows is read like the text (disclosure tracing
    # weighs a plain list's titles as titles only).
    how = "web_search" if filters["q"] else "web_list"
    items, total = reads.listing(
        db(), actor, queries.Filters(**filters), page=page, per_page=PER_PAGE, how=how, count_up_to=limit
    )
    return render_template(
        "web/list.html",
        items=[statement_dict(s, actor) for s in items],
        **paged(total, page, PER_PAGE, limit),
        filters=filters,
        narrowed=_narrowed(filters),
        units=sorted({u for u, r in actor.memberships}),
    )


def _narrowed(filters: dict) -> list[str]:
    """Say in words what a list opened from the dashboard is narrowed to (the form has no field for it)."""
    said = []
    if filters["late"]:
        name = db().scalar(sa.select(User.full_name).where(User.username == filters["late"]))
        said.append(_("overdue, waiting on %(name)s", name=name or filters["late"]))
    if filters.get("event"):
        event = str(EVENT_LABELS[filters["event"]])
        since, until = filters["since"], filters["until"]
        if since and until:
            period = {"since": day_text(since), "until": day_text(until)}
            said.append(_("%(event)s from %(since)s to %(until)s", event=event, **period))
        elif since:
            said.append(_("%(event)s since %(since)s", event=event, since=day_text(since)))
        elif until:
            said.append(_("%(event)s until %(until)s", event=event, until=day_text(until)))
        else:
            said.append(event)
    if filters["scheduled"] is not None:
        said.append(_("release scheduled") if filters["scheduled"] else _("no release scheduled"))
    if filters["review_pending"]:
        said.append(_("emergency release awaiting its review"))
    if filters["led"]:
        said.append(_("in the units you lead"))
    return said


def content_from_form() -> dict:
    """Return the editor's fields as the API takes them (topics a list, the flag a boolean), not yet checked."""
    form = request.form
    topics = [t.strip() for t in (form.get("topics") or "").split(",") if t.strip()]
    content = {
        "title": form.get("title", ""),
        "body": form.get("body", ""),
        "kind": form.get("kind"),
        "urgency": form.get("urgency"),
        "topics": topics,
        "sensitive": form.get("sensitive") == "1",
        "figures": figures_from_form(form) if "figures_area" in form else None,
    }
    return {name: value for name, value in content.items() if value is not None}  # left out: the schema's default


def save_or_show_editor(change: Callable[[], object], **editor) -> tuple[object, tuple | None]:
    """Run a content change; if refused, undo it and give back the editor with what was typed and why."""
    try:
        result = change()
    except Refusal as refusal:
        rollback_session()
        if refusal.status == 404:
            raise
        # Invalid fields are marked beside them; any other refusal (the statement was approved meanwhile,
        # a role was taken away) is said above the form, and the text typed is never lost.
        refused = None if refusal.status == 422 else refusal_message(refusal.rule, refusal.message)
        if refusal.rule == "idempotency_key_reused":  # the form saved before, then changed: offer a fresh one
            refused, editor = refusal_message(refusal.rule, refusal.message), editor | {"form_token": new_token()}
        page = render_template("web/editor.html", errors=refusal.errors or {}, refused=refused, **editor)
        return None, (page, refusal.status)
    return result, None


@bp.route("/statements/new", methods=["GET", "POST"])
@login_required
def new_statement():
    """Write a new statement (drafters)."""
    actor = web_actor()
    units = drafter_units(actor)
    if request.method == "POST":
        fields, unit = content_from_form(), request.form.get("unit", "")
        # The form's one-time token: sent twice (back and save again, a double click), it creates once.
        token = request.form.get("form_token") or None
        key = f"web:{token}" if token else None

        def create() -> tuple[object, bool]:
            checked = load_input(StatementIn(), fields | {"unit": unit})  # the API's contract, and its refusals
            return idempotency.create_once(db(), actor, checked.pop("unit"), checked, key)

        made, editor = save_or_show_editor(
            create,
            units=units,
            values=fields | {"unit": unit},
            statement=None,
            form_token=token,
        )
        if editor:
            return editor
        statement, replayed = made
        if replayed:
            flash(_("This statement was already saved (the form was sent twice); here it is."), "info")
        else:
            flash(_("Statement created as a draft."), "info")
        return redirect(url_for("web.statement", statement_id=statement.id))
    return render_template(
        "web/editor.html",
        units=units,
        values={"kind": "regular", "urgency": "normal"},
        errors={},
        statement=None,
        form_token=new_token(),
    )


def write_linked(
    actor: Actor,
    unit_id: int,
    fixed: dict[str, object],
    suggested: dict[str, object],
    link: Callable[[int], object],
    saved: str,
    **context: object,
):
    """Write a new statement of the unit with `fixed` fields, linked by `link` as soon as it is saved.

    The answer to a question from the press, the correction of a rumour: `fixed` sets its kind (and what
    it corrects), the editor opens with `suggested` values, and `context` is what it shows of what the
    statement answers.
    """
    require_draft_in(actor, unit_id)
    unit_code = db().scalar(sa.select(Unit.code).where(Unit.id == unit_id))
    if request.method == "GET":
        values = {"unit": unit_code, **fixed, **suggested}
        return render_template(
            "web/editor.html",
            units=drafter_units(actor),
            values=values,
            errors={},
            statement=None,
            form_token=new_token(),
            **context,
        )
    fields, token = content_from_form(), request.form.get("form_token") or None

    def create() -> tuple[object, bool]:
        checked = load_input(StatementIn(), fields | fixed | {"unit": unit_code})
        made = idempotency.create_once(db(), actor, checked.pop("unit"), checked, f"web:{token}" if token else None)
        if not made[1]:  # a form sent twice links once
            link(made[0].id)
        return made

    made, editor = save_or_show_editor(
        create,
        units=drafter_units(actor),
        values=fields | {"unit": unit_code},
        statement=None,
        form_token=token,
        **context,
    )
    if editor:
        return editor
    flash(saved, "info")
    return redirect(url_for("web.statement", statement_id=made[0].id))


def new_token() -> str:
    """Return a form's one-time token: the same form sent twice creates once."""
    return secrets.token_urlsafe(18)


def drafter_units(actor: Actor) -> list[tuple[str, str]]:
    """Return the units the actor drafts in: (code, name)."""
    ids = [u for u, r in actor.memberships if r == "drafter"]
    rows = db().query(Unit.code, Unit.name).filter(Unit.id.in_(ids)).order_by(Unit.code).all() if ids else []
    return [(code, name) for code, name in rows]


@bp.route("/rules")
@login_required
def my_rules():
    """Go to the sensitivity rules of the unit one leads, else of the unit one drafts or speaks for."""
    actor = web_actor()
    own = sorted((r != "leader", u) for u, r in actor.memberships if r in ("leader", "spokesperson", "drafter"))
    if not own:
        abort(404)
    return redirect(url_for("web.unit_rules", code=db().scalar(sa.select(Unit.code).where(Unit.id == own[0][1]))))


@bp.route("/statements/<int:statement_id>/edit", methods=["GET", "POST"])
@login_required
def edit(statement_id: int):
    """Write the next version (drafters, while the statement is a draft or returned for changes)."""
    actor = web_actor()
    if request.method == "GET":
        statement = reads.show(db(), statement_id, actor, "web_edit")
        # The form opens only for whom saving it is allowed; refused, the read's record is rolled back with it.
        require_revise(statement, actor)
    else:
        statement = queries.read_statement(db(), statement_id, actor)
    current = version_dict(statement.current)
    if request.method == "POST":
        fields = content_from_form()
        try:
            version = int(request.form.get("version", "0"))
        except ValueError:
            version = 0
        _saved, editor = save_or_show_editor(
            lambda: service.add_version(db(), statement_id, actor, load_input(VersionIn(), fields), version=version),
            units=[],
            values=fields,
            statement=statement_dict(statement, actor),
        )
        if editor:
            return editor
        flash(_("New version saved."), "info")
        return redirect(url_for("web.statement", statement_id=statement_id))
    values = current | {"topics": ", ".join(current["topics"])}
    redaction = None
    if request.args.get("redact"):
        # The customary redaction, for the drafter to check and save as the next version (issue 30).
        redacted = privacy_findings(statement)["redacted"]
        values |= redacted
        if redacted != {"title": current["title"], "body": current["body"]}:
            redaction = {part: word_diff(current[part], redacted[part]) for part in ("title", "body")}
    return render_template(
        "web/editor.html",
        units=[],
        values=values,
        errors={},
        statement=statement_dict(statement, actor),
        redaction=redaction,
    )


@bp.route("/statements/sensitivity-preview", methods=["POST"])
@login_required
def sensitivity_preview():
    """Say which of the unit's rules the draft being typed matches (for the editor's script)."""
    fields = content_from_form()
    reasons = service.preview_sensitivity(
        db(), web_actor(), request.form.get("unit", ""), fields["title"], fields["body"], fields["topics"]
    )
    return {"items": reasons, "total": len(reasons)}


@bp.route("/statements/<int:statement_id>/compare")
@login_required
def compare(statement_id: int):
    """Compare the two versions chosen on the statement page."""
    try:
        a, b = int(request.args.get("a", "")), int(request.args.get("b", ""))
    except ValueError:
        return redirect(url_for("web.statement", statement_id=statement_id))
    return redirect(url_for("web.diff", statement_id=statement_id, a=a, b=b))


@bp.route("/statements/<int:statement_id>/versions/<int:a>/diff/<int:b>")
@login_required
def diff(statement_id: int, a: int, b: int):
    """Compare two versions word by word."""
    actor = web_actor()
    s, old, new = reads.diff(db(), statement_id, a, b, actor, "web_diff")
    d = diff_dict(old, new)
    return render_template("web/diff.html", s=statement_dict(s, actor), d=d)
