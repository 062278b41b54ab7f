"""A notification as the API and the pages show it."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from statements.notifications.models import Kind, Notification
from statements.notifications.texts import REGISTER_PAGES, details, line_of, number_of
from workflow.db import isoformat


def notification_dict(n: Notification) -> dict:
    """Return a notification's answer; its text in the current language."""
    return {
        "id": n.id,
        "kind": n.kind,
        "text": line_of(n),
        "details": details(n),
        "statement": n.statement_id,
        #: A disclosure case's number (DISCLOSURE_OPENED), else None.
        "case": number_of(n) if n.kind == Kind.DISCLOSURE_OPENED else None,
        "press_request": number_of(n) if REGISTER_PAGES.get(n.kind, ("",))[0] == "request" else None,
        "rumour": number_of(n) if REGISTER_PAGES.get(n.kind, ("",))[0] == "rumour" else None,
        "unit": n.unit,
        "actor": n.actor,
        "actor_name": actor_name(n.actor),
        "urgent": n.urgent,
        "created_at": isoformat(n.created_at),
        "read_at": isoformat(n.read_at),
        "mail": {"state": n.mail_state, "sent_at": isoformat(n.mail_sent_at), "attempts": n.mail_attempts},
    }


def actor_name(actor: str, names: Mapping[str, str] | None = None) -> str:
    """Name who caused a notification as people read it: their full name if known; the sweep is "the system"."""
    return str(_("the system")) if actor == "system" else (names or {}).get(actor, actor)
