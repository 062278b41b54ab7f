"""A statement's figures: the standard measures of letter 6006 §2, with their source and the previous period.

Letter 6006/BYT-TT-KT (§2) asks health authorities to give figures summarised and analysed, never raw. A
statement may carry one figures block: the period and the area it covers, the measures the letter names
(each with the system it comes from and the figure for the previous period) and the analysis that says
what they mean and why they changed. `clean` is the one check of a block for the API, the forms and the
command line; `changes` and `raw_share` are what the editor and the spokesperson are shown.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from babel.numbers import format_decimal

from workflow.errors import Invalid

#: The measures the letter names, in the order they are shown.
MEASURES = (
    "new_cases",
    "under_treatment",
    "recovered",
    "deaths",
    "quarantine",
    "tests",
    "vaccinations",
    "adverse_events",
)
MAX_AREA = 200
MAX_SOURCE = 100
MAX_ANALYSIS = 10_000
#: Larger than any count of people in a country of 100 million (a guard against typing errors).
MAX_VALUE = 1_000_000_000
#: The words an analysis needs at least, and the share of numbers above which a body reads as raw figures,
#: unless the unit sets its own (6006 §2).
DEFAULT_MIN_ANALYSIS_WORDS = 15
DEFAULT_RAW_SHARE_PERCENT = 30
FIGURES_SOURCE = (
    "Công văn 6006/BYT-TT-KT của Bộ Y tế, mục 2 (số liệu phải được tổng hợp, phân tích, không công bố số liệu thô)"
)


def words_needed(unit_minimum: int | None) -> int:
    """Return the words an analysis needs: the unit's own minimum (0 is one), else the default."""
    return DEFAULT_MIN_ANALYSIS_WORDS if unit_minimum is None else unit_minimum


def raw_share_percent(unit_percent: int | None) -> int:
    """Return the share of numbers from which a body reads as raw figures: the unit's own, else the default."""
    return DEFAULT_RAW_SHARE_PERCENT if unit_percent is None else unit_percent


_WORD = re.compile(r"[^\W_]+(?:[.,][^\W_]+)*")
_NUMBER = re.compile(r"[+-]?[0-9][0-9.,/:%-]*")


def clean(block: Any) -> dict[str, Any] | None:
    """Return the figures block in its stored form, or None for none; refuse what is not one, naming each field."""
    if block is None or block == {}:
        return None
    if not isinstance(block, dict):
        raise _invalid({"figures": ["An object with subject, period, area, measures and analysis."]})
    errors: dict[str, list[str]] = {}
    unknown = set(block) - {"subject", "period", "area", "measures", "analysis"}
    if unknown:
        errors["figures"] = [f"Unknown field: {', '.join(sorted(unknown))}."]
    period = _period(block.get("period"), errors)
    area = block.get("area")
    if not isinstance(area, str) or not area.strip():
        errors["figures.area"] = ["The area the figures cover is required."]
    elif len(area) > MAX_AREA:
        errors["figures.area"] = [f"Longer than maximum length {MAX_AREA}."]
    subject = block.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        errors["figures.subject"] = ["What the figures count is required (a disease, an event)."]
    elif len(subject) > MAX_AREA:
        errors["figures.subject"] = [f"Longer than maximum length {MAX_AREA}."]
    measures = _measures(block.get("measures"), errors)
    analysis = block.get("analysis", "")
    if analysis is None:
        analysis = ""
    if not isinstance(analysis, str) or len(analysis) > MAX_ANALYSIS:
        errors["figures.analysis"] = [f"A text of at most {MAX_ANALYSIS} characters."]
    if errors or not isinstance(area, str) or not isinstance(subject, str) or not isinstance(analysis, str):
        raise _invalid(errors)
    return {
        "subject": subject.strip(),
        "period": period,
        "area": area.strip(),
        "measures": measures,
        "analysis": analysis.strip(),
    }


def _invalid(errors: dict[str, list[str]]) -> Invalid:
    return Invalid("figures", "The figures are not valid.", errors=errors)


def _period(period: Any, errors: dict[str, list[str]]) -> dict[str, Any] | None:
    if not isinstance(period, dict) or set(period) != {"start", "end"}:
        errors["figures.period"] = ["A period with its first and last day (start, end)."]
        return None
    try:
        start, end = (dt.date.fromisoformat(period[k]) for k in ("start", "end"))
    except (TypeError, ValueError):
        errors["figures.period"] = ["Days as YYYY-MM-DD."]
        return None
    if end < start:
        errors["figures.period"] = ["The period ends before it begins."]
    elif (end - start).days > 366:
        errors["figures.period"] = ["A period of at most a year."]
    return {"start": start.isoformat(), "end": end.isoformat()}


def _measures(measures: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    if not isinstance(measures, list) or not measures:
        errors["figures.measures"] = ["At least one measure."]
        return []
    cleaned: dict[str, dict[str, Any]] = {}
    for item in measures:
        name = item.get("measure") if isinstance(item, dict) else None
        key = f"figures.{name}" if name in MEASURES else "figures.measures"
        if name not in MEASURES:
            errors[key] = [f"Each measure is one of: {', '.join(MEASURES)}."]
            continue
        if name in cleaned:
            errors[key] = ["Each measure at most once."]
            continue
        value, previous, source = item.get("value"), item.get("previous"), item.get("source")
        if not _count(value):
            errors[key] = [f"A whole number from 0 to {MAX_VALUE}."]
        elif previous is not None and not _count(previous):
            errors[key] = [f"The previous period's figure is a whole number from 0 to {MAX_VALUE}."]
        elif not isinstance(source, str) or not source.strip() or len(source) > MAX_SOURCE:
            errors[key] = ["The system the figure comes from is required."]
        else:
            cleaned[name] = {"measure": name, "value": value, "previous": previous, "source": source.strip()}
    return [cleaned[m] for m in MEASURES if m in cleaned]


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_VALUE


def analysis_words(block: dict[str, Any] | None) -> int:
    """Return how many words the block's analysis has (none without a block)."""
    return len(_WORD.findall(block.get("analysis", ""))) if block else 0


def change_of(value: Any, previous: Any) -> tuple[int | None, float | None]:
    """Return the change from the previous period and its percent (None where there is none to give)."""
    if not _count(value) or not _count(previous):
        return None, None
    change = value - previous
    return change, (round(100 * change / previous, 1) if previous else None)


def changes(block: dict[str, Any]) -> list[dict[str, Any]]:
    """Return each measure with its change from the previous period (absolute and in percent, if any)."""
    return [
        m | dict(zip(("change", "percent"), change_of(m["value"], m["previous"]), strict=True))
        for m in block["measures"]
    ]


def raw_share(body: str) -> float:
    """Return the share of the body's words that are numbers: a body mostly of numbers reads as raw figures."""
    # Words as written between spaces: "COVID-19" and "H5N1" are names, "1.245", "8%" and "23/11" are numbers.
    words = [w.strip("()[]\"“”'.,;:!?…") for w in body.split()]
    words = [w for w in words if w]
    if not words:
        return 0.0
    return round(sum(1 for w in words if _NUMBER.fullmatch(w)) / len(words), 3)


def same_period(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Say whether two blocks count the same thing in the same period and area (case and spaces aside)."""
    if not a or not b:
        return False
    return a["period"] == b["period"] and all(_plain(a[k]) == _plain(b[k]) for k in ("subject", "area"))


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


def disagreements(block: dict[str, Any], released: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the measures whose figure differs from the same measure of a released block of the same period."""
    theirs = {m["measure"]: m["value"] for m in released["measures"]}
    return [
        {"measure": m["measure"], "value": m["value"], "released": theirs[m["measure"]]}
        for m in block["measures"]
        if m["measure"] in theirs and theirs[m["measure"]] != m["value"]
    ]


#: The measures' names in the copies, which are in Vietnamese whatever the reader's interface.
MEASURE_NAMES_VI = {
    "new_cases": "Số ca mắc mới",
    "under_treatment": "Đang điều trị",
    "recovered": "Khỏi bệnh",
    "deaths": "Tử vong",
    "quarantine": "Cách ly",
    "tests": "Xét nghiệm",
    "vaccinations": "Số mũi vắc xin đã tiêm",
    "adverse_events": "Phản ứng sau tiêm chủng",
}


def count_text(value: int, locale: str = "vi") -> str:
    """Write a count as the locale does (1.245 in Vietnamese, 1,245 in English)."""
    return format_decimal(value, format="#,##0", locale=locale)


def change_text(change: int | None, percent: float | None, locale: str = "vi") -> str:
    """Write a change from the previous period with its sign and percent ("+145, +13,2%")."""
    if change is None:
        return ""
    # A sign says which way a figure went: none went either way at 0, nor at a percent that rounds to 0.
    shown = format_decimal(change, format="+#,##0;-#,##0", locale=locale) if change else "0"
    if percent is None or round(percent, 1) == 0:
        return shown
    return f"{shown}, {format_decimal(percent, format='+#,##0.0;-#,##0.0', locale=locale)}%"


def as_text(block: dict[str, Any]) -> str:
    """Write the block as the copies carry it, in Vietnamese: period, area, each figure and the analysis."""
    start, end = (dt.date.fromisoformat(block["period"][k]) for k in ("start", "end"))
    lines = [f"SỐ LIỆU: {block['subject']}, {block['area']}, từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"]
    for m in changes(block):
        line = f"- {MEASURE_NAMES_VI[m['measure']]}: {count_text(m['value'])}"
        if m["previous"] is not None:
            line += f" (kỳ trước: {count_text(m['previous'])}; {change_text(m['change'], m['percent'])})"
        lines.append(f"{line}. Nguồn: {m['source']}.")
    if block.get("analysis"):
        lines += ["", f"Phân tích: {block['analysis']}"]
    return "\n".join(lines)


def own_words(block: dict[str, Any] | None) -> str:
    """Return the words the drafter wrote in the block (subject, area, sources, analysis), for the text checks.

    Not the measures' names: a unit's rule on "tử vong" is about reporting a death, not a row of zero deaths.
    """
    if not block:
        return ""
    sources = dict.fromkeys(m["source"] for m in block["measures"])
    return "\n".join([block["subject"], block["area"], *sources, block.get("analysis", "")])


def with_figures(body: str, block: dict[str, Any] | None) -> str:
    """Return the body as copies carry it and verification reads it: with its figures after it, if any."""
    return f"{body}\n\n{as_text(block)}" if block else body
