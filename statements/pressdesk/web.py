"""The press desk in the browser: the register of questions, one question with its answer or refusal, time limits."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from auth.models import Unit, User
from auth.service import full_names, members
from statements.i18n import from_local_input, local_input_now, local_time
from statements.lifecycle.models import Statement
from statements.lifecycle.web import write_linked
from statements.pressdesk import policy as time_limits
from statements.pressdesk import service
from statements.pressdesk.models import GROUNDS, PressRequest
from statements.pressdesk.notice import refusal_notice as refusal_notice_of
from statements.pressdesk.schemas import AnswerIn, AssignIn, PressPolicyIn, PressRequestIn, RefusalIn
from statements.pressdesk.serialize import request_dicts
from statements.schemas import load_input
from statements.web import bp, form_number, run_step, web_actor
from statements.web_session import db, page_arg, page_count, rollback_session
from workflow.actor import Actor
from workflow.db import utcnow
from workflow.errors import Invalid
from workflow.guards import (
    DESK_ROLES,
    can_draft_in,
    can_edit_deadlines,
    can_handle_press,
    can_refuse_press,
    require_handle_press,
    units_allowed,
)
from workflow.states import Kind, State

PER_PAGE = 25


@bp.app_context_processor
def _press_questions() -> dict:
    # A function, not a list: only the inbox asks, so other pages run no query for it.
    return {
        "press_waiting": lambda: service.waiting(db(), web_actor()),
        "question_answered_by": lambda statement_id: service.answered_by(db(), web_actor(), statement_id),
    }


@bp.route("/press-requests", methods=["GET", "POST"])
@login_required
def press_requests():
    """List the questions from the press the person may read; register a new one."""
    actor = web_actor()
    if request.method == "GET":
        return _register_page(actor, {"received_at": local_input_now(), "unit": ""}, {})
    form = request.form
    values = {name: form.get(name, "") for name in ("unit", "outlet", "journalist", "contact", "question")}
    values |= {"received_at": form.get("received_at", ""), "urgent": bool(form.get("urgent"))}
    received = from_local_input(values["received_at"])
    if received is None:
        return _register_page(actor, values, {"received_at": [_("Give the date and time it was received.")]}, 422)
    try:
        checked = load_input(PressRequestIn(), values | {"received_at": received.isoformat()})
        unit = checked.pop("unit")
        made = service.register(db(), actor, unit, **checked)
    except Invalid as refusal:
        rollback_session()
        return _register_page(actor, values, refusal.errors or {}, 422)
    flash(_("Question registered; it is due %(when)s.", when=local_time(made.due_at)), "info")
    return redirect(url_for("web.press_request", request_id=made.id))


def _register_page(actor: Actor, values: dict, errors: dict, status: int = 200, *, policy: dict | None = None):
    """Render the register; `policy` is a refused time-limits form: its unit, what was typed and what was wrong."""
    status_filter = request.args.get("status") or None
    page = page_arg()
    try:
        items, total = service.listed(db(), actor, status_filter, page, PER_PAGE)
    except Invalid as refusal:
        items, total, errors = [], 0, errors | (refusal.errors or {})
        status = refusal.status
    units = _handled_units(actor)
    days = time_limits.days_by_unit(db(), [unit_id for unit_id, _code, _name in units])
    policies = {code: days[unit_id] for unit_id, code, _name in units}
    return render_template(
        "pressdesk/index.html",
        items=request_dicts(db(), items),
        total=total,
        page=page,
        pages=page_count(total, PER_PAGE),
        status=status_filter,
        statuses=service.STATUSES,
        units=units,
        policies=policies,
        editable={code for unit_id, code, _name in units if can_edit_deadlines(actor, unit_id)},
        values=values,
        errors=errors,
        policy=policy or {"unit": None, "typed": {}, "errors": {}},
    ), status


@bp.app_template_filter("days_late")
def days_late(due_at: str) -> int:
    """Return how many whole days have passed since a time (ISO), so a list says how late, not only that it is."""
    return max(0, (utcnow() - dt.datetime.fromisoformat(due_at)).days)


@bp.route("/press-requests/<int:request_id>", methods=["GET", "POST"])
@login_required
def press_request(request_id: int):
    """Show a question; assign it, link its answer or refuse it."""
    actor = web_actor()
    errors: dict = {}
    refused, status = None, 200
    if request.method == "POST":

        def assign(form: MultiDict[str, str]) -> str:
            checked = load_input(AssignIn(), {"assignee": form.get("assignee", "")})
            service.assign(db(), actor, request_id, checked["assignee"])
            return _("Question assigned.")

        def answer(form: MultiDict[str, str]) -> str:
            checked = load_input(AnswerIn(), {"statement": form_number(form.get("statement"))})
            service.link_answer(db(), actor, request_id, checked["statement"])
            return _("Answer linked: the question is answered once the statement is released.")

        def refuse(form: MultiDict[str, str]) -> str:
            # A refusal cannot be undone: the page asks for it to be meant, as the statement's final actions do.
            if form.get("confirm") != "1":
                raise Invalid("confirm", "Confirm the refusal.", errors={"confirm": ["Confirm the refusal."]})
            checked = load_input(RefusalIn(), {"ground": form.get("ground", ""), "reason": form.get("reason", "")})
            service.refuse(db(), actor, request_id, checked["ground"], checked["reason"])
            return _("Question refused; the refusal is on the ledger.")

        taken = run_step(
            {"assign": assign, "answer": answer, "refuse": refuse},
            url_for("web.press_request", request_id=request_id),
        )
        if isinstance(taken, Response):
            return taken
        errors, status, refused = taken
    found = service.get(db(), actor, request_id)
    shown = request_dicts(db(), [found])[0]
    return render_template(
        "pressdesk/show.html",
        r=shown,
        open=found.status == "open" and shown["status"] != "answered",
        may_handle=can_handle_press(actor, found.unit_id),
        may_draft=can_draft_in(actor, found.unit_id),
        may_refuse=can_refuse_press(actor, found.unit_id),
        people=members(db(), found.unit_id, DESK_ROLES),
        names=full_names(db(), [shown["assigned_to"], (shown["refusal"] or {}).get("by")]),
        answers=_answer_choices(found),
        grounds=GROUNDS,
        # models.GROUNDS_SOURCE (the API's, in English), in the reader's language.
        grounds_source=_("Press Law 2016 (Luật Báo chí), Art. 38"),
        errors=errors,
        refused=refused,
        form=request.form,
    ), status


@bp.route("/press-requests/<int:request_id>/refusal-notice")
@login_required
def refusal_notice(request_id: int) -> str:
    """Show the refusal's written notice for the journalist, to print: in Vietnamese, as the document is."""
    notice = refusal_notice_of(db(), web_actor(), request_id)
    with force_locale("vi"):
        return render_template("pressdesk/refusal_notice.html", n=notice)


@bp.route("/press-requests/<int:request_id>/answer/new", methods=["GET", "POST"])
@login_required
def write_answer(request_id: int):
    """Write the interview statement that answers a question; saved, it is linked to the question at once."""
    actor = web_actor()
    asked = service.get(db(), actor, request_id)
    service.require_no_answer(db(), asked)  # before the drafter writes an answer that could not be linked
    return write_linked(
        actor,
        asked.unit_id,
        {"kind": Kind.INTERVIEW.value},
        {"urgency": "urgent" if asked.urgent else "normal", "title": f"Trả lời {asked.outlet}"},
        lambda statement_id: service.link_answer(db(), actor, request_id, statement_id),
        _("Answer saved as a draft and linked to the question."),
        asked=asked,
    )


@bp.route("/press-requests/policy/<code>", methods=["POST"])
@login_required
def press_policy(code: str):
    """Set a unit's time limits for answering the press (its leaders and admins)."""
    actor = web_actor()
    form = request.form
    try:
        given = {name: form_number(form.get(name)) for name in ("normal_days", "urgent_days")}
        checked = load_input(PressPolicyIn(), given)
        time_limits.update_policy(db(), actor, code, checked["normal_days"], checked["urgent_days"])
    except Invalid as refusal:
        rollback_session()
        typed = {name: form.get(name, "") for name in ("normal_days", "urgent_days")}
        refused = {"unit": code, "typed": typed, "errors": refusal.errors or {}}
        return _register_page(actor, {"received_at": local_input_now(), "unit": ""}, {}, 422, policy=refused)
    flash(_("Time limits saved; they apply to questions registered from now on."), "info")
    return redirect(url_for("web.press_requests"))


def _handled_units(actor: Actor) -> list[tuple[int, str, str]]:
    """Return the units whose press questions the actor may register: (id, code, name)."""
    units = units_allowed(require_handle_press, actor)
    rows = db().execute(sa.select(Unit.id, Unit.code, Unit.name).where(Unit.id.in_(units)).order_by(Unit.code))
    return [(row.id, row.code, row.name) for row in rows]


def _answer_choices(found: PressRequest) -> list[tuple[int, str, dt.datetime]]:
    """Return the unit's interview statements that could answer the question: (id, author, created).

    Named by number, author and date, not by title: a title of unreleased content shown is a read to log.
    """
    taken = sa.select(PressRequest.answer_id).where(PressRequest.answer_id.is_not(None), PressRequest.id != found.id)
    rows = db().execute(
        sa.select(Statement.id, User.full_name, Statement.created_at)
        .join(User, User.id == Statement.author_id)
        .where(
            Statement.unit_id == found.unit_id,
            Statement.kind == Kind.INTERVIEW.value,
            Statement.state.not_in([State.REJECTED.value, State.WITHDRAWN.value]),
            Statement.id.not_in(taken),
        )
        .order_by(Statement.id.desc())
        .limit(50)
    )
    return [(row.id, row.full_name, row.created_at) for row in rows]
