"""What a report says, section by section, for the page, the PDF, the DOCX, the spreadsheet and the CSV.

The same sentences and tables everywhere, in the language of the moment (the official documents ask for
Vietnamese). Each table row keeps a stable key beside its label, so the CSV reads the same in any language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from statements.i18n import day_text
from statements.reports import periods
from statements.web.labels import (
    ASSESSMENT_LABELS,
    CHANNEL_LABELS,
    EMERGENCY_OUTCOME_LABELS,
    GROUND_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    STATE_LABELS,
)
from workflow.deadlines import ZONE

Cell = str | int | float | dt.date | None
#: Below this many, a 90th percentile is simply the longest: the report says so.
FEW = 10


@dataclass(frozen=True)
class Table:
    """A table of figures: `key` names it in the spreadsheet and the CSV, `keys` its rows there."""

    key: str
    caption: str
    header: list[str]
    rows: list[list[Cell]]
    keys: list[str]
    #: The columns' stable keys, as the header's labels are in the language of the moment.
    columns: list[str]
    #: The last row adds up the others.
    total: bool = False


@dataclass(frozen=True)
class Section:
    """A numbered part of the report: its sentences, its tables and the charts drawn from them."""

    key: str
    title: str
    lines: list[str]
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)


def hours(value: float | None) -> str:
    """Return hours as the report writes them: "12,5" in Vietnamese, "12.5" in English, "—" for none."""
    return "—" if value is None else format_decimal(value, "#,##0.0")


def title(report: dict[str, Any]) -> str:
    """Return the report's title line, after "BÁO CÁO"."""
    return _("Results of informing the press and the public, %(period)s", period=_period_words(report))


def _period_words(report: dict[str, Any]) -> str:
    locale = get_locale()
    if locale is not None and locale.language == "vi":  # the words the period was named with
        return str(report["period"]["title"])
    named = periods.parse(report["period"]["key"]).title_en
    return named or _("%(since)s to %(until)s", since=day_text(report["since"]), until=day_text(report["until"]))


def coverage(report: dict[str, Any]) -> str:
    """Return what the report covers: its days, when its figures were read, and which units."""
    as_of = dt.datetime.fromisoformat(report["as_of"].replace("Z", "+00:00")).astimezone(ZONE)
    below = len(report["units"]) - 1
    units = (
        ngettext(
            "%(unit)s and %(num)d unit below it",
            "%(unit)s and %(num)d units below it",
            below,
            unit=report["unit_name"],
        )
        if report["rolled_up"] and below
        else _("%(unit)s alone, without the units below it", unit=report["unit_name"])
        if not report["rolled_up"]
        else report["unit_name"]
    )
    return _(
        "Figures from %(since)s to %(until)s, as they stood at %(time)s on %(day)s; covering %(units)s.",
        since=day_text(report["since"]),
        until=day_text(report["until"]),
        time=f"{as_of:%H:%M}",
        day=day_text(as_of.date()),
        units=units,
    )


def _spread_line(spread: dict[str, Any]) -> str:
    median, p90 = hours(spread["median_hours"]), hours(spread["p90_hours"])
    if not spread["count"]:
        return _("Nothing was released in the period.")
    if spread["count"] < FEW:
        return _("From draft to release they took %(median)s hours at the median, %(longest)s hours at the longest.",
                 median=median, longest=p90)  # fmt: skip
    return _("From draft to release they took %(median)s hours at the median; 90%% of them within %(p90)s hours.",
             median=median, p90=p90)  # fmt: skip


def sections(report: dict[str, Any]) -> list[Section]:
    """Return the report's sections in order."""
    s, press, watch = report["statements"], report["press"], report["watch"]
    emergency, disclosure, record = s["emergency"], report["disclosure"], report["record"]
    count, median, p90 = _("Number of statements"), _("Median (hours)"), _("Nine in ten within (hours)")
    figures = [
        Section(
            "statements",
            _("Drafting, deciding and releasing press statements"),
            [
                _(
                    "In the period, %(drafted)d press statements were drafted and %(released)d released.",
                    drafted=s["drafted"],
                    released=s["released"],
                ),
                _spread_line(s["draft_to_release"]),
                _("Corrections released: %(n)d.", n=s["corrections_released"]),
            ],
            [
                _table(
                    "by_kind",
                    _("By kind"),
                    [("kind", _("Kind")), ("drafted", _("Drafted")), ("released", _("Released"))],
                    [(r["kind"], [str(KIND_LABELS[r["kind"]]), r["drafted"], r["released"]]) for r in s["by_kind"]],
                    total=True,
                ),
                _counted(
                    "outcomes",
                    _("What became of the statements"),
                    "outcome",
                    _("Outcome"),
                    count,
                    s["outcomes"],
                    STATE_LABELS,
                ),
                _counted(
                    "by_channel",
                    _("Released, by channel (a statement may go out through several)"),
                    "channel",
                    _("Channel"),
                    count,
                    s["by_channel"],
                    CHANNEL_LABELS,
                ),
                _table(
                    "weekly",
                    _("Time from draft to release, week by week"),
                    [
                        ("week", _("Week (from)")),
                        ("released", _("Released")),
                        ("median_hours", median),
                        ("p90_hours", p90),
                    ],
                    [
                        (r["week"], [dt.date.fromisoformat(r["week"]), r["count"], r["median_hours"], r["p90_hours"]])
                        for r in s["weekly"]
                    ],
                ),
            ],
            ["weekly", "outcomes"],
        ),
        Section(
            "timeliness",
            _("Time taken, delays and referrals to leadership"),
            [
                _("Steps that went past their due time: %(n)d.", n=s["overdue_steps"]),
                _(
                    "Referrals to leadership for its opinion: %(sign_off)d; automatic referrals up past a due time: "
                    "%(deadline)d.",
                    **s["escalations"],
                ),
                _(
                    "Emergency releases: %(n)d; awaiting their review: %(waiting)d, of which past its due time: "
                    "%(late)d.",
                    n=emergency["releases"],
                    waiting=emergency["awaiting_review"],
                    late=emergency["review_overdue"],
                ),
            ],
            [
                _table(
                    "steps",
                    _("Time at each step (steps ended in the period)"),
                    [("step", _("Step")), ("count", _("Times taken")), ("median_hours", median), ("p90_hours", p90)],
                    [
                        (r["step"], [_step(r["step"]), r["count"], r["median_hours"], r["p90_hours"]])
                        for r in s["steps"]
                    ],
                ),
                _table(
                    "emergency_reviews",
                    _("Reviews of emergency releases"),
                    [("review", _("Review")), ("count", count)],
                    [(k, [str(EMERGENCY_OUTCOME_LABELS[k]), n]) for k, n in emergency["reviewed"].items()],
                ),
            ],
            ["overdue"],
        ),
        Section(
            "press",
            _("Requests for information from the press"),
            [
                _(
                    "%(n)d requests for information from the press were received: %(on_time)d answered on time, "
                    "%(late)d answered late, %(refused)d refused; %(open)d await an answer (%(overdue)d of them past "
                    "their time).",
                    n=press["received"],
                    on_time=press["answered_on_time"],
                    late=press["answered_late"],
                    refused=press["refused"],
                    open=press["open"] + press["open_overdue"],
                    overdue=press["open_overdue"],
                ),
            ],
            [
                _counted(
                    "refused_by_ground",
                    _("Refused, by the grounds of the Press Law 2016, Art. 38"),
                    "ground",
                    _("Ground"),
                    _("Requests"),
                    press["refused_by_ground"],
                    GROUND_LABELS,
                ),
            ],
        ),
        Section(
            "watch",
            _("Information seen online and in public opinion, and corrections"),
            [
                ngettext(
                    "%(num)d item seen online or in public opinion was recorded; %(corrected)d corrected.",
                    "%(num)d items seen online or in public opinion were recorded; %(corrected)d corrected.",
                    watch["recorded"],
                    corrected=watch["with_correction"],
                ),
            ],
            [
                _counted(
                    "by_assessment",
                    _("Items seen outside, by how they were judged"),
                    "assessment",
                    _("Judged"),
                    _("Items"),
                    watch["by_assessment"],
                    ASSESSMENT_LABELS,
                ),
            ],
        ),
        Section(
            "disclosure",
            _("Disclosure cases"),
            [
                _(
                    "Cases opened: %(opened)d; closed: %(closed)d.",
                    opened=disclosure["opened"],
                    closed=disclosure["closed"],
                )
            ],
            [
                _counted(
                    "by_finding",
                    _("Cases closed, by what they found"),
                    ("finding", "outcome"),
                    _("Finding"),
                    _("Cases"),
                    disclosure["by_outcome"],
                    OUTCOME_LABELS,
                ),
            ],
        ),
        Section(
            "record",
            _("Commendations and violations"),
            [
                _(
                    "Commendations recorded: %(c)d; violations recorded: %(v)d.",
                    c=record["commendations"],
                    v=record["violations"],
                )
            ],
        ),
        Section(
            "units",
            _("Figures by unit"),
            [],
            [
                _table(
                    "by_unit",
                    _("Figures by unit"),
                    [
                        ("unit", _("Unit")),
                        ("drafted", _("Drafted")),
                        ("released", _("Released")),
                        ("overdue", _("Overdue steps")),
                        ("press_received", _("Press requests")),
                        ("press_late", _("Answered late or overdue")),
                        ("rumours", _("Seen outside")),
                        ("violations", _("Violations")),
                        ("commendations", _("Commendations")),
                    ],
                    [
                        (
                            r["unit"],
                            [
                                r["name"],
                                r["drafted"],
                                r["released"],
                                r["overdue"],
                                r["press_received"],
                                r["press_late"],
                                r["rumours"],
                                r["violations"],
                                r["commendations"],
                            ],
                        )
                        for r in report["by_unit"]
                    ],
                    total=len(report["by_unit"]) > 1,
                ),
            ],
        ),
    ]
    return [*figures, *_remarks(report.get("remarks") or {})]


def _remarks(remarks: dict[str, str]) -> list[Section]:
    """Return the parts the unit wrote in its own words when it issued the report, each a section of its own."""
    titles = {
        "assessment": _("General assessment"),
        "shortcomings": _("Shortcomings and limitations"),
        "plans": _("Directions and tasks ahead"),
        "proposals": _("Recommendations and proposals"),
    }
    return [
        Section(part, titles[part], [line.strip() for line in remarks[part].split("\n") if line.strip()])
        for part in titles
        if remarks.get(part)
    ]


def _table(key: str, caption: str, header: list[tuple[str, str]], rows: list[tuple[str, list[Cell]]], *,
           total: bool = False) -> Table:  # fmt: skip
    columns, labels = [k for k, _label in header], [label for _k, label in header]
    keys, cells = [k for k, _row in rows], [row for _k, row in rows]
    if total and cells:
        sums: list[Cell] = [_("Total")]
        sums += [sum(v for row in cells if isinstance(v := row[i], int)) for i in range(1, len(header))]
        keys, cells = [*keys, "total"], [*cells, sums]
    return Table(key, caption, labels, cells, keys, columns, total and bool(rows))


def _counted(
    key: str,
    caption: str,
    column: str | tuple[str, str],
    heading: str,
    count: str,
    rows: list[dict[str, Any]],
    labels: Mapping[str, Any],
) -> Table:
    # A table of counts by one thing (its column, and the figures' field it is read from when they differ).
    name, field = (column, column) if isinstance(column, str) else column
    return _table(
        key,
        caption,
        [(name, heading), ("count", count)],
        [(r[field], [str(labels[r[field]]), r["count"]]) for r in rows],
    )


def _step(step: str) -> str:
    return {
        "review": _("Review by the spokesperson"),
        "sign_off": _("Sign-off by leadership"),
        "release": _("Release after approval"),
        "revision": _("Revision by the drafter"),
    }[step]
