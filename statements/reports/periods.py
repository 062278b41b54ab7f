"""The period a report covers: a year, a quarter, a month or a range of days, as people in Vietnam name them.

Days are Vietnam's days, both ends kept: "2026-Q1" is 1 January to 31 March 2026 in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from workflow.errors import Invalid

#: The longest range a report covers: a year, so that the week-by-week chart stays readable.
MAX_DAYS = 366
PERIOD_MESSAGE = "A year (2026), a quarter (2026-Q1), a month (2026-03) or days (2026-01-01..2026-03-31)."
ROMAN = ("I", "II", "III", "IV")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
_YEAR = re.compile(r"(\d{4})", re.ASCII)
_QUARTER = re.compile(r"(\d{4})-Q([1-4])", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", re.ASCII)


@dataclass(frozen=True)
class Period:
    """Days `since` to `until`, both kept, and how the period is written (`key`) and named."""

    key: str
    since: dt.date
    until: dt.date

    @property
    def title_vi(self) -> str:
        """Return the period as a Vietnamese report's title names it: "quý I năm 2026"."""
        if q := _QUARTER.fullmatch(self.key):
            return f"quý {ROMAN[int(q[2]) - 1]} năm {q[1]}"
        if m := _MONTH.fullmatch(self.key):
            return f"tháng {int(m[2])} năm {m[1]}"
        if _YEAR.fullmatch(self.key):
            return f"năm {self.key}"
        return f"từ ngày {self.since:%d/%m/%Y} đến ngày {self.until:%d/%m/%Y}"

    @property
    def title_en(self) -> str | None:
        """Return the period as an English report names it ("Q1 2026", "March 2026", "2026"); None for days."""
        if q := _QUARTER.fullmatch(self.key):
            return f"Q{q[2]} {q[1]}"
        if _MONTH.fullmatch(self.key):
            return f"{MONTHS[self.since.month - 1]} {self.since.year}"
        if _YEAR.fullmatch(self.key):
            return self.key
        return None

    @property
    def file_key(self) -> str:
        """Return the period as it goes into a file name."""
        return self.key.replace("..", "_")


#: The ways people write a quarter, a month or a year in Vietnamese, read as the forms above.
_SPOKEN = (
    (re.compile(r"(?:quý|q)\s*([1-4]|i{1,3}|iv)\s*(?:/|-|năm)\s*([0-9]{4})"), "quarter"),
    (re.compile(r"([0-9]{4})\s*-\s*q([1-4])"), "quarter_iso"),
    (re.compile(r"(?:tháng\s*)?([0-9]{1,2})\s*(?:/|-|năm)\s*([0-9]{4})"), "month"),
    (re.compile(r"năm\s*([0-9]{4})"), "year"),
)


def _canonical(text: str) -> str:
    """Return the period as the canonical forms write it: "quý I/2026" as "2026-Q1", "3/2026" as "2026-03"."""
    spoken = " ".join(text.lower().split())
    for pattern, form in _SPOKEN:
        if m := pattern.fullmatch(spoken):
            if form == "quarter":
                number = m[1] if m[1].isdigit() else str(ROMAN.index(m[1].upper()) + 1)
                return f"{m[2]}-Q{number}"
            if form == "quarter_iso":
                return f"{m[1]}-Q{m[2]}"
            if form == "month":
                return f"{m[2]}-{int(m[1]):02d}"
            return m[1]
    return text.strip()


def parse(text: object) -> Period:
    """Return the period the text names, or refuse it with the forms that are understood."""
    if not isinstance(text, str) or len(text) > 40:
        raise _refused()
    key = _canonical(text)
    try:
        if _YEAR.fullmatch(key):
            year = int(key)
            return _checked(Period(key, dt.date(year, 1, 1), dt.date(year, 12, 31)))
        if q := _QUARTER.fullmatch(key):
            year, quarter = int(q[1]), int(q[2])
            first = dt.date(year, 3 * quarter - 2, 1)
            return _checked(Period(key, first, _month_end(year, 3 * quarter)))
        if m := _MONTH.fullmatch(key):
            year, month = int(m[1]), int(m[2])
            return _checked(Period(key, dt.date(year, month, 1), _month_end(year, month)))
        if r := _RANGE.fullmatch(key):
            since, until = dt.date.fromisoformat(r[1]), dt.date.fromisoformat(r[2])
            if until < since or (until - since).days >= MAX_DAYS:
                raise _refused(f"The last day comes on or after the first, at most {MAX_DAYS} days in all.")
            return _checked(Period(key, since, until))
    except ValueError:  # a month 13, a 30 February
        raise _refused() from None
    raise _refused()


def current_quarter(today: dt.date) -> Period:
    """Return the quarter the day falls in (the report page opens on it)."""
    return parse(f"{today.year}-Q{(today.month - 1) // 3 + 1}")


def previous_quarter(period: Period) -> Period:
    """Return the quarter before the one the period starts in."""
    before = period.since.replace(day=1) - dt.timedelta(days=1)
    return current_quarter(before)


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _checked(period: Period) -> Period:
    if period.since.year < 2000 or period.until.year > 2100:
        raise _refused("A period between the years 2000 and 2100.")
    return period


def _refused(message: str = PERIOD_MESSAGE) -> Invalid:
    return Invalid("period", "The period is not understood.", errors={"period": [message]})
