"""When each open step of a statement is due: a unit's policy, Vietnam's working calendar, the clock.

A step starts when a statement enters a state in which someone must act (review, sign-off, release,
revision). Its due time comes from the unit's policy, by the statement's kind and urgency:

- an urgent statement counts its hours round the clock (an outbreak does not wait for Monday);
- any other counts working hours only, on Vietnam's working days: Monday to Friday, without public
  holidays, with the Saturdays the government makes working days in exchange for a bridge day (the
  `holidays` package knows both), and without the unit's own days off.

The defaults below are PressGate's, not the law's: Decree 09/2017/NĐ-CP Art. 6 leaves the deadline
for ad hoc information to the unit, so each unit's leaders set their own (every change is on the ledger).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow
from workflow.errors import Invalid
from workflow.states import Kind, State, Urgency

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local_day(when: dt.datetime) -> dt.date:
    """Return the day in Vietnam of a time stored in UTC (a document's date line, a notice's day)."""
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(ZONE).date()


#: The states that start a step, and what the step is.
STEPS = {
    State.IN_REVIEW.value: "review",
    State.ESCALATED.value: "sign_off",
    State.APPROVED.value: "release",
    State.CHANGES_REQUESTED.value: "revision",
}
#: A civil servant's working day (Decree 45/2013, 8 hours): two sessions, local time.
SESSIONS = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 0), dt.time(17, 0)))
#: The longest a step may be given, in hours: a month of working days.
MAX_HOURS = 22 * 8
#: The source shown beside the defaults in the interface.
SOURCE = "PressGate's defaults; Decree 09/2017/NĐ-CP Art. 6 leaves the deadline for ad hoc information to the unit"

#: When whoever must act is reminded, as a share of the step's time.
DEFAULT_REMIND_PERCENT = 50
#: How long past its due time a step waits before it is escalated: in the step's own clock.
DEFAULT_GRACE_MINUTES = {Urgency.URGENT.value: 60, Urgency.NORMAL.value: 240}
#: Hours per step: urgent ones round the clock, the others in working hours by kind.
DEFAULT_HOURS: dict[str, dict[str, dict[str, float]]] = {
    Urgency.URGENT.value: {
        "review": {kind.value: 2 for kind in Kind},
        "sign_off": {kind.value: 2 for kind in Kind},
        "release": {kind.value: 1 for kind in Kind},
        "revision": {kind.value: 4 for kind in Kind},
    },
    Urgency.NORMAL.value: {
        "review": {Kind.REGULAR.value: 16, Kind.AD_HOC.value: 4, Kind.CORRECTION.value: 8, Kind.INTERVIEW.value: 16},
        "sign_off": {Kind.REGULAR.value: 16, Kind.AD_HOC.value: 4, Kind.CORRECTION.value: 8, Kind.INTERVIEW.value: 16},
        "release": {Kind.REGULAR.value: 8, Kind.AD_HOC.value: 2, Kind.CORRECTION.value: 4, Kind.INTERVIEW.value: 8},
        "revision": {Kind.REGULAR.value: 16, Kind.AD_HOC.value: 4, Kind.CORRECTION.value: 8, Kind.INTERVIEW.value: 16},
    },
}


class UnitDeadlines(Base):
    """What a unit sets over the default deadlines, and its own days off."""

    __tablename__ = "deadline_policies"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True)
    #: {urgency: {step: {kind: hours}}}, only what differs from DEFAULT_HOURS.
    hours: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: ISO dates the unit does not work beyond the public holidays.
    days_off: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: When, as a share of the step's time, whoever must act is reminded.
    remind_percent: Mapped[int] = mapped_column(default=DEFAULT_REMIND_PERCENT, server_default="50")
    #: {urgency: minutes} past the due time before the step is escalated (None: the defaults).
    grace_minutes: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    #: Kinds of notification the unit's people are always emailed at once, beyond those always emailed
    #: everywhere (statements.notifications.service.MANDATORY); None: no more than those.
    mandatory_mail: Mapped[list[str] | None] = mapped_column(sa.JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Policy:
    """A unit's deadlines: hours per step, days off, when to remind, and how long before escalating.

    Hours are by urgency, step and kind (the defaults where the unit set none); the reminder goes at a
    share of the step's time; a step overdue by the grace is escalated.
    """

    hours: Mapping[str, Mapping[str, Mapping[str, float]]] = field(default_factory=lambda: DEFAULT_HOURS)
    days_off: frozenset[dt.date] = frozenset()
    remind_percent: int = 50
    grace_minutes: Mapping[str, int] = field(default_factory=lambda: DEFAULT_GRACE_MINUTES)

    @classmethod
    def from_stored(
        cls,
        hours: Mapping[str, Any] | None,
        days_off: Iterable[str] | None,
        remind_percent: int | None = None,
        grace_minutes: Mapping[str, int] | None = None,
    ) -> Policy:
        """Build a policy from its stored form (JSON): what it sets over the defaults, and ISO dates."""
        merged = {
            urgency: {
                step: {**kinds, **((hours or {}).get(urgency, {}).get(step, {}))} for step, kinds in steps.items()
            }
            for urgency, steps in DEFAULT_HOURS.items()
        }
        return cls(
            merged,
            frozenset(dt.date.fromisoformat(d) for d in days_off or ()),
            DEFAULT_REMIND_PERCENT if remind_percent is None else remind_percent,
            {**DEFAULT_GRACE_MINUTES, **(grace_minutes or {})},
        )

    def hours_for(self, step: str, kind: str, urgency: str) -> float:
        """Return the hours a step is given."""
        return float(self.hours[urgency][step][kind])

    @classmethod
    def of(cls, row: UnitDeadlines | None) -> Policy:
        """Return the policy a unit's stored row sets (the defaults without one)."""
        if row is None:
            return cls()
        return cls.from_stored(row.hours, row.days_off, row.remind_percent, row.grace_minutes)

    def due(self, state: str, kind: str, urgency: str, start: dt.datetime) -> dt.datetime | None:
        """Return when the step that `state` starts at `start` is due (UTC), or None if it starts none."""
        step = STEPS.get(state)
        if step is None:
            return None
        return self.later(urgency, start, self.hours_for(step, kind, urgency))

    def reminder(self, state: str, kind: str, urgency: str, start: dt.datetime) -> dt.datetime | None:
        """Return when whoever must act on the step that `state` starts is reminded (its share of the time)."""
        step = STEPS.get(state)
        if step is None:
            return None
        return self.later(urgency, start, self.hours_for(step, kind, urgency) * self.remind_percent / 100)

    def escalation(self, urgency: str, since: dt.datetime) -> dt.datetime:
        """Return when a step overdue (or escalated) at `since` is escalated (further): the grace, in its clock."""
        return self.later(urgency, since, self.grace_minutes[urgency] / 60)

    def later(self, urgency: str, start: dt.datetime, hours: float) -> dt.datetime:
        """Return `hours` after `start` in the urgency's clock: round the clock if urgent, else working hours."""
        if urgency == Urgency.URGENT.value:
            return start + dt.timedelta(hours=hours)
        return add_working_hours(start, hours, self.days_off)


def check_hours(hours: Any) -> dict[str, dict[str, dict[str, float]]]:
    """Return a policy's hours if they are well formed (known urgencies, steps and kinds; 0 < h ≤ MAX_HOURS)."""
    errors: list[str] = []
    if not isinstance(hours, dict):
        raise Invalid("deadline_policy", "The hours are not valid.", errors={"hours": ["An object."]})
    out: dict[str, dict[str, dict[str, float]]] = {}
    for urgency, steps in hours.items():
        if urgency not in DEFAULT_HOURS or not isinstance(steps, dict):
            errors.append(f"Unknown urgency '{urgency}'.")
            continue
        for step, kinds in steps.items():
            if step not in DEFAULT_HOURS[urgency] or not isinstance(kinds, dict):
                errors.append(f"Unknown step '{step}'.")
                continue
            for kind, value in kinds.items():
                if kind not in DEFAULT_HOURS[urgency][step]:
                    errors.append(f"Unknown kind '{kind}'.")
                elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_HOURS:
                    errors.append(f"Between 0 and {MAX_HOURS} hours.")
                else:
                    out.setdefault(urgency, {}).setdefault(step, {})[kind] = float(value)
    if errors:
        raise Invalid("deadline_policy", "The hours are not valid.", errors={"hours": sorted(set(errors))})
    return out


@functools.lru_cache(maxsize=8)
def _public_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


@functools.lru_cache(maxsize=2048)
def _publicly_worked(day: dt.date) -> bool:
    # Asked for every day a deadline spans, at every decision: the package's own check parses and looks
    # up afresh each time (1% of a decision's CPU by sampling, 2026-12-06), and its answer never changes.
    return bool(_public_holidays(day.year).is_working_day(day))


def is_working_day(day: dt.date, days_off: frozenset[dt.date] = frozenset()) -> bool:
    """Say whether a day is worked: Monday to Friday or a substituted Saturday, not a holiday or a day off."""
    return day not in days_off and _publicly_worked(day)


#: The languages the interface speaks, as the holidays package names them.
_HOLIDAY_LANGUAGES = {"vi": "vi", "en": "en_US"}


@functools.lru_cache(maxsize=8)
def _named_holidays(year: int, language: str = "vi") -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language=_HOLIDAY_LANGUAGES.get(language, "vi"))


def holiday_name(day: dt.date) -> str | None:
    """Return the public holiday a day is (its Vietnamese name), if it is one."""
    name = _named_holidays(day.year).get(day)
    return str(name) if name else None


def public_holidays(year: int, language: str = "vi") -> list[tuple[dt.date, str]]:
    """Return the year's public holidays and days off in exchange, named in `language` (vi or en)."""
    return sorted((day, str(name)) for day, name in _named_holidays(year, language).items())


def add_working_hours(start: dt.datetime, hours: float, days_off: frozenset[dt.date] = frozenset()) -> dt.datetime:
    """Return the moment `hours` working hours after `start` (both UTC), counted in Hanoi's working sessions."""
    left = dt.timedelta(hours=hours)
    local = start.astimezone(ZONE)
    day = local.date()
    for _ in range(366 * 2):  # a policy's hours fit in far fewer days; the bound only guards a bad calendar
        if is_working_day(day, days_off):
            for opens, closes in SESSIONS:
                session_start = dt.datetime.combine(day, opens, ZONE)
                session_end = dt.datetime.combine(day, closes, ZONE)
                begin = max(session_start, local)
                if begin >= session_end:
                    continue
                if begin + left <= session_end:
                    return (begin + left).astimezone(dt.UTC)
                left -= session_end - begin
        day += dt.timedelta(days=1)
        local = dt.datetime.combine(day, dt.time(0, 0), ZONE)
    raise ValueError("no working time within two years")


def is_overdue(statement: Any, now: dt.datetime | None = None) -> bool:
    """Say whether a statement's open step is past its due time."""
    due = getattr(statement, "due_at", None)
    return bool(due is not None and statement.state in STEPS and due < (now or utcnow()))
