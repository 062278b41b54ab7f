"""What a report says, section by section, for the page, the PDF, the DOCX, the spreadsheet and the CSV.

The same sentences and tables everywhere, in the language of the moment (the official documents ask for
Vietnamese).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from statements.i18n import day_text
from statements.web.labels import (
    ASSESSMENT_LABELS,
    CHANNEL_LABELS,
    EMERGENCY_OUTCOME_LABELS,
    GROUND_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    STATE_LABELS,
)

Cell = str | int | float | dt.date | None


@dataclass(frozen=True)
class Table:
    """A table of figures: `key` names it in the spreadsheet and the CSV."""

    key: str
    caption: str
    header: list[str]
    rows: list[list[Cell]]


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
    return _(
        "Results of informing the press and the public, %(period)s",
        period=_period_words(report),
    )


def _period_words(report: dict[str, Any]) -> str:
    locale = get_locale()
    if locale is not None and locale.language == "vi":  # the words the period was named with
        return str(report["period"]["title"])
    return _("%(since)s to %(until)s", since=day_text(report["since"]), until=day_text(report["until"]))


def sections(report: dict[str, Any]) -> list[Section]:
    """Return the report's sections in order."""
    s, press, watch = report["statements"], report["press"], report["watch"]
    spread = s["draft_to_release"]
    emergency = s["emergency"]
    return [
        Section(
            "statements",
            _("Statements drafted, decided and released"),
            [
                _(
                    "%(drafted)d statements were drafted and %(released)d released in the period.",
                    drafted=s["drafted"],
                    released=s["released"],
                ),
                _(
                    "From draft to release they took %(median)s hours at the median and %(p90)s hours for nine in ten.",
                    median=hours(spread["median_hours"]),
                    p90=hours(spread["p90_hours"]),
                ),
                _("Corrections released: %(n)d.", n=s["corrections_released"]),
            ],
            [
                Table(
                    "by_kind",
                    _("By kind"),
                    [_("Kind"), _("Drafted"), _("Released")],
                    [[str(KIND_LABELS[r["kind"]]), r["drafted"], r["released"]] for r in s["by_kind"]],
                ),
                Table(
                    "outcomes",
                    _("Decisions by outcome"),
                    [_("Outcome"), _("How many")],
                    [[str(STATE_LABELS[r["outcome"]]), r["count"]] for r in s["outcomes"]],
                ),
                Table(
                    "by_channel",
                    _("Released by channel"),
                    [_("Channel"), _("How many")],
                    [[str(CHANNEL_LABELS[r["channel"]]), r["count"]] for r in s["by_channel"]],
                ),
                Table(
                    "weekly",
                    _("Time from draft to release, week by week"),
                    [_("Week starting"), _("Released"), _("Median (hours)"), _("90th percentile (hours)")],
                    [
                        [dt.date.fromisoformat(r["week"]), r["count"], r["median_hours"], r["p90_hours"]]
                        for r in s["weekly"]
                    ],
                ),
            ],
            ["weekly", "outcomes"],
        ),
        Section(
            "timeliness",
            _("Time at each step, overdue steps and escalations"),
            [
                _("Steps that passed their due time: %(n)d.", n=s["overdue_steps"]),
                _(
                    "Escalated to leadership for sign-off: %(sign_off)d; escalated by the system past a deadline: "
                    "%(deadline)d.",
                    **s["escalations"],
                ),
                _(
                    "Emergency releases: %(n)d; awaiting their review: %(waiting)d, of which past its due time:"
                    " %(late)d.",
                    n=emergency["releases"],
                    waiting=emergency["awaiting_review"],
                    late=emergency["review_overdue"],
                ),
            ],
            [
                Table(
                    "steps",
                    _("Time at each step (steps ended in the period)"),
                    [_("Step"), _("Ended"), _("Median (hours)"), _("90th percentile (hours)")],
                    [[_step(r["step"]), r["count"], r["median_hours"], r["p90_hours"]] for r in s["steps"]],
                ),
                Table(
                    "emergency_reviews",
                    _("Reviews of emergency releases"),
                    [_("Review"), _("Releases")],
                    [[str(EMERGENCY_OUTCOME_LABELS[k]), n] for k, n in emergency["reviewed"].items()],
                ),
            ],
            ["overdue"],
        ),
        Section(
            "press",
            _("Questions from the press"),
            [
                _(
                    "%(n)d questions were received: %(on_time)d answered on time, %(late)d answered late, %(refused)d "
                    "refused; %(open)d await an answer, %(overdue)d of them past their time.",
                    n=press["received"],
                    on_time=press["answered_on_time"],
                    late=press["answered_late"],
                    refused=press["refused"],
                    open=press["open"] + press["open_overdue"],
                    overdue=press["open_overdue"],
                ),
            ],
            [
                Table(
                    "refused_by_ground",
                    _("Refused, by the Press Law's grounds (Art. 38)"),
                    [_("Ground"), _("Questions")],
                    [[str(GROUND_LABELS[r["ground"]]), r["count"]] for r in press["refused_by_ground"]],
                ),
            ],
        ),
        Section(
            "watch",
            _("Information seen outside and corrections"),
            [
                _(
                    "%(n)d items seen outside were recorded; %(corrected)d of them are answered by a correction.",
                    n=watch["recorded"],
                    corrected=watch["with_correction"],
                ),
            ],
            [
                Table(
                    "by_assessment",
                    _("Items seen outside, by how they were judged"),
                    [_("Judged"), _("Items")],
                    [[str(ASSESSMENT_LABELS[r["assessment"]]), r["count"]] for r in watch["by_assessment"]],
                ),
            ],
        ),
        Section(
            "disclosure",
            _("Disclosure cases"),
            [
                _(
                    "Cases opened: %(opened)d; closed: %(closed)d.",
                    opened=report["disclosure"]["opened"],
                    closed=report["disclosure"]["closed"],
                )
            ],
            [
                Table(
                    "by_finding",
                    _("Cases closed, by what they found"),
                    [_("Finding"), _("Cases")],
                    [[str(OUTCOME_LABELS[r["outcome"]]), r["count"]] for r in report["disclosure"]["by_outcome"]],
                ),
            ],
        ),
        Section(
            "record",
            _("Commendations and violations"),
            [
                _(
                    "Commendations recorded: %(c)d; violations recorded: %(v)d.",
                    c=report["record"]["commendations"],
                    v=report["record"]["violations"],
                )
            ],
        ),
        Section(
            "units",
            _("By unit"),
            [],
            [
                Table(
                    "by_unit",
                    _("Figures by unit"),
                    [
                        _("Unit"),
                        _("Drafted"),
                        _("Released"),
                        _("Overdue steps"),
                        _("Press questions"),
                        _("Answered late or overdue"),
                        _("Seen outside"),
                        _("Violations"),
                        _("Commendations"),
                    ],
                    [
                        [
                            f"{r['unit']} — {r['name']}",
                            r["drafted"],
                            r["released"],
                            r["overdue"],
                            r["press_received"],
                            r["press_late"],
                            r["rumours"],
                            r["violations"],
                            r["commendations"],
                        ]
                        for r in report["by_unit"]
                    ],
                ),
            ],
        ),
    ]


def _step(step: str) -> str:
    return {
        "review": _("Review by the spokesperson"),
        "sign_off": _("Sign-off by leadership"),
        "release": _("Release after approval"),
        "revision": _("Revision by the drafter"),
    }[step]
