"""The report's charts, drawn on the server with matplotlib: SVG for the page, PNG for the DOCX and the PDF.

No script runs anywhere: the page shows each SVG as an image (`data:` URL, which the CSP allows for
images), so the chart cannot run code or be restyled by the page; the documents embed the PNG. Text is
drawn as outlines (matplotlib's default), so Vietnamese letters look the same on every reader's machine.
Each chart is drawn on its own `Figure`, never through pyplot's global state, so requests can draw at once.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from statements.web.labels import STATE_LABELS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Colours that stay apart in grey print and for colour-blind readers (Okabe–Ito).
BLUE, ORANGE, GREEN, VERMILION, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#555555"
#: The width and height of a chart in inches: the width of an A4 page's text.
SIZE = (6.3, 2.8)
MOST_UNITS = 12


@dataclass(frozen=True)
class Chart:
    """A drawn chart: what it shows in words (its caption and alternative text) and its two renderings."""

    name: str
    caption: str
    #: What the chart shows, in a sentence: its alternative text, beyond the caption beside it.
    summary: str
    svg: str
    png: bytes

    @property
    def data_url(self) -> str:
        """Return the SVG as an image address the page can show under its CSP."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def charts(report: dict[str, Any]) -> list[Chart]:
    """Return the report's charts: time to release week by week, statements by outcome, overdue steps by unit."""
    figures = report["statements"]
    weekly = [row for row in figures["weekly"] if row["count"]]
    medians = [row["median_hours"] for row in weekly]
    drawn = [
        _chart(
            "weekly",
            _("Time from draft to release, week by week (hours)"),
            _("%(weeks)d weeks with releases; the weekly median from %(low)s to %(high)s hours.",
              weeks=len(weekly), low=_hours(min(medians, default=None)), high=_hours(max(medians, default=None))),
            _weekly,
            figures["weekly"],
        ),
        _chart(
            "outcomes",
            _("What became of the statements"),
            "; ".join(f"{STATE_LABELS[row['outcome']]}: {row['count']}" for row in figures["outcomes"]),
            _outcomes,
            figures["outcomes"],
        ),
    ]  # fmt: skip
    late = sorted((row for row in report["by_unit"] if row["overdue"]), key=lambda row: (-row["overdue"], row["unit"]))
    if late:
        summary = "; ".join(f"{row['name']}: {row['overdue']}" for row in late[:MOST_UNITS])
        drawn.append(_chart("overdue", _("Overdue steps by unit"), summary, _overdue, late))
    return drawn


def _hours(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.0")


def _chart(name: str, caption: str, summary: str, draw: Callable[[Figure, Any], None], data: Any) -> Chart:
    # Imported when a chart is drawn, not when the app starts: every worker would load matplotlib otherwise.
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE, layout="constrained")
    draw(figure, data)
    svg, png = io.BytesIO(), io.BytesIO()
    # No date and a fixed salt: the same figures draw the same file.
    figure.savefig(svg, format="svg", metadata={"Date": None})
    figure.savefig(png, format="png", dpi=200, metadata={"Software": None})
    return Chart(name, caption, summary, svg.getvalue().decode(), png.getvalue())


def _style(axes: Any, grid: str) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=8, colors=GREY)
    axes.grid(axis=grid, alpha=0.3)
    # Numbers as the language writes them: "12,5" in Vietnamese.
    axis = axes.yaxis if grid == "y" else axes.xaxis
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _pos: format_decimal(value, "#,##0.#")))


def _weekly(figure: Figure, weekly: list[dict[str, Any]]) -> None:
    axes = figure.add_subplot()
    weeks = [dt.date.fromisoformat(row["week"]) for row in weekly]
    x = range(len(weeks))

    def series(key: str) -> list[float]:
        return [math.nan if row[key] is None else row[key] for row in weekly]

    axes.plot(x, series("median_hours"), marker="o", color=BLUE, label=_("Median"))
    axes.plot(x, series("p90_hours"), marker="s", linestyle="--", color=ORANGE, label=_("Nine in ten statements"))
    step = -(-len(weeks) // 13)  # at most thirteen dates under the axis, however long the period
    axes.set_xticks(list(x)[::step], [f"{w:%d/%m}" for w in weeks][::step])
    axes.set_xlabel(_("Week (from)"), fontsize=8, color=GREY)
    axes.set_ylabel(_("hours"), fontsize=8, color=GREY)
    # An hour at least: a period of releases within minutes would otherwise draw its points on the axis.
    axes.set_ylim(bottom=0, top=max([1.0, *(v for v in series("p90_hours") if not math.isnan(v))]) * 1.1)
    axes.legend(fontsize=8, frameon=False)
    _style(axes, "y")
    if not any(row["count"] for row in weekly):
        axes.text(0.5, 0.5, _("Nothing released in the period"), transform=axes.transAxes, ha="center", color=GREY)


def _outcomes(figure: Figure, outcomes: list[dict[str, Any]]) -> None:
    axes = figure.add_subplot()
    names = [str(STATE_LABELS[row["outcome"]]) for row in outcomes]
    counts = [row["count"] for row in outcomes]
    bars = axes.barh(names, counts, color=[GREEN, VERMILION, GREY, ORANGE][: len(names)])
    axes.bar_label(bars, fontsize=8, padding=2)
    axes.invert_yaxis()
    # From nought, a whole number at least: with nothing decided the axis would otherwise run from -0.05.
    axes.set_xlim(left=0, right=max([1, *counts]) * 1.1)
    axes.xaxis.get_major_locator().set_params(integer=True)
    _style(axes, "x")
    if not any(counts):
        axes.text(0.5, 0.5, _("Nothing decided in the period"), transform=axes.transAxes, ha="center", color=GREY)


def _overdue(figure: Figure, rows: list[dict[str, Any]]) -> None:
    axes = figure.add_subplot()
    shown = rows[:MOST_UNITS]
    bars = axes.barh([row["unit"] for row in shown], [row["overdue"] for row in shown], color=VERMILION)
    axes.bar_label(bars, fontsize=8, padding=2)
    axes.invert_yaxis()
    axes.xaxis.get_major_locator().set_params(integer=True)
    if len(rows) > MOST_UNITS:
        axes.set_title(_("the %(n)d units with most; the table lists all", n=MOST_UNITS), fontsize=8, color=GREY)
    _style(axes, "x")
