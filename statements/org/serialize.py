"""The organisation as the API and the admin pages show it: people, units and sensitivity rules."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Membership, Unit, User
from auth.service import unit_codes
from workflow.sensitivity import SensitivityRule
from workflow.states import Role


def user_dict(user: User, units: dict[int, str]) -> dict:
    """Return a user with roles, units by code."""
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "active": user.active,
        "roles": [
            {"unit": units[m.unit_id], "role": m.role}
            for m in sorted(user.memberships, key=lambda m: (units[m.unit_id], m.role))
        ],
    }


def unit_dict(unit: Unit, parent_code: str | None, spokesperson: str | None) -> dict:
    """Return a unit."""
    return {
        "id": unit.id,
        "code": unit.code,
        "name": unit.name,
        "parent_code": parent_code,
        "spokesperson": spokesperson,
    }


def rule_dict(rule: SensitivityRule) -> dict:
    """Return a sensitivity rule."""
    return {
        "code": rule.code,
        "label": rule.label,
        "keywords": rule.keywords,
        "topics": rule.topics,
        "detectors": rule.detectors,
        "source": rule.source,
        "active": rule.active,
    }


def units_page(session: Session, page: int = 1, per_page: int | None = None) -> tuple[list[dict], int]:
    """Return units by code, each with its parent's code and its spokesperson, and the total."""
    codes = unit_codes(session)
    spokespeople = dict(
        session.execute(
            sa.select(Membership.unit_id, User.username).join(User).where(Membership.role == Role.SPOKESPERSON)
        ).all()
    )
    query = sa.select(Unit).order_by(Unit.code)
    if per_page is not None:
        query = query.offset((page - 1) * per_page).limit(per_page)
    items = [unit_dict(u, codes.get(u.parent_id), spokespeople.get(u.id)) for u in session.scalars(query)]
    return items, len(codes)
