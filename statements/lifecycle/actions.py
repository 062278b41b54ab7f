"""The statement page and its decisions: one reason field, irreversible actions confirmed first."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from auth.acting import waiting_for
from statements.i18n import from_local_input
from statements.lifecycle import figures, queries, reads, service
from statements.lifecycle.serialize import entry_dict, privacy_findings, statement_dict, version_dict
from statements.lifecycle.snapshots import StatementView
from statements.web import bp, web_actor
from statements.web.labels import ACTION_LABELS, CONSEQUENCES, ROLE_LABELS
from statements.web.messages import refusal_message
from statements.web_session import db, rollback_session
from workflow.actor import Actor
from workflow.errors import Conflict, Invalid
from workflow.guards import can_read_internals, can_revise, can_see_variants
from workflow.machine import ACTIONS
from workflow.states import Channel, State

#: Actions that cannot be undone: each asks for confirmation first, and looks unlike the safe ones.
IRREVERSIBLE = ("release", "emergency_release", "reject", "withdraw", "retract")


def _timeline(s: StatementView, actor: Actor) -> tuple[list[dict], dict[str, str]]:
    """Return the decisions on the statement and the full names of who made them (none if internal to the unit)."""
    if not can_read_internals(s, actor):  # the decisions are internal to the unit
        return [], {}
    # The page's timeline names decisions, not their place in the chain: no need to wait for sealing.
    entries, names = queries.timeline(db(), s, actor)
    return [entry_dict(e) for e in entries], names


def _render(statement_id: int, actor: Actor, *, errors: dict | None = None, values: dict | None = None, status=200):
    """Render the statement page; a refused decision comes back with its error and what was typed."""
    s = reads.show(db(), statement_id, actor, "web_statement")
    versions = queries.readable_versions(s, actor)
    shown = statement_dict(s, actor)
    timeline, names = _timeline(s, actor)
    allowed = shown["allowed_actions"]
    escalation = next((e for e in reversed(timeline) if e["action"] == "escalate"), None)
    basis_missing = s.state == State.APPROVED and shown["privacy"]["release_blocked"]
    return render_template(
        "web/statement.html",
        s=shown,
        versions=[version_dict(v) for v in versions],
        timeline=timeline,
        safe_actions=[a for a in allowed if a not in IRREVERSIBLE],
        final_actions=[a for a in allowed if a in IRREVERSIBLE],
        reason_required_for=[a for a in allowed if ACTIONS[a].comment_required],
        escalation=escalation if s.state == State.ESCALATED else None,
        # The spokesperson is told why Approve is missing rather than left to wonder.
        sensitive_needs_leader=(s.state == State.IN_REVIEW and s.sensitive and actor.speaks_for(s.unit_id)),
        waiting=_waiting(s, basis_missing),
        waiting_for_basis=basis_missing,
        people=names,
        channels=list(Channel),
        can_edit=can_revise(s, actor),
        can_see_variants=can_see_variants(s, actor),
        privacy=privacy_findings(s) if shown["privacy"]["identifies_people"] else None,
        # Checked against the last release only when there are figures: a query a statement without them spares.
        figures=figures.review(db(), s) if shown["figures"] else None,
        errors=errors or {},
        values=values or {},
    ), status


def _waiting(s: StatementView, basis_missing: bool = False) -> list[tuple[str, str]]:
    """Return who must act next, so nobody wonders whose turn it is (nobody while a release is scheduled)."""
    if s.release_at is not None:
        return []
    # An approved text naming people waits for a leader's legal basis before the spokesperson can release.
    state = State.ESCALATED.value if basis_missing else s.state
    return waiting_for(db(), state, s.unit_id, s.author_id, s.writer_ids | {s.escalated_by_id})


@bp.route("/statements/<int:statement_id>")
@login_required
def statement(statement_id: int):
    """Show the statement: text, state, sensitivity, the actions the person may take, versions, decisions."""
    return _render(statement_id, web_actor())


def _form_problems(
    action: str, comment: str, channels: list[str] | None, release_at: dt.datetime | None
) -> dict[str, list[str]]:
    """Return what the form lacks for this action (the service refuses the same, this says it on the page)."""
    problems: dict[str, list[str]] = {}
    spec = ACTIONS.get(action)
    if spec is not None and spec.comment_required and not comment.strip():
        problems["comment"] = [_("Give the reason for “%(action)s”.", action=ACTION_LABELS[action])]
    if action in service.RELEASING and not channels:
        problems["channels"] = [_("Choose at least one channel to release through.")]
    if action == "schedule_release" and release_at is None:
        problems["release_at"] = [_("Give the date and time of the release.")]
    return problems


@bp.route("/statements/<int:statement_id>/act", methods=["POST"])
@login_required
def act(statement_id: int):
    """Take an action from the page: confirm an irreversible one first; a refused one explains itself."""
    actor = web_actor()
    form = request.form
    action = form.get("action", "")
    try:
        version = int(form.get("version", ""))
    except ValueError:
        version = None
    comment = form.get("comment") or ""
    channels = form.getlist("channels") if action in service.RELEASING else None
    release_at = from_local_input(form.get("release_at", "")) if action == "schedule_release" else None
    values = {
        "action": action,
        "comment": comment,
        "channels": channels or [],
        "release_at": form.get("release_at", ""),
    }
    s = queries.read_statement(db(), statement_id, actor)  # to check the form against, not shown
    allowed = action in statement_dict(s, actor)["allowed_actions"] and version == s.current_version
    if allowed and (problems := _form_problems(action, comment, channels, release_at)):
        return _render(statement_id, actor, errors=problems, values=values, status=422)
    if allowed and action in IRREVERSIBLE and form.get("confirmed") != "1":
        return _confirm(statement_id, actor, action, values)
    try:
        given = {
            "action": action,
            "version": version,
            "comment": comment or None,
            "channels": channels,
            "release_at": release_at.isoformat() if release_at else None,
        }
        service.decide_input(db(), statement_id, actor, given)
    except Conflict as conflict:
        rollback_session()
        s = reads.show(db(), statement_id, actor, "web_conflict")
        return render_template(
            "web/conflict.html",
            s=statement_dict(s, actor),
            action=action,
            rule=conflict.rule,
            read_version=version,
            # What the statement itself stands in the way with (a privacy basis, a schedule), said as it is.
            message=refusal_message(conflict.rule, conflict.message),
        ), 409
    except Invalid as invalid:
        if not invalid.errors:
            raise
        rollback_session()
        return _render(statement_id, actor, errors=invalid.errors, values=values, status=invalid.status)
    flash(_("Done: %(action)s.", action=ACTION_LABELS.get(action, action)), "info")
    if action == "submit":
        s = queries.read_statement(db(), statement_id, actor)  # for whom it waits: names, not its text
        who = ", ".join(f"{name} ({ROLE_LABELS[role]})" for name, role in _waiting(s))
        flash(_("It now waits for %(who)s.", who=who), "info")
    return redirect(url_for("web.statement", statement_id=statement_id))


def _confirm(statement_id: int, actor: Actor, action: str, values: dict):
    """Ask before an irreversible action; a release shows the public page it will make."""
    s = reads.show(db(), statement_id, actor, f"web_confirm_{action}")
    return render_template(
        "web/confirm.html",
        s=statement_dict(s, actor),
        action=action,
        values=values,
        consequences={k: str(v) for k, v in CONSEQUENCES.items()},
    )


@bp.app_template_filter("action_label")
def action_label(action: str) -> str:
    """Return an action's name in the person's language."""
    return str(ACTION_LABELS.get(action, action))
