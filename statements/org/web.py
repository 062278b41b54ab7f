"""Administration: units and their spokespersons, people and their roles; every change on the ledger."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import selectinload

from auth import service as org
from auth.acting import reviewers_of
from auth.models import ActingAppointment, Membership, User
from statements.org import serialize
from statements.org.schemas import DesignationIn, RoleIn, UnitIn, UserIn
from statements.org.serialize import user_dict
from statements.schemas import load_input
from statements.web import bp, field_error, web_actor
from statements.web.messages import refusal_message
from statements.web_session import db, page_arg, page_count, rollback_session
from workflow.db import utcnow
from workflow.errors import Refusal
from workflow.guards import require_manage_org
from workflow.ledger import LedgerEntry
from workflow.states import Role
from workflow.text import search_key

PER_PAGE = 50
#: Above this many people, the designation form offers no list of usernames (the page would grow too long).
DATALIST_LIMIT = 500


def attempt(change: Callable[[], object], done: str) -> Refusal | None:
    """Run one change and commit it; on invalid input or a conflict undo it and return why (403 and 404 raise)."""
    try:
        change()
    except Refusal as refusal:
        rollback_session()
        if refusal.status in (403, 404):
            raise
        return refusal
    flash(done, "info")
    return None


def refusal_text(refusal: Refusal) -> str:
    """Say why a change was refused, once: the fields' own messages when it names them, else the rule's."""
    details = [field_error(m) for messages in (refusal.errors or {}).values() for m in messages]
    return " ".join(dict.fromkeys(details)) if details else refusal_message(refusal.rule, refusal.message)


def _flash_refusal(refusal: Refusal | None) -> None:
    if refusal is not None:
        flash(refusal_text(refusal), "error")


def attempt_and_say(change: Callable[[], object], done: str) -> bool:
    """Run one change and say how it went in a flashed message; return whether it was made."""
    refused = attempt(change, done)
    _flash_refusal(refused)
    return refused is None


def _matching(items: list[dict], q: str, *fields: str) -> list[dict]:
    # Units and people number in the thousands at most: matched here, with and without diacritics.
    words = search_key(q).split()
    return [i for i in items if all(w in search_key(*(i.get(f) or "" for f in fields)) for w in words)]


def _searched(items: list[dict], q: str, *fields: str) -> dict:
    """Return a page of what matches `q`, with how many matched and how many there are in all."""
    matched, page = _matching(items, q, *fields), page_arg()
    return {
        "shown": matched[(page - 1) * PER_PAGE : page * PER_PAGE],
        "page": page,
        "pages": page_count(len(matched), PER_PAGE),
        "matched": len(matched),
        "total": len(items),
    }


def _units_with_roles() -> list[dict]:
    """Return every unit with its spokesperson and whether it has drafters and leaders of its own."""
    session = db()
    units, _total = serialize.units_page(session)
    held: dict[str, set[str]] = defaultdict(set)
    codes = org.unit_codes(session)
    for unit_id, role in session.execute(sa.select(Membership.unit_id, Membership.role).distinct()):
        held[codes[unit_id]].add(role)
    # Who stands in for each unit's spokesperson now, by appointment: shown wherever the spokesperson is.
    acting: dict[str, list[tuple[str, dt.datetime]]] = defaultdict(list)
    now = utcnow()
    appointed = session.execute(
        sa.select(ActingAppointment.unit_id, User.full_name, ActingAppointment.ends_at)
        .join(User, User.id == ActingAppointment.user_id)
        .where(ActingAppointment.active_at(now), User.active)
        .order_by(ActingAppointment.starts_at)
    )
    for unit_id, name, ends_at in appointed:
        acting[codes[unit_id]].append((name, ends_at))
    for unit in units:
        unit["acting"] = acting[unit["code"]]
        roles = held[unit["code"]]
        # ND 09/2017: without a designation the head of the agency speaks for it; a unit whose drafters
        # have neither is flagged, since their statements would wait on nobody of the unit's own.
        unit["has_drafters"] = Role.DRAFTER in roles
        unit["has_leader"] = Role.LEADER in roles
    return units


@bp.route("/admin")
@login_required
def admin():
    """Show the organisation at a glance, and what needs the administrator's attention."""
    require_manage_org(web_actor())
    units = _units_with_roles()
    people = db().scalar(sa.select(sa.func.count()).select_from(User))
    unstaffed = [u for u in units if u["has_drafters"] and not u["spokesperson"]]
    codes = {code: unit_id for unit_id, code in org.unit_codes(db()).items()}
    for unit in unstaffed:  # whom their statements wait for instead: the nearest leaders, or nobody
        unit["reviewers"] = reviewers_of(db(), codes[unit["code"]])
    # Accounts under attack in the last week: sign-in stays open only from their usual addresses.
    week_ago = utcnow() - dt.timedelta(days=7)
    alerts = db().scalars(
        sa.select(LedgerEntry)
        .where(LedgerEntry.action == "sign_in_alert", LedgerEntry.at >= week_ago)
        .order_by(LedgerEntry.at.desc())
        .limit(50)
    )
    return render_template("web/admin.html", units=len(units), people=people, unstaffed=unstaffed, alerts=list(alerts))


@bp.route("/admin/units")
@login_required
def admin_units():
    """List the units, searchable, with their spokespersons and rules."""
    require_manage_org(web_actor())
    return _units_page()


def _units_page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    q = (request.args.get("q") or "")[:200]
    units = _units_with_roles()
    found = _searched(units, q, "code", "name")
    usernames = db().scalars(sa.select(User.username).order_by(User.username).limit(DATALIST_LIMIT + 1)).all()
    return render_template(
        "web/admin_units.html",
        units=found.pop("shown"),
        all_units=[u["code"] for u in units],
        usernames=usernames if len(usernames) <= DATALIST_LIMIT else [],
        q=q,
        **found,
        values=values or {},
        errors=errors or {},
    ), status


@bp.route("/admin/units", methods=["POST"])
@login_required
def admin_create_unit():
    """Create a unit; refused, the form comes back with what was typed."""
    f = request.form

    def create() -> object:
        given = {"code": f.get("code", ""), "name": f.get("name", ""), "parent_code": f.get("parent_code") or None}
        checked = load_input(UnitIn(), given)  # the API's contract, and its refusals
        return org.create_unit(db(), web_actor(), checked["code"], checked["name"], checked["parent_code"])

    refused = attempt(create, _("Unit created."))
    if refused is None:
        return redirect(url_for("web.admin_units"))
    if not refused.errors:
        flash(refusal_text(refused), "error")
    return _units_page(values=f.to_dict(), errors=refused.errors, status=refused.status)


@bp.route("/admin/people")
@login_required
def admin_people():
    """List the people, searchable, with their roles."""
    require_manage_org(web_actor())
    return _people_page()


def _people_page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    session = db()
    codes = org.unit_codes(session)
    q = (request.args.get("q") or "")[:200]
    users = session.scalars(sa.select(User).options(selectinload(User.memberships)).order_by(User.username))
    people = [user_dict(u, codes) for u in users]
    found = _searched(people, q, "username", "full_name", "email")
    return render_template(
        "web/admin_people.html",
        users=found.pop("shown"),
        units=sorted(codes.values()),
        roles=[r.value for r in Role],
        q=q,
        **found,
        values=values or {},
        errors=errors or {},
    ), status


@bp.route("/admin/users", methods=["POST"])
@login_required
def admin_create_user():
    """Create a person with a first role; refused, the form comes back with what was typed (but the password)."""
    f = request.form
    roles = [{"unit": f["unit"], "role": f["role"]}] if f.get("unit") and f.get("role") else []

    def create() -> object:
        given = {
            "username": f.get("username", ""),
            "full_name": f.get("full_name", ""),
            "password": f.get("password", ""),
            "email": f.get("email") or None,
            "roles": roles,
        }
        checked = load_input(UserIn(), given)  # the API's contract, and its refusals
        return org.create_user(
            db(),
            web_actor(),
            checked["username"],
            checked["full_name"],
            checked["password"],
            checked["email"],
            checked["roles"],
        )

    refused = attempt(create, _("Account created."))
    if refused is None:
        return redirect(url_for("web.admin_people", q=f.get("username", "")))
    if not refused.errors:
        flash(refusal_text(refused), "error")
    values = {k: v for k, v in f.to_dict().items() if k != "password"}
    return _people_page(values=values, errors=refused.errors, status=refused.status)


def _role(unit: str, role: str) -> tuple[str, str]:
    """Check a role in a unit as the API checks a person's roles: the same refusals."""
    checked = load_input(RoleIn(), {"unit": unit, "role": role})
    return checked["unit"], checked["role"]


def _confirm(message: str, action: str, fields: dict, back: str):
    """Ask before taking away a role or a designation."""
    return render_template("web/admin_confirm.html", message=message, action=action, fields=fields, back=back)


@bp.route("/admin/users/<username>/roles", methods=["POST"])
@login_required
def admin_grant_role(username: str):
    """Give a person a role in a unit, or take it away (after confirmation)."""
    f = request.form
    unit, role = f.get("unit", ""), f.get("role", "")
    if f.get("revoke"):
        require_manage_org(web_actor())
        if f.get("confirmed") != "1":
            return _confirm(
                _(
                    "Take the role “%(role)s” in %(unit)s away from %(user)s? They lose what it lets them do at once.",
                    role=role,
                    unit=unit,
                    user=username,
                ),
                url_for("web.admin_grant_role", username=username),
                {"unit": unit, "role": role, "revoke": "1"},
                url_for("web.admin_people", q=username),
            )
        refused = attempt(lambda: org.revoke_role(db(), web_actor(), username, *_role(unit, role)), _("Role removed."))
    else:
        refused = attempt(lambda: org.grant_role(db(), web_actor(), username, *_role(unit, role)), _("Role given."))
    _flash_refusal(refused)
    return redirect(url_for("web.admin_people", q=username))


@bp.route("/admin/units/<code>/spokesperson", methods=["POST"])
@login_required
def admin_designate(code: str):
    """Designate the unit's spokesperson (the previous one loses the role)."""
    given = {"username": request.form.get("username", "")}
    refused = attempt(
        lambda: org.designate_spokesperson(db(), web_actor(), code, load_input(DesignationIn(), given)["username"]),
        _("Spokesperson designated."),
    )
    _flash_refusal(refused)
    return redirect(url_for("web.admin_units", q=code))


@bp.route("/admin/units/<code>/spokesperson/remove", methods=["POST"])
@login_required
def admin_remove_spokesperson(code: str):
    """End the unit's designation (after confirmation): its leader speaks for it until another is designated."""
    require_manage_org(web_actor())
    if request.form.get("confirmed") != "1":
        return _confirm(
            _(
                "End the designation of %(unit)s's spokesperson? Until another is designated, the unit's leader"
                " reviews its statements.",
                unit=code,
            ),
            url_for("web.admin_remove_spokesperson", code=code),
            {},
            url_for("web.admin_units", q=code),
        )
    refused = attempt(lambda: org.remove_spokesperson(db(), web_actor(), code), _("Designation ended."))
    _flash_refusal(refused)
    return redirect(url_for("web.admin_units", q=code))
