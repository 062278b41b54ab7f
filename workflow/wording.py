"""Forms that official Vietnamese writes alike: the word choices a copy's variants make, and one form for matching.

Each `Choice` is a word or phrase with an equally correct other form, allowed only where the words beside
it keep the meaning (``tại``/``ở`` before a place, not "ở người trên 60 tuổi", which is "among"). The
disclosure's variant sites choose between the two per copy; `canonical` writes every one of them in one
form, so that matching a leaked text with its version does not depend on which copy it came from. Every
choice is vetted in docs/disclosure-tracing.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workflow.text import strip_diacritics


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Y and i spellings that Vietnamese accepts alike (tỷ lệ / tỉ lệ, quản lý / quản lí): the y form, the i form.
YI = {"tỷ": "tỉ", "lý": "lí", "kỹ": "kĩ", "mỹ": "mĩ", "quý": "quí"}
#: Numbers up to ten written as words or digits before what they count (hai huyện / 2 huyện).
NUMBER_WORDS = {"hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
#: Words after "tại"/"ở" that make it a place ("ở người trên 60 tuổi" is "among", not "at").
_PLACES = _words(
    "xã huyện tỉnh phường quận thành thị bệnh khoa trạm trung cơ nơi khu các một địa điểm nhà trường chợ hội"
    " cuộc buổi những nhiều hai ba bốn năm sáu bảy tám chín mười"
)
_NUMBER_LIKE = frozenset({*NUMBER_WORDS, "một", "mươi", "trăm", "nghìn", "ngàn", "triệu", "nhiều", "các", "những"})
#: What counts a case ("37 ca mắc"): "ca" alone is also a shift or an operation.
#: "" is the clause's end: "chiếm 58% tổng số ca."
_CASE_NEXT = frozenset({""}) | _words(
    "mắc nghi tử nhiễm bệnh dương sốt cúm phản ngộ tái sởi mới viêm nhập chuyển được đã đang xuất khỏi âm"
)
#: Symptoms after "có biểu hiện"/"có triệu chứng", where the two say the same.
_SYMPTOMS = _words("đau nôn sốt ho khó mệt buồn tiêu phát co ngứa chóng tức")


@dataclass(frozen=True)
class Choice:
    """A word or phrase with an equally correct other form, where the words beside it allow it."""

    kind: str
    form: str
    other: str
    prev_in: frozenset[str] | None = None
    prev_not: frozenset[str] = frozenset()
    next_in: frozenset[str] | None = None
    next_not: frozenset[str] = frozenset()
    comma: bool = False  # a connective opening a clause: only before its comma
    opening: bool = False  # only opening a sentence, before a word in lower case (never a name: "Lý Văn B")

    def allows(self, prev: str, nxt: str, rest: str, *, opens: bool = False) -> bool:
        """Return whether the words beside an occurrence allow the other form there (`nxt` in its case)."""
        if self.opening and not (opens and nxt[:1].islower()):
            return False
        number = prev.isdigit() or prev in _NUMBER_LIKE
        if self.prev_in is not None and not (prev in self.prev_in or ("#" in self.prev_in and number)):
            return False
        if prev in self.prev_not or nxt.lower() in self.next_not or (self.comma and not rest.startswith(",")):
            return False
        if self.next_in is None:
            return True
        return (
            nxt.lower() in self.next_in
            or ("#" in self.next_in and nxt[:1].isdigit())
            or ("A" in self.next_in and nxt[:1].isupper())
        )


def _both(kind: str, a: str, b: str, **guards: Any) -> list[Choice]:
    return [Choice(kind, a, b, **guards), Choice(kind, b, a, **guards)]


#: Every word choice, longest first at each place. Each is vetted (docs/disclosure-tracing.md): the two
#: forms say the same thing wherever the guards let the choice be made.
CHOICES: list[Choice] = [
    *_both("w.untrue", "không đúng sự thật", "sai sự thật"),
    *_both("w.unverified", "chưa được kiểm chứng", "chưa được xác minh"),
    *_both("w.pregnant", "phụ nữ mang thai", "phụ nữ có thai"),
    *_both("w.recently", "thời gian qua", "thời gian gần đây"),
    Choice("w.rule", "theo đúng quy định", "đúng quy định"),
    Choice("w.rule", "đúng quy định", "theo đúng quy định", prev_not=_words("theo không chưa")),
    Choice("w.tested", "gửi đi xét nghiệm", "gửi xét nghiệm"),
    Choice("w.tested", "gửi xét nghiệm", "gửi đi xét nghiệm"),
    *(c for meal in ("sáng", "trưa", "tối") for c in _both("w.meal", f"bữa ăn {meal}", f"bữa {meal}")),
    Choice("w.among", "trong số đó", "trong đó"),
    Choice("w.among", "trong đó", "trong số đó", next_in=frozenset({"#", "có", *_NUMBER_LIKE})),
    *_both("w.after", "sau khi tiêm", "sau tiêm", next_not=_words("chủng")),
    *_both("w.before", "trước khi tiêm", "trước tiêm", next_not=_words("chủng")),
    *_both("w.patient", "bệnh nhân", "người bệnh", next_not=_words("nền")),
    Choice("w.child", "trẻ em", "trẻ"),
    Choice(
        "w.child",
        "trẻ",
        "trẻ em",
        prev_in=frozenset({"#", "cho", "số", "đưa", "của", "là", "bé"}),
        next_not=_words("em nhỏ sơ tuổi hóa hoá trung khỏe khoẻ lại hơn nhất"),
    ),
    Choice(
        "w.case",
        "trường hợp",
        "ca",
        prev_in=frozenset({"#", "có", "số"}),
        next_not=_words("này đó khẩn cần đặc nào ngoại cụ bất như"),
    ),
    Choice("w.case", "ca", "trường hợp", prev_in=frozenset({"#", "có", "số"}), next_in=_CASE_NEXT),
    *_both("w.said", "cho biết", "cho hay", prev_not=_words("xin hãy lòng nghị cần không chưa")),
    *_both("w.advise", "khuyến cáo", "khuyến nghị"),
    *_both("w.notably", "nhất là", "đặc biệt là"),
    *_both("w.parents", "cha mẹ", "bố mẹ"),
    Choice("w.use", "sử dụng", "dùng", prev_not=_words("vào hạn quyền tiêu")),
    *_both("w.cause", "nguyên nhân chính", "nguyên nhân chủ yếu"),
    *_both("w.airways", "bệnh hô hấp", "bệnh đường hô hấp"),
    Choice("w.about", "vào khoảng", "khoảng", next_in=frozenset({"#"})),
    Choice("w.about", "khoảng", "vào khoảng", next_in=frozenset({"#"})),
    Choice("w.symptom", "dấu hiệu", "biểu hiện", prev_in=frozenset({"có"}), next_in=_SYMPTOMS),
    Choice("w.symptom", "biểu hiện", "triệu chứng", prev_in=frozenset({"có"}), next_in=_SYMPTOMS),
    Choice("w.symptom", "triệu chứng", "biểu hiện", prev_in=frozenset({"có"}), next_in=_SYMPTOMS),
    *_both("w.abate", "không giảm", "không hạ", prev_in=frozenset({"sốt", "cao"})),
    *_both("w.itself", "tự hết", "tự khỏi"),
    *_both("w.however", "tuy nhiên", "tuy vậy", comma=True),
    *_both("w.besides", "ngoài ra", "bên cạnh đó", comma=True),
    *_both("w.therefore", "vì vậy", "do đó", comma=True),
    *_both("w.now", "hiện nay", "hiện tại"),
    Choice("w.every", "hằng", "hàng", next_in=_words("năm ngày tuần tháng quý")),
    Choice("w.to", "đến", "tới"),
    Choice("w.to", "tới", "đến", prev_not=_words("tuần tháng năm gian sắp kỳ kì đợt dịp ngày mùa đoạn lần quý học")),
    Choice("w.at", "tại", "ở", prev_not=_words("hiện tồn sở thực tự"), next_in=frozenset({"#", "A", *_PLACES})),
    Choice("w.at", "ở", "tại", next_in=frozenset({"#", "A", *_PLACES})),
    Choice("w.virus", "vi rút", "vi-rút"),
    Choice("w.virus", "vi-rút", "vi rút"),
    Choice("w.virus", "virus", "vi rút"),
    Choice("w.oxygen", "ô xy", "ô-xy"),
    Choice("w.oxygen", "ô-xy", "ô xy"),
    Choice("w.oxygen", "oxy", "ô-xy"),
    *_both("yi:sỹ", "sỹ", "sĩ", prev_in=_words("bác y thạc tiến nha nghệ chiến")),
    *_both("yi:kỷ", "kỷ", "kỉ", next_in=_words("luật niệm lục cương")),
    *_both("yi:ký", "ký", "kí", next_in=_words("kết tên hợp duyệt")),
    *_both("yi:hy", "hy", "hi", next_in=_words("vọng sinh hữu")),
    *_both("w.covid", "COVID-19", "Covid-19"),
    *(c for y, i in YI.items() for c in _both(f"yi:{y.capitalize()}", y.capitalize(), i.capitalize(), opening=True)),
]


def _components() -> dict[str, str]:
    """Return each choice's forms (without diacritics, lower case) mapped to one form of its group."""
    group: dict[str, set[str]] = {}
    for choice in CHOICES:
        a, b = strip_diacritics(choice.form), strip_diacritics(choice.other)
        merged = group.get(a, {a}) | group.get(b, {b})
        for form in merged:
            group[form] = merged
    return {
        form: min(forms, key=lambda f: (len(f), f))
        for form, forms in group.items()
        if form != min(forms, key=lambda f: (len(f), f))
    }


_CANONICAL = _components()
_PHRASES = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(f) for f in sorted(_CANONICAL, key=len, reverse=True)) + r")(?!\w)"
)


def canonical(bare: str) -> str:
    """Return text already without diacritics and case with every choice's forms written one way."""
    return _PHRASES.sub(lambda m: _CANONICAL[m.group(1)], bare)
