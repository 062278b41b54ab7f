"""A unit's periodic report to the body above it: its figures, for the unit alone or over its subtree.

The Resolution-128 letter ends by asking units to report their results to the Ministry of Health; letter
6006 asks them to commend good work and deal with violations. A report answers both: what the unit
released and how fast, where work waited past its time, what the press asked and got, what was seen
outside and corrected, what leaked and who was commended. It holds counts and times, never a statement's
text, so reading it is not a read of unreleased content.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from auth.service import get_unit
from statements.letters.service import letterhead_of
from statements.reports import figures, periods
from workflow.actor import Actor
from workflow.db import utcnow
from workflow.guards import require_read_report


def build(
    session: Session,
    actor: Actor | None,
    unit_code: str,
    period: str,
    *,
    rolled_up: bool = True,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Return the unit's report for the period: over its subtree unless `rolled_up` is false."""
    unit = get_unit(session, unit_code)
    require_read_report(actor, unit.id)
    chosen = periods.parse(period)
    scope = figures.scope_of(session, unit.id, rolled_up)
    head = letterhead_of(session, unit)
    return {
        "unit": unit.code,
        "unit_name": unit.name,
        "rolled_up": rolled_up,
        "units": scope.codes,
        "period": {"key": chosen.key, "title": chosen.title_vi},
        "letterhead": {k: head[k] for k in ("full_name", "parent_name", "symbol", "place", "archive", "signers")},
        **figures.gather(session, scope, chosen.since, chosen.until, now or utcnow()),
    }
