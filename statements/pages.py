"""Pages outside the press room: the landing page and the API reference."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

bp = Blueprint("pages", __name__)


@bp.route("/")
def home() -> str:
    """Send signed-in people to their inbox; tell everyone else what PressGate is."""
    if current_user.is_authenticated:
        return redirect(url_for("web.inbox"))
    return render_template("home.html")


@bp.route("/api/v1/docs")
def api_docs() -> str:
    """Render the API reference from the OpenAPI document, with no scripts or CDN."""
    spec = current_app.extensions["pressgate"]["api"].spec.to_dict()
    return render_template("api_docs.html", spec=spec)
