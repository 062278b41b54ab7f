"""The web interface's shell: the one blueprint every feature's pages join, and who is signed in.

Each feature registers its pages on `bp` (statements/app.py imports them before registering it):
the same service functions and guards as the API, in the person's language.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from statements.web.messages import field_message
from workflow.actor import Actor

bp = Blueprint("web", __name__)


def web_actor() -> Actor:
    """Return the signed-in person as the guards see them (resolved with their session, as a token is)."""
    return current_user.grant.actor


@bp.app_template_filter("field_error")
def field_error(message: str) -> str:
    """Return a service's field message in the person's language."""
    return field_message(message)


__all__ = ["bp", "field_error", "web_actor"]
