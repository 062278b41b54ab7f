"""Figures in the browser: the editor's fields, their numbers in the reader's language, and the unit's policy.

The policy is read by the unit's people and set by its leaders and admins, as through the API.
"""

from __future__ import annotations

import re

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from statements.lifecycle import figures as figures_service
from statements.lifecycle.schemas import FiguresPolicyIn
from statements.schemas import load_input
from statements.web import bp, form_number, refused_form, web_actor
from statements.web_session import db
from workflow import figures
from workflow.errors import Refusal
from workflow.guards import can_edit_deadlines


def figures_from_form(form: MultiDict[str, str]) -> dict:
    """Return the editor's figures as the API takes them ({} when left empty), typed numbers read as counts."""
    measures = []
    for name in figures.MEASURES:
        value = form.get(f"figures_{name}_value", "").strip()
        previous = form.get(f"figures_{name}_previous", "").strip()
        source = form.get(f"figures_{name}_source", "").strip()
        if value or previous or source:
            measures.append(
                {"measure": name, "value": _typed_count(value),
                 "previous": _typed_count(previous) if previous else None, "source": source}
            )  # fmt: skip
    given = {
        "subject": form.get("figures_subject", "").strip(),
        "period": {"start": form.get("figures_start", ""), "end": form.get("figures_end", "")},
        "area": form.get("figures_area", "").strip(),
        "analysis": form.get("figures_analysis", ""),
    }
    if (
        not measures
        and not given["area"]
        and not given["subject"]
        and not given["analysis"].strip()
        and not any(given["period"].values())
    ):
        return {}
    return given | {"measures": measures}


#: A count as people type it: 1245, or grouped by thousands with dots, commas or spaces (1.245, 1,245, 1 245).
#: A count as it may be typed: digits, or thousands grouped by dots, commas or spaces ("1.245", "1,245").
#: The editor's script reads the same pattern from the page (data-typed-count), so the two never differ.
TYPED_COUNT = r"[0-9]{1,10}|[0-9]{1,3}(?:([.,\s])[0-9]{3})(?:\1[0-9]{3}){0,2}"
_TYPED_COUNT = re.compile(TYPED_COUNT)


def _typed_count(typed: str) -> int | str:
    # Anything else ("1.5", "12²", a thousand digits) goes on as typed, for the block's check to refuse in words.
    return int(re.sub(r"[.,\s]", "", typed)) if _TYPED_COUNT.fullmatch(typed) else typed


def init_app(app: Flask) -> None:
    """Give the pages the writing of counts and changes in the reader's language."""
    app.jinja_env.globals["typed_count"] = TYPED_COUNT
    app.jinja_env.filters["count"] = lambda value: figures.count_text(value, str(get_locale()))
    app.jinja_env.filters["change"] = lambda m: figures.change_text(
        *figures.change_of(m.get("value"), m.get("previous")), str(get_locale())
    )


@bp.route("/units/<code>/figures", methods=["GET", "POST"])
@login_required
def unit_figures(code: str):
    """Show the unit's policy for figures; its leaders and admins set it."""
    actor = web_actor()
    errors: dict = {}
    refused, status = None, 200
    if request.method == "POST":
        try:
            checked = load_input(
                FiguresPolicyIn(),
                {name: form_number(request.form.get(name)) for name in ("min_analysis_words", "raw_share_percent")},
            )
            figures_service.update_policy(
                db(), actor, code, checked["min_analysis_words"], checked["raw_share_percent"]
            )
            flash(_("The figures policy is saved; it is on the ledger."), "info")
            return redirect(url_for("web.unit_figures", code=code))
        except Refusal as refusal:
            errors, status, refused = refused_form(refusal)
    policy = figures_service.read_policy(db(), actor, code)
    unit_id = figures_service.unit_id_of(db(), code)
    return render_template(
        "web/unit_figures.html",
        policy=policy,
        editable=can_edit_deadlines(actor, unit_id),
        errors=errors,
        refused=refused,
        form=request.form,
    ), status
