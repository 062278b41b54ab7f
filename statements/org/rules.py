"""Editing a unit's sensitivity rules: its leaders and admins, logged, applied to open statements."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import Unit
from auth.service import get_unit
from statements.lifecycle.models import Statement
from statements.lifecycle.service import refresh_sensitivity, unit_rules
from workflow import ledger
from workflow.actor import Actor
from workflow.errors import Conflict, Invalid, NotFound
from workflow.guards import require_edit_rules
from workflow.sensitivity import DETECTORS, RULE_LABEL_MAX, SensitivityRule
from workflow.states import OPEN_STATES

RULE_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def list_rules(session: Session, unit: Unit) -> list[SensitivityRule]:
    """Return all of a unit's rules, active or not."""
    return list(
        session.scalars(
            sa.select(SensitivityRule).where(SensitivityRule.unit_id == unit.id).order_by(SensitivityRule.id)
        )
    )


def _clean(fields: dict, partial: bool) -> dict:
    errors: dict[str, list[str]] = {}
    out: dict = {}
    for name in ("keywords", "topics", "detectors"):
        if name in fields or not partial:
            value = fields.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                errors[name] = ["A list of non-empty texts."]
            else:
                out[name] = [v.strip() for v in value]
    for name in out.get("detectors", []):
        if name not in DETECTORS:
            errors["detectors"] = [f"Unknown detector '{name}'; known: {', '.join(DETECTORS)}."]
    if "label" in fields or not partial:
        label = fields.get("label")
        if not isinstance(label, str) or not label.strip():
            errors["label"] = ["A label is required."]
        elif len(label.strip()) > RULE_LABEL_MAX:
            errors["label"] = [f"Longer than maximum length {RULE_LABEL_MAX}."]
        else:
            out["label"] = label.strip()
    if "source" in fields:
        out["source"] = str(fields["source"] or "")
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            errors["active"] = ["Not a valid boolean."]
        else:
            out["active"] = fields["active"]
    if errors:
        raise Invalid("rule", "The rule is not valid.", errors=errors)
    if not partial and not (out.get("keywords") or out.get("topics") or out.get("detectors")):
        raise Invalid(
            "rule_empty",
            "A rule needs keywords, topics or a detector.",
            errors={"keywords": ["Give at least one keyword, topic or detector."]},
        )
    return out


def _apply_to_open_statements(session: Session, unit: Unit) -> int:
    rules = unit_rules(session, unit.id)
    statements = session.scalars(
        sa.select(Statement).where(Statement.unit_id == unit.id, Statement.state.in_([s.value for s in OPEN_STATES]))
    )
    count = 0
    for statement in statements:
        refresh_sensitivity(session, statement, rules)
        count += 1
    return count


def _log(
    session: Session,
    actor: Actor,
    unit: Unit,
    action: str,
    rule: SensitivityRule,
    changes: dict,
    before: dict | None = None,
) -> None:
    role = "leader" if actor.is_competent_leader(unit.id) else "admin"
    data = {"rule": rule.code, "changes": changes}
    if before is not None:
        # What the change replaced: whoever made it may not approve what the rule as it was would have held
        # (workflow.guards.not_who_lifted_a_rule), whoever the table says changed it since.
        data["before"] = before
    ledger.append(
        session,
        kind=ledger.EntryKind.ADMIN,
        action=action,
        actor_id=actor.user_id,
        actor=actor.username,
        role=role,
        unit=unit.code,
        data=data,
    )


def create_rule(session: Session, actor: Actor, unit_code: str, fields: dict) -> SensitivityRule:
    """Add a rule to a unit and re-evaluate its open statements."""
    unit = get_unit(session, unit_code)
    require_edit_rules(actor, unit.id)
    code = fields.get("code")
    if not isinstance(code, str) or not RULE_CODE_RE.fullmatch(code):
        raise Invalid(
            "rule_code",
            "A rule code is lowercase letters, digits, '-' or '_'.",
            errors={"code": ["Lowercase letters, digits, '-' or '_'."]},
        )
    values = _clean(fields, partial=False)
    if session.scalar(
        sa.select(SensitivityRule.id).where(SensitivityRule.unit_id == unit.id, SensitivityRule.code == code)
    ):
        raise Conflict("rule_exists", f"Unit {unit.code} already has a rule '{code}'.")
    rule = SensitivityRule(unit_id=unit.id, code=code, **values)
    session.add(rule)
    session.flush()
    _log(session, actor, unit, "create_rule", rule, {"code": code, **values})
    _apply_to_open_statements(session, unit)
    return rule


def update_rule(session: Session, actor: Actor, unit_code: str, code: str, fields: dict) -> SensitivityRule:
    """Change a rule (or switch it off with active=false) and re-evaluate open statements."""
    unit = get_unit(session, unit_code)
    require_edit_rules(actor, unit.id)
    rule = session.scalar(
        sa.select(SensitivityRule).where(SensitivityRule.unit_id == unit.id, SensitivityRule.code == code)
    )
    if rule is None:
        raise NotFound("rule", f"Unit {unit.code} has no rule '{code}'.")
    values = _clean(fields, partial=True)
    before = {name: getattr(rule, name) for name in values}
    for name, value in values.items():
        setattr(rule, name, value)
    session.flush()
    _log(session, actor, unit, "update_rule", rule, values, before)
    _apply_to_open_statements(session, unit)
    return rule
