"""The web interface's shell: the one blueprint every feature's pages join, and who is signed in.

Each feature registers its pages on `bp` (statements/app.py imports them before registering it):
the same service functions and guards as the API, in the person's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Blueprint, flash, redirect, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from statements.web.fields import field_message
from statements.web.messages import refusal_message
from statements.web_session import rollback_session
from workflow.actor import Actor
from workflow.errors import Invalid, Refusal

bp = Blueprint("web", __name__)


def web_actor() -> Actor:
    """Return the signed-in person as the guards see them (resolved with their session, as a token is)."""
    return current_user.grant.actor


@bp.app_template_filter("field_error")
def field_error(message: str) -> str:
    """Return a service's field message in the person's language."""
    return field_message(message)


def refused_form(refusal: Refusal) -> tuple[dict, int, str | None]:
    """Undo a refused form's change; return its field errors, its status and what to say above the form.

    A form comes back as typed, whatever refused it. A 404 is raised again: the page has nothing to show.
    """
    rollback_session()
    if refusal.status == 404:
        raise refusal
    errors = refusal.errors or {}
    return errors, refusal.status, None if errors else refusal_message(refusal.rule, refusal.message)


#: One step a page's forms may take: given the form, it acts and returns what to tell the person.
Step = Callable[[MultiDict[str, str]], str]


def run_step(steps: Mapping[str, Step], done: str) -> Response | tuple[dict, int, str | None]:
    """Take the step the posted form names (its `do` field): redirect to `done` once taken, else say why not.

    Returns the redirect, or what `refused_form` returns for the page to show the form again.
    """
    step = steps.get(request.form.get("do", ""))
    try:
        if step is None:
            raise Invalid("do", "Unknown step.", errors={"do": ["Unknown step."]})
        flash(step(request.form), "info")
    except Refusal as refusal:
        return refused_form(refusal)
    return redirect(done)


def form_number(value: str | None) -> int | str | None:
    """Return a form's number as an integer, or as typed so that the API's schema refuses it in words."""
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return value


__all__ = ["Step", "bp", "field_error", "form_number", "refused_form", "run_step", "web_actor"]
