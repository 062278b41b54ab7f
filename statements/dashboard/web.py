"""The dashboard page: the figures of `service.summary`, each a link to the statements behind it."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import login_required

from statements.dashboard import service
from statements.web import bp, web_actor
from statements.web_session import db


def statements_url(filters: dict) -> str:
    """Return the address of the statement list a figure's filters make."""
    return url_for("web.statements", **service.query_args(filters))


@bp.route("/dashboard")
@login_required
def dashboard():
    """Show a leader the units they lead (an auditor every unit): who waits, who is late, how fast work goes out."""
    return render_template("web/dashboard.html", d=service.summary(db(), web_actor()), statements_url=statements_url)
