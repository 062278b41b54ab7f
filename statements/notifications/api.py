"""Each person's notifications: the list, marking read, and their email settings."""

from __future__ import annotations

from statements.api.auth import require_actor
from statements.extensions import Blueprint
from statements.notifications import service
from statements.notifications.schemas import (
    MarkedOut,
    MarkReadIn,
    NotificationListArgs,
    NotificationOut,
    SettingsIn,
    SettingsOut,
)
from statements.notifications.serialize import notification_dict
from statements.schemas import page_of
from statements.web_session import db

bp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="What each person is told, and how")

#: The unread count an answer reports, at most (a badge says "99+" beyond).
UNREAD_UP_TO = 999


@bp.route("/notifications", methods=["GET"])
@bp.arguments(NotificationListArgs, location="query")
@bp.response(200, page_of(NotificationOut))
def list_notifications(args: dict):
    """List the caller's notifications, newest first (only the unread with unread=true)."""
    actor = require_actor()
    items, total = service.page_for(db(), actor, args["page"], args["per_page"], unread=args.get("unread", False))
    return {"items": [notification_dict(n) for n in items], "total": total}


@bp.route("/notifications/read", methods=["POST"])
@bp.arguments(MarkReadIn)
@bp.response(200, MarkedOut)
def mark_read(data: dict):
    """Mark one notification read (`id`), or all of the caller's."""
    actor = require_actor()
    marked = service.mark_read(db(), actor, data.get("id"))
    return {"marked": marked, "unread": service.unread_count(db(), actor, UNREAD_UP_TO)}


@bp.route("/notifications/settings", methods=["GET"])
@bp.response(200, SettingsOut)
def settings():
    """Return the caller's email language and email mode per kind."""
    return service.settings_of(db(), require_actor())


@bp.route("/notifications/settings", methods=["PATCH"])
@bp.arguments(SettingsIn)
@bp.response(200, SettingsOut)
def change_settings(data: dict):
    """Change the caller's email language or modes (escalations are always emailed)."""
    return service.change_settings(db(), require_actor(), data.get("language"), data.get("modes") or {})
