"""Sensitivity rules: per-unit keyword, topic and detector rules that route a statement to a leader.

The rules are policy, not hard-coded law: each carries the source it comes from, and a unit's
leaders and admins edit them. Matching keeps diacritics (so "biến chủng", a variant, does not
match "biến chứng", a complication), except where the words were typed without any diacritics,
which match the keyword without its own: dropping the accents does not slip past the rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from workflow import privacy
from workflow.db import Base, utcnow
from workflow.ledger import EntryKind, LedgerEntry
from workflow.text import (
    confusable_letters,
    fold,
    fullwidth_characters,
    invisible_characters,
    reader_text,
    strip_diacritics,
)

#: The longest rule code and name the database keeps (the API, the form and the column share them).
RULE_CODE_MAX = 64
RULE_LABEL_MAX = 200


class SensitivityRule(Base):
    """One rule of a unit: it flags a statement whose text or topics match."""

    __tablename__ = "sensitivity_rules"
    __table_args__ = (sa.UniqueConstraint("unit_id", "code", name="uq_sensitivity_rules_unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: Short stable identifier within the unit, e.g. "deaths".
    code: Mapped[str] = mapped_column(sa.String(RULE_CODE_MAX))
    label: Mapped[str] = mapped_column(sa.String(RULE_LABEL_MAX))
    keywords: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Names of built-in detectors (see DETECTORS), for what keywords cannot catch.
    detectors: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Where the rule comes from (a law, a ministry letter, a unit decision).
    source: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Match:
    """Why a rule matched: the rule and the words that made it match."""

    code: str
    label: str
    matched: str
    #: The detector that found it, when one did (a keyword or a topic is none).
    detector: str | None = None

    def as_reason(self) -> dict[str, Any]:
        """Return the reason as listed in `sensitivity_reasons`."""
        reason = {"source": "rule", "rule": self.code, "label": self.label, "matched": self.matched}
        return reason | ({"detector": self.detector} if self.detector else {})


def detect_patient_identity(text: str) -> str | None:
    """Name the details that identify a person: a name with age or address, IDs, phones, a home or a bed."""
    findings = privacy.find(text)
    if not findings:
        return None
    shown = "; ".join(f.text for f in findings[:3])
    return shown + (f"; … (+{len(findings) - 3})" if len(findings) > 3 else "")


def detect_hidden_characters(text: str) -> str | None:
    """Name the invisible characters and the look-alike letters of another script that the text carries."""
    if text.isascii():
        return None
    found: dict[str, int] = {}
    for m in invisible_characters(text):
        name = f"U+{ord(m.group(0)):04X} {unicodedata.name(m.group(0), 'FORMAT CHARACTER')}"
        found[name] = found.get(name, 0) + 1
    for letter, imitated, word in confusable_letters(text):
        name = f"U+{ord(letter):04X} {unicodedata.name(letter, '')} (“{imitated}”) in “{word}”"
        found[name] = found.get(name, 0) + 1
    for char in fullwidth_characters(text):
        name = f"U+{ord(char):04X} {unicodedata.name(char, '')}"
        found[name] = found.get(name, 0) + 1
    if not found:
        return None
    shown = [f"{name} ×{n}" if n > 1 else name for name, n in list(found.items())[:5]]
    return "; ".join(shown) + (f"; … (+{len(found) - 5})" if len(found) > 5 else "")


#: Built-in detectors a rule may name.
DETECTORS: dict[str, Callable[[str], str | None]] = {
    "patient_identity": detect_patient_identity,
    "hidden_characters": detect_hidden_characters,
}


@functools.lru_cache(maxsize=4096)
def _bare_char(ch: str) -> str:
    return (strip_diacritics(ch) or ch)[:1]


def _aligned_bare(folded: str) -> str:
    """Strip diacritics character by character, so positions in the result match positions in `folded`."""
    return "".join(map(_bare_char, folded))


def _phrase(words: list[str]) -> str:
    # A space between a phrase's words may be missing ("tửvong", where a zero-width space stood).
    return r"(?<!\w)" + " ?".join(map(re.escape, words)) + r"(?!\w)"


@functools.lru_cache(maxsize=1024)
def _keyword_patterns(keyword: str) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    needle = fold(reader_text(keyword)).strip()
    if not needle:
        return None
    return re.compile(_phrase(needle.split())), re.compile(_phrase(strip_diacritics(needle).split()))


def _keyword_hit(keyword: str, folded: str, bare: str) -> bool:
    patterns = _keyword_patterns(keyword)
    if patterns is None:
        return False
    exact, undecorated = patterns
    # Words typed without any diacritics still match; words typed with other diacritics do not.
    return bool(exact.search(folded)) or any(
        folded[m.start() : m.end()] == bare[m.start() : m.end()] for m in undecorated.finditer(bare)
    )


def match_rules(rules: Iterable[Any], title: str, body: str, topics: Iterable[str]) -> list[Match]:
    """Return the matches of the active rules against a statement's title, body and topics."""
    # Every decision on an open statement checks its text again (the rules may have changed):
    # the same rules over the same text give the same answer, so it is worked out once.
    signature = tuple(
        (r.code, r.label, tuple(r.keywords), tuple(r.topics), tuple(r.detectors)) for r in rules if r.active
    )
    return list(_matches(signature, title, body, tuple(topics)))


@functools.lru_cache(maxsize=512)
def _matches(rules: tuple[Any, ...], title: str, body: str, topics: tuple[str, ...]) -> tuple[Match, ...]:
    # Matched as a reader sees the text: no invisible characters, look-alikes read as what they imitate,
    # every run of spaces, line breaks and dashes one space. The title and the body apart: a phrase never
    # runs from the end of the title into the body ("Theo dõi phản ứng" / "Sau tiêm chủng…").
    parts = [(folded, _aligned_bare(folded)) for folded in (fold(reader_text(title)), fold(reader_text(body)))]
    topic_keys = {fold(reader_text(t)).strip() for t in topics}
    matches: list[Match] = []
    for code, label, keywords, rule_topics, detectors in rules:
        # A detector first: what it finds says more than a keyword, and identifying details hold a release.
        hit, by = None, None
        for name in detectors:
            detector = DETECTORS.get(name)
            # The title and the body apart: a finding never runs from the end of one into the other.
            found = (detector(title) or detector(body)) if detector else None
            if found:
                hit, by = found, name
                break
        if hit is None:
            hit = next((k for k in keywords for folded, bare in parts if _keyword_hit(k, folded, bare)), None)
        if hit is None:
            hit = next((t for t in rule_topics if fold(reader_text(t)).strip() in topic_keys), None)
        if hit is not None:
            matches.append(Match(code, label, hit, by))
    return tuple(matches)


#: Nobody types invisible characters or letters of another script into a health statement by accident: text
#: that carries them is held for a leader, whatever it says (docs/sensitivity-rules.md).
HIDDEN_CHARACTERS_RULE: dict[str, Any] = {
    "code": "hidden_characters",
    "label": "Ký tự ẩn hoặc ký tự giả dạng",
    "keywords": [],
    "topics": [],
    "detectors": ["hidden_characters"],
    "source": "Unicode UTS #39: ký tự vô hình và chữ giả dạng có thể che từ ngữ nhạy cảm khỏi quy tắc",
}

_CIRCULAR = "Công văn 6006/BYT-TT-KT (26/7/2021): vấn đề nhạy cảm phải báo cáo cấp có thẩm quyền"

#: The rules every unit starts with; units edit them afterwards.
DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "code": "deaths",
        "label": "Ca tử vong",
        "keywords": ["tử vong", "qua đời", "thiệt mạng", "tử thi", "death", "deaths", "died"],
        "topics": ["tử vong"],
        "detectors": [],
        "source": _CIRCULAR,
    },
    {
        "code": "outbreak_variant",
        "label": "Dịch mới, ổ dịch, biến chủng mới",
        "keywords": ["biến chủng", "chủng mới", "ổ dịch", "bùng phát", "dịch mới", "outbreak", "new variant"],
        "topics": ["biến chủng mới", "ổ dịch"],
        "detectors": [],
        "source": _CIRCULAR,
    },
    {
        "code": "vaccine_adverse_event",
        "label": "Sự cố bất lợi sau tiêm chủng",
        "keywords": [
            "phản ứng sau tiêm",
            "phản ứng nặng sau tiêm",
            "tai biến sau tiêm",
            "sự cố bất lợi sau tiêm",
            "biến cố bất lợi",
            "sốc phản vệ",
            "adverse event",
        ],
        "topics": ["phản ứng sau tiêm"],
        "detectors": [],
        "source": _CIRCULAR,
    },
    {
        "code": "patient_identity",
        "label": "Thông tin nhận dạng người bệnh",
        "keywords": [],
        "topics": ["người bệnh"],
        "detectors": ["patient_identity"],
        "source": "Luật Khám bệnh, chữa bệnh 2023 Điều 10; Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15",
    },
    HIDDEN_CHARACTERS_RULE,
]


def rules_before_changes_by(session: Session, unit_id: int, unit_code: str, user_id: int) -> list[Any]:
    """Return the unit's rules that `user_id` changed, each as it stood before any of their changes to it.

    The rule holds whatever it held before any of their changes, as the ledger's entries say: the union of
    the keywords, topics and detectors each change replaced, and on if it was on before any of them. A
    rule weakened in two steps (switched off, then emptied), or around someone else's change in between,
    is read back whole. A change recorded before entries said what it replaced is
    read for what it evidently replaced only when it switched a rule off.
    """
    changes = session.scalars(
        sa.select(LedgerEntry.data)
        .where(
            LedgerEntry.kind == EntryKind.ADMIN,
            LedgerEntry.action == "update_rule",
            LedgerEntry.unit == unit_code,
            LedgerEntry.actor_id == user_id,
        )
        .order_by(LedgerEntry.id)
    ).all()
    if not changes:
        return []
    rows = {
        rule.code: rule
        for rule in session.scalars(sa.select(SensitivityRule).where(SensitivityRule.unit_id == unit_id))
    }
    restored: dict[str, dict[str, Any]] = {}
    for data in changes:
        before = data.get("before") or ({"active": True} if data.get("changes", {}).get("active") is False else None)
        rule = rows.get(data.get("rule"))
        if before and rule is not None:
            fields = restored.setdefault(
                rule.code,
                {name: getattr(rule, name) for name in ("code", "label", "keywords", "topics", "detectors", "active")},
            )
            # Everything the rule held before any of the person's changes, whoever changed it in between:
            # lists as the union of what each change replaced, and on if it was on before any of them.
            for name in ("keywords", "topics", "detectors"):
                fields[name] = list(dict.fromkeys([*fields[name], *before.get(name, [])]))
            fields["active"] = fields["active"] or bool(before.get("active"))
            fields["label"] = before.get("label", fields["label"])
    return [SimpleNamespace(**fields) for fields in restored.values()]


def add_default_rules(session: Session, unit_id: int) -> list[SensitivityRule]:
    """Give a new unit the default rules."""
    rules = [SensitivityRule(unit_id=unit_id, **spec) for spec in DEFAULT_RULES]
    session.add_all(rules)
    return rules
