"""Organisation changes and identity: each change checks the admin guard and goes on the ledger."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.acting import acting_units
from auth.models import ActingAppointment, Membership, Unit, User
from auth.passwords import hash_password
from workflow import ledger
from workflow.actor import Actor
from workflow.db import utcnow
from workflow.errors import Conflict, Invalid, NotFound
from workflow.guards import require_manage_org
from workflow.sensitivity import add_default_rules
from workflow.states import Role

#: Matched whole (fullmatch: "$" alone lets a final newline through); the API document shows the patterns.
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,63}$")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
#: Roles that read a unit's unreleased statements.
READER_ROLES = frozenset({Role.DRAFTER, Role.SPOKESPERSON, Role.LEADER})


def _log(session: Session, actor: Actor | None, action: str, unit: str | None, data: dict[str, Any]) -> None:
    ledger.append(
        session,
        kind=ledger.EntryKind.ADMIN,
        action=action,
        actor_id=actor.user_id if actor else None,
        actor=actor.username if actor else "system",
        role="admin" if actor else "system",
        unit=unit,
        data=data,
    )


# --- the unit tree ------------------------------------------------------------------------


def unit_parents(session: Session) -> dict[int, int | None]:
    """Return every unit's parent id (units are few: hundreds, not millions)."""
    return dict(session.execute(sa.select(Unit.id, Unit.parent_id)).all())


def unit_codes(session: Session) -> dict[int, str]:
    """Return every unit's code by id (to name units in answers)."""
    return dict(session.execute(sa.select(Unit.id, Unit.code)).all())


def descendants(parents: dict[int, int | None], roots: Iterable[int]) -> set[int]:
    """Return the roots and every unit below them."""
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in parents.items():
        children.setdefault(parent_id, []).append(unit_id)
    found, stack = set(), list(roots)
    while stack:
        unit_id = stack.pop()
        if unit_id not in found:
            found.add(unit_id)
            stack.extend(children.get(unit_id, ()))
    return found


def full_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """Return the full names of these users by username (pages name people; the API keeps usernames)."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    return dict(session.execute(sa.select(User.username, User.full_name).where(User.username.in_(wanted))).all())


def members(session: Session, unit_id: int, roles: Iterable[str]) -> list[tuple[str, str]]:
    """Return the people holding one of these roles in the unit itself: (username, full name), by name."""
    rows = session.execute(
        sa.select(User.username, User.full_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.unit_id == unit_id, Membership.role.in_(list(roles)))
        .distinct()
        .order_by(User.full_name)
    )
    return [(row.username, row.full_name) for row in rows]


def get_unit(session: Session, code: object, field: str | None = None) -> Unit:
    """Return the unit with this code; refuse with 404 when the address names it, 422 when a body's `field` does."""
    unit = session.scalar(sa.select(Unit).where(Unit.code == code)) if isinstance(code, str) else None
    if unit is None:
        if field is not None:  # a reference inside the request's body is invalid input, not a missing object
            raise Invalid("unit", f"No unit with code '{code}'.", errors={field: ["Unknown unit."]})
        raise NotFound("unit", f"No unit with code '{code}'.")
    return unit


def get_user(session: Session, username: object, field: str | None = None) -> User:
    """Return the user with this username; refuse with 404 when the address names it, 422 when a body's `field` does."""
    user = session.scalar(sa.select(User).where(User.username == username)) if isinstance(username, str) else None
    if user is None:
        if field is not None:
            raise Invalid("user", f"No user named '{username}'.", errors={field: ["Unknown user."]})
        raise NotFound("user", f"No user named '{username}'.")
    return user


# --- actors --------------------------------------------------------------------------------


def actor_for(session: Session, user: User, via: str = "service") -> Actor:
    """Resolve a user's roles over the unit tree, and the acting appointments holding now, into the Actor."""
    if "memberships" in sa.inspect(user).unloaded:
        rows = session.execute(sa.select(Membership.unit_id, Membership.role).where(Membership.user_id == user.id))
        memberships = frozenset((unit_id, role) for unit_id, role in rows)
    else:  # loaded with the user (a token's query does so)
        memberships = frozenset((m.unit_id, m.role) for m in user.memberships)
    appointed = session.execute(
        sa.select(ActingAppointment.unit_id, ActingAppointment.id).where(
            ActingAppointment.user_id == user.id, ActingAppointment.active_at(utcnow())
        )
    )
    appointments = frozenset((unit_id, appointment_id) for unit_id, appointment_id in appointed)
    return resolve_actor(session, user.id, user.username, memberships, appointments, via)


def resolve_actor(
    session: Session,
    user_id: int,
    username: str,
    memberships: frozenset[tuple[int, str]],
    appointments: frozenset[tuple[int, int]],
    via: str,
) -> Actor:
    """Return the Actor of a user's memberships and the acting appointments holding now, over the unit tree."""
    leads = [unit_id for unit_id, role in memberships if role == Role.LEADER]
    parents = unit_parents(session) if leads else {}
    leader_scope = frozenset(descendants(parents, leads)) if leads else frozenset()
    if any(role == Role.AUDITOR for _, role in memberships):
        appointments = frozenset()  # an auditor changes nothing, whatever an appointment says
    appointed = frozenset(unit_id for unit_id, _ in appointments)
    read_scope = frozenset({u for u, r in memberships if r in READER_ROLES}) | leader_scope | appointed
    acting_for = (acting_units(session, user_id, leader_scope, parents) if leads else frozenset()) | appointed
    return Actor(
        user_id, username, memberships, leader_scope, read_scope, acting_for, via=via, appointments=appointments
    )


# --- organisation changes ----------------------------------------------------------------


def create_unit(session: Session, actor: Actor | None, code: str, name: str, parent_code: str | None = None) -> Unit:
    """Create a unit with the default sensitivity rules."""
    if actor is not None:
        require_manage_org(actor)
    if not CODE_RE.fullmatch(code or ""):
        raise Invalid(
            "unit_code",
            "A unit code is 1-64 capital letters, digits, '-' or '_'.",
            errors={"code": ["Use capital letters, digits, '-' or '_' (e.g. SYT-HN)."]},
        )
    if not (name or "").strip():
        raise Invalid("unit_name", "A unit needs a name.", errors={"name": ["Missing data for required field."]})
    if len(name) > 300:
        raise Invalid("unit_name", "A unit's name is too long.", errors={"name": ["Longer than maximum length 300."]})
    parent = get_unit(session, parent_code, "parent_code") if parent_code else None
    if session.scalar(sa.select(Unit.id).where(Unit.code == code)) is not None:
        raise Conflict("unit_exists", f"A unit with code '{code}' already exists.")
    unit = Unit(code=code, name=name.strip(), parent_id=parent.id if parent else None)
    session.add(unit)
    session.flush()
    add_default_rules(session, unit.id)
    _log(session, actor, "create_unit", code, {"name": unit.name, "parent": parent_code})
    return unit


def _validate_roles(session: Session, roles: Iterable[dict[str, Any]]) -> list[tuple[Unit, str]]:
    resolved: list[tuple[Unit, str]] = []
    for item in roles:
        role = item.get("role")
        if not isinstance(role, str) or role not in Role.__members__.values():
            raise Invalid("role", f"Unknown role '{role}'.", errors={"roles": [f"Unknown role '{role}'."]})
        resolved.append((get_unit(session, item.get("unit"), "roles"), role))
    if {Role.AUDITOR, Role.SPOKESPERSON} <= {role for _unit, role in resolved}:
        raise _auditor_not_spokesperson()
    return resolved


def _auditor_not_spokesperson() -> Conflict:
    # The auditor reads everything and changes nothing; a spokesperson decides and releases.
    return Conflict(
        "auditor_not_spokesperson",
        "An auditor reads everything and changes nothing, so an auditor cannot be a unit's spokesperson.",
    )


def _appointed(session: Session, user: User) -> bool:
    """Say whether the user holds an acting appointment now or has one to come."""
    found = sa.select(ActingAppointment.id).where(
        ActingAppointment.user_id == user.id, ActingAppointment.ended_at.is_(None), ActingAppointment.ends_at > utcnow()
    )
    return session.scalar(found.limit(1)) is not None


def _holds(session: Session, user: User, role: str) -> bool:
    return (
        session.scalar(sa.select(Membership.id).where(Membership.user_id == user.id, Membership.role == role))
        is not None
    )


def create_user(
    session: Session,
    actor: Actor | None,
    username: str,
    full_name: str,
    password: str,
    email: str | None = None,
    roles: Iterable[dict[str, Any]] = (),
) -> User:
    """Create a user with roles; a spokesperson role only where the unit has none yet."""
    if actor is not None:
        require_manage_org(actor)
    errors: dict[str, list[str]] = {}
    if not USERNAME_RE.fullmatch(username or ""):
        errors["username"] = ["2-64 lowercase letters, digits, '.', '_' or '-'."]
    if not (full_name or "").strip():
        errors["full_name"] = ["Missing data for required field."]
    # The columns' own limits, said as field errors (the web's forms reach here without the API's schemas).
    for field, value, limit in (("full_name", full_name, 200), ("email", email, 254)):
        if len(value or "") > limit:
            errors[field] = [f"Longer than maximum length {limit}."]
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = [f"At least {MIN_PASSWORD} characters."]
    if errors:
        raise Invalid("user_fields", "The user's details are not valid.", errors=errors)
    resolved = _validate_roles(session, roles)
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise Conflict("user_exists", f"A user named '{username}' already exists.")
    for unit, role in resolved:
        if role == Role.SPOKESPERSON and _spokesperson_of(session, unit) is not None:
            raise Conflict(
                "spokesperson_exists",
                f"Unit {unit.code} already has a spokesperson; use the designation endpoint to change it.",
            )
    user = User(username=username, full_name=full_name.strip(), email=email, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    for unit, role in dict.fromkeys(resolved):
        session.add(Membership(user_id=user.id, unit_id=unit.id, role=role))
    session.flush()
    _log(
        session,
        actor,
        "create_user",
        None,
        {"username": username, "roles": [{"unit": u.code, "role": r} for u, r in dict.fromkeys(resolved)]},
    )
    return user


def _spokesperson_of(session: Session, unit: Unit) -> Membership | None:
    return session.scalar(
        sa.select(Membership).where(Membership.unit_id == unit.id, Membership.role == Role.SPOKESPERSON)
    )


def spokesperson_of(session: Session, unit: Unit) -> User | None:
    """Return the unit's designated spokesperson, if any."""
    membership = _spokesperson_of(session, unit)
    return membership.user if membership else None


def grant_role(session: Session, actor: Actor | None, username: str, unit_code: str, role: str) -> Membership:
    """Give a user a role in a unit (spokesperson goes through `designate_spokesperson`)."""
    if actor is not None:
        require_manage_org(actor)
    if role == Role.SPOKESPERSON:
        raise Conflict("use_designation", "Designate a spokesperson through the designation endpoint.")
    user, [(unit, role)] = get_user(session, username), _validate_roles(session, [{"unit": unit_code, "role": role}])
    if role == Role.AUDITOR and (_holds(session, user, Role.SPOKESPERSON) or _appointed(session, user)):
        raise _auditor_not_spokesperson()
    existing = session.scalar(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.unit_id == unit.id, Membership.role == role
        )
    )
    if existing is not None:
        raise Conflict("role_exists", f"{username} already holds {role} in {unit_code}.")
    membership = Membership(user_id=user.id, unit_id=unit.id, role=role)
    session.add(membership)
    session.flush()
    _log(session, actor, "grant_role", unit.code, {"username": username, "role": role})
    return membership


def revoke_role(session: Session, actor: Actor | None, username: str, unit_code: str, role: str) -> None:
    """Take a role away from a user (the spokesperson's role ends their designation)."""
    if actor is not None:
        require_manage_org(actor)
    if role == Role.SPOKESPERSON:
        remove_spokesperson(session, actor, unit_code, username)
        return
    user, unit = get_user(session, username), get_unit(session, unit_code)
    membership = session.scalar(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.unit_id == unit.id, Membership.role == role
        )
    )
    if membership is None:
        raise NotFound("role", f"{username} does not hold {role} in {unit_code}.")
    session.delete(membership)
    session.flush()
    _log(session, actor, "revoke_role", unit.code, {"username": username, "role": role})


def designate_spokesperson(session: Session, actor: Actor | None, unit_code: str, username: str) -> User:
    """Make this user the unit's one spokesperson; the previous holder loses the role."""
    if actor is not None:
        require_manage_org(actor)
    unit, user = get_unit(session, unit_code), get_user(session, username, "username")
    if _holds(session, user, Role.AUDITOR):
        raise _auditor_not_spokesperson()
    current = _spokesperson_of(session, unit)
    previous = current.user.username if current else None
    if current is not None and current.user_id == user.id:
        return user
    if current is not None:
        session.delete(current)
        session.flush()  # the partial unique index allows one holder at a time
    session.add(Membership(user_id=user.id, unit_id=unit.id, role=Role.SPOKESPERSON))
    session.flush()
    _log(session, actor, "designate_spokesperson", unit.code, {"username": username, "previous": previous})
    return user


def remove_spokesperson(session: Session, actor: Actor | None, unit_code: str, username: str | None = None) -> str:
    """End the unit's spokesperson designation (only that person's, when named); return who held it."""
    if actor is not None:
        require_manage_org(actor)
    unit = get_unit(session, unit_code)
    current = _spokesperson_of(session, unit)
    if current is None or (username is not None and current.user.username != username):
        raise NotFound(
            "spokesperson", f"Unit {unit.code} has no designated spokesperson{' ' + username if username else ''}."
        )
    holder = current.user.username
    session.delete(current)
    session.flush()
    _log(session, actor, "remove_spokesperson", unit.code, {"username": holder})
    return holder
