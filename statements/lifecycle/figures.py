"""A statement's figures as the spokesperson reviews them, and the unit's policy for figures (letter 6006 §2).

The block itself and its checks are `workflow.figures`; here are what they need of the database: the
unit's own minimum analysis and raw-figures share, and the unit's last released figures for the same
period and area, which a figure of this statement must not contradict unnoticed.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.service import get_unit
from statements.lifecycle.models import FiguresPolicy, Statement, StatementVersion
from statements.lifecycle.snapshots import AnyStatement
from workflow import figures
from workflow.actor import Actor
from workflow.db import isoformat
from workflow.errors import Invalid
from workflow.guards import require_edit_deadlines, require_read_deadlines
from workflow.settings import save_unit_setting
from workflow.states import State

#: How many of the unit's releases for the same period are read for the same subject and area (a unit gives
#: a period's figures for a handful of diseases and areas, not hundreds).
_SAME_PERIOD = 500


def check_dict(statement: AnyStatement) -> dict | None:
    """Return what the spokesperson is told of the current figures without a query (None without figures)."""
    block = statement.current.figures
    if not block:
        return None
    share = figures.raw_share(statement.current.body)
    return {
        "analysis_words": figures.analysis_words(block),
        "min_analysis_words": figures.words_needed(statement.analysis_min_words),
        "raw_share": share,
        "raw": share * 100 >= figures.raw_share_percent(statement.raw_share_percent),
    }


def review(session: Session, statement: AnyStatement) -> dict:
    """Return the figures with their changes, the checks, and where they disagree with the last release."""
    block = statement.current.figures
    if not block:
        return {"figures": None, "changes": [], "check": None, "compared_with": None, "disagreements": []}
    released = last_released(session, statement.unit_id, block, not_of=statement.id)
    compared = None
    if released is not None:
        row, version = released
        compared = {"id": row.id, "title": version.title, "released_at": isoformat(row.released_at)}
    return {
        "figures": block,
        "changes": figures.changes(block),
        "check": check_dict(statement),
        "compared_with": compared,
        "disagreements": figures.disagreements(block, released[1].figures) if released else [],
    }


def last_released(
    session: Session, unit_id: int, block: dict, not_of: int | None = None
) -> tuple[Statement, StatementVersion] | None:
    """Return the unit's latest released statement whose figures count the same subject in the same period and area.

    The period is compared in SQL, so that no number of releases for other periods hides the one that counts.
    """
    period = StatementVersion.figures["period"]
    rows = session.execute(
        sa.select(Statement, StatementVersion)
        .join(
            StatementVersion,
            sa.and_(
                StatementVersion.statement_id == Statement.id, StatementVersion.number == Statement.released_version
            ),
        )
        .where(
            Statement.unit_id == unit_id,
            Statement.state == State.RELEASED.value,
            StatementVersion.figures.is_not(None),
            period["start"].as_string() == block["period"]["start"],
            period["end"].as_string() == block["period"]["end"],
            *([Statement.id != not_of] if not_of else []),
        )
        .order_by(Statement.released_at.desc(), Statement.id.desc())
        .limit(_SAME_PERIOD)
    ).all()
    for row, version in rows:
        if figures.same_period(block, version.figures):
            return row, version
    return None


def read_policy(session: Session, actor: Actor | None, unit_code: str) -> dict:
    """Return the unit's figures policy, and whether it is its own or the defaults."""
    unit = get_unit(session, unit_code)
    require_read_deadlines(actor, unit.id)
    return _policy_dict(session, unit.id, unit.code)


def update_policy(
    session: Session, actor: Actor, unit_code: str, min_analysis_words: int, raw_share_percent: int
) -> dict:
    """Set the unit's figures policy (its leaders and admins); the change goes on the ledger."""
    unit = get_unit(session, unit_code)
    require_edit_deadlines(actor, unit.id)
    errors = {}
    if not _whole(min_analysis_words, 0, 500):
        errors["min_analysis_words"] = ["Between 0 and 500 words."]
    if not _whole(raw_share_percent, 5, 100):
        errors["raw_share_percent"] = ["Between 5 and 100 percent."]
    if errors:
        raise Invalid("figures_policy", "The figures policy is not valid.", errors=errors)
    save_unit_setting(
        session,
        actor,
        unit.id,
        unit.code,
        FiguresPolicy,
        "update_figures_policy",
        {"min_analysis_words": min_analysis_words, "raw_share_percent": raw_share_percent},
    )
    session.flush()
    return _policy_dict(session, unit.id, unit.code)


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _policy_dict(session: Session, unit_id: int, code: str) -> dict:
    row = session.get(FiguresPolicy, unit_id)
    return {
        "unit": code,
        "min_analysis_words": figures.words_needed(row.min_analysis_words if row else None),
        "raw_share_percent": figures.raw_share_percent(row.raw_share_percent if row else None),
        "set_by_unit": row is not None,
        "source": figures.FIGURES_SOURCE,
    }


def unit_id_of(session: Session, code: str) -> int:
    """Return the id of the unit with this code (404 when there is none)."""
    return get_unit(session, code).id
