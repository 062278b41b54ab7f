"""Disclosure cases and the register of violations as the API and the pages show them."""

from __future__ import annotations

from typing import Any

from workflow.db import isoformat


def _name(user: Any) -> str | None:
    return user.username if user else None


def case_dict(case, *, with_text: bool = True) -> dict:
    """Return a disclosure case with its analysis, finding and violations."""
    out = {
        "id": case.id,
        "status": case.status,
        "seen_where": case.seen_where,
        "seen_at": isoformat(case.seen_at),
        "opened_at": isoformat(case.opened_at),
        "opened_by": _name(case.opened_by),
        "text_hash": case.text_hash,
        "released": case.analysis.get("released", False),
        "analysis": case.analysis,
        "outcome": case.outcome,
        "finding": case.finding,
        "closed_at": isoformat(case.closed_at),
        "closed_by": _name(case.closed_by),
        "violations": [violation_dict(v) for v in case.violations],
    }
    if with_text:
        out["text"] = case.text
    return out


def violation_dict(violation) -> dict:
    """Return one entry of the register of violations."""
    return {
        "id": violation.id,
        "case": violation.case_id,
        "user": violation.user.username,
        "full_name": violation.user.full_name,
        "description": violation.description,
        "recorded_at": isoformat(violation.recorded_at),
        "recorded_by": _name(violation.recorded_by),
    }
