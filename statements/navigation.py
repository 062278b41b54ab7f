"""What every signed-in page's header shows: the two counts and the menu the guards allow.

The shell's, not a feature's: it counts what the lifecycle and the notifications hold, and a feature
never imports another's pages.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_login import current_user

from statements.lifecycle import queries
from statements.notifications import service as notifications
from statements.web import web_actor
from statements.web_session import db
from workflow.db import count_of
from workflow.guards import (
    can_investigate,
    can_manage_org,
    can_read_ledger,
    can_view_dashboard,
    require_handle_press,
    require_read_report,
    units_allowed,
)

#: The most the menu's counts say exactly.
MENU_COUNT = 99


def init_app(app: Flask) -> None:
    """Give every page its header's counts and menu."""
    app.context_processor(navigation)


def navigation() -> dict:
    """Return the header's counts and what its menu offers the signed-in person."""
    if not current_user.is_authenticated:
        return {"awaiting_count": 0, "unread_count": 0}
    actor = web_actor()
    # Every page counts both, in one query: past MENU_COUNT the menu says "99+" (a count of tens of thousands
    # cost each page of a leader acting for forty hospitals more than the rest of its SQL, at 100,000 statements).
    total, unread = (
        db()
        .execute(
            sa.select(
                count_of(queries.awaiting_rows(actor), MENU_COUNT).scalar_subquery(),
                count_of(notifications.unread_rows(actor), MENU_COUNT).scalar_subquery(),
            )
        )
        .one()
    )
    # The link leads to the rules of one's own unit (`my_rules` finds which): no query on every page for it.
    rules_unit = any(r in ("leader", "spokesperson", "drafter") for _u, r in actor.memberships)
    # The menu offers what the guards allow; the template never re-derives a permission.
    return {
        "awaiting_count": total if total <= MENU_COUNT else f"{MENU_COUNT}+",
        "unread_count": unread if unread <= MENU_COUNT else f"{MENU_COUNT}+",
        "me": actor,
        "rules_unit": rules_unit,
        "may": {
            "dashboard": can_view_dashboard(actor),
            "investigate": can_investigate(actor),
            "read_ledger": can_read_ledger(actor),
            "manage_org": can_manage_org(actor),
            "draft": actor.holds("drafter"),
            # The press desk's two registers, kept by the same people. A leader reaches them from the Overview's
            # counts: one more item would wrap a leader's header at 1280 px (tests/test_browser.py).
            "press_desk": not can_view_dashboard(actor) and bool(units_allowed(require_handle_press, actor)),
            # Reached from the Overview's and the press desk's links, not the header (its width, as above).
            "reports": actor.is_auditor or bool(units_allowed(require_read_report, actor)),
        },
    }
