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


def words(text: str) -> frozenset[str]:
    """Return the words of a space-separated list."""
    return frozenset(text.split())


#: Y and i spellings that Vietnamese accepts alike (tỷ lệ / tỉ lệ, quản lý / quản lí): the y form, the i form.
YI = {"tỷ": "tỉ", "lý": "lí", "kỹ": "kĩ", "mỹ": "mĩ", "quý": "quí"}
#: Numbers up to ten written as words or digits before what they count (hai huyện / 2 huyện).
NUMBER_WORDS = {"hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
#: What may follow "tại"/"ở" for it to name a place: one word, or two where the first alone could be
#: anything ("ở bệnh viện" is a place, "ở bệnh nhân" is "among patients"). A number or a quantifier is not
#: enough ("ở những người trên 60 tuổi", "ở một số người" are "among"), nor a house ("nên ở nhà" is "stay").
_PLACES = words("xã huyện tỉnh phường quận khoa trạm nơi chợ") | frozenset(
    {
        "bệnh viện",
        "trung tâm",
        "cơ sở",
        "khu vực",
        "khu cách",
        "khu phố",
        "thành phố",
        "thị xã",
        "thị trấn",
        "địa bàn",
        "địa phương",
        "điểm tiêm",
        "trường học",
        "hội trường",
        "hội nghị",
        "cửa khẩu",
        "sân bay",
    }
)
#: Capitalised words after "tại" that cite a document, not a place ("tại Điều 5").
_CITED = words(
    "điều khoản điểm mục chương phụ nghị thông quyết luật công văn kế chỉ báo tờ biên danh bảng mẫu phiếu giấy"
    " hướng đề dự tiêu hồ sổ"
)
#: The word before "tự khỏi" that makes it an illness passing ("bệnh tự khỏi"): of a person it is not "tự hết".
_ILLNESS = words("bệnh chứng hiện sốt ho ban ngứa đau mẩn nôn tiêu phát")
#: Words "hiện" ends besides "hiện nay/hiện tại" ("thực hiện tại trạm" is "carried out at").
_HIEN = words("thực xuất phát thể biểu tái ẩn hiển lộ trình")
#: Words that count what follows; not "năm", which is as often "year" ("Hằng năm trẻ em được tiêm").
_NUMBER_LIKE = frozenset(
    {*NUMBER_WORDS.keys() - {"năm"}, "một", "mươi", "trăm", "nghìn", "ngàn", "triệu", "nhiều", "các", "những"}
)
#: What counts cases of disease after "ca"/"trường hợp" ("37 ca mắc"): "ca" alone is also a shift or an
#: operation, and "trường hợp" alone a situation ("7 trường hợp vi phạm", "một số trường hợp").
_CASE_NEXT = words("mắc nghi tử nhiễm dương sốt cúm phản ngộ tái sởi viêm nhập chuyển")
#: Symptoms after "có biểu hiện"/"có triệu chứng", where the two say the same.
_SYMPTOMS = words("đau nôn sốt ho khó mệt buồn tiêu phát co ngứa chóng tức")
#: Words "nhân" begins besides "bệnh nhân" ("phòng bệnh nhân dịp Tết" is "on the occasion of").
_NHAN = words("dịp đạo lực viên sự văn tố bản ái quả danh cách khẩu loại tạo giống chứng thân ngày rộng")
#: Where "tới" means "to" (đưa tới, tính tới): elsewhere it may be "next" ("thứ Hai tới", "Kỳ họp tới").
_TOWARDS = words("đưa chuyển gửi đi tính kéo liên dẫn nhắc cập hướng đạt lên lây truyền từ")
#: What "đến" may stand before and still be "tới" ("đến hạn" is "due", "tới hạn" is "critical").
_REACHED = words("nay khi các bệnh cơ trung trạm nơi hết thời tháng năm cuối giờ mức ngày người # A")


@dataclass(frozen=True)
class Choice:
    """A word or phrase with an equally correct other form, where the words beside it allow it.

    ``next_in`` holds single words or two-word phrases ("bệnh viện"); ``#`` is any number, ``có #`` "có"
    and a number, ``#+`` a number and one of the words, ``A`` a capitalised word, ``""`` the clause's end.
    """

    kind: str
    form: str
    other: str
    prev_in: frozenset[str] | None = None
    prev_not: frozenset[str] = frozenset()
    next_in: frozenset[str] | None = None
    next_not: frozenset[str] = frozenset()
    comma: bool = False  # a connective opening a clause: only before its comma
    inner: bool = False  # never opening a sentence ("Theo đúng quy định, …" is not "Đúng quy định, …")
    asserted: bool = False  # never in a question or a request ("Xin ông cho biết …?" asks, it does not report)
    opening: bool = False  # only opening a sentence, before a word in lower case (never a name: "Lý Văn B")
    lead: bool = False  # only after a comma or opening a sentence ("…, nhất là trẻ em"; "cao nhất là" is "highest")

    def allows(self, prev: str, rest: str, *, opens: bool = False, after_comma: bool = False, head: str = "") -> bool:
        """Return whether the words beside an occurrence allow the other form there.

        `rest` follows it and `head` is its sentence before it.
        """
        following = re.match(r"[^\w\n.;:!?]{0,3}(\w+)(?: (\w+))?", rest)
        nxt = following.group(1) if following else ""
        pair = f"{nxt} {following.group(2)}".lower() if following and following.group(2) else ""
        if self.opening and not (opens and nxt[:1].islower()):
            return False
        if self.inner and opens:
            return False
        if self.asserted and (_ASKS.search(head) or re.match(r"[^.!?\n]*\?", rest)):
            return False
        if "#" in self.next_not and nxt[:1].isdigit():  # "Bệnh nhân 91" is a patient's code
            return False
        if self.lead and not (opens or after_comma):
            return False
        number = prev.isdigit() or prev in _NUMBER_LIKE
        if self.prev_in is not None and not (prev in self.prev_in or ("#" in self.prev_in and number)):
            return False
        if prev in self.prev_not or nxt.lower() in self.next_not or (self.comma and not rest.startswith(",")):
            return False
        if self.next_in is None:
            return True
        if "A" in self.next_in and nxt[:1].isupper():
            return nxt.lower() not in _CITED
        return (
            nxt.lower() in self.next_in
            or pair in self.next_in
            or ("#" in self.next_in and nxt[:1].isdigit())
            or (pair.split(" ")[0] + " #" in self.next_in and pair.split(" ")[-1][:1].isdigit())
            # "#+": a number, then one of these ("tại 14 xã", not "ở 3 người").
            or (
                "#+" in self.next_in
                and (nxt[:1].isdigit() or nxt in _NUMBER_LIKE)
                and pair[len(nxt) + 1 :] in self.next_in
            )
        )


#: Words that make a sentence a request, where "cho biết" asks rather than reports ("Xin ông cho biết").
_ASKS = re.compile(r"(?<!\w)(xin|đề nghị|vui lòng|hãy|đề xuất|yêu cầu|mong)(?!\w)", re.IGNORECASE)


def _both(kind: str, a: str, b: str, **guards: Any) -> list[Choice]:
    return [Choice(kind, a, b, **guards), Choice(kind, b, a, **guards)]


#: Every word choice, longest first at each place. Each is vetted (docs/disclosure-tracing.md): the two
#: forms say the same thing wherever the guards let the choice be made. A choice is never made inside a
#: name: a capitalised form only opens a sentence (`statements.disclosure.sites`).
CHOICES: list[Choice] = [
    *_both("w.untrue", "không đúng sự thật", "sai sự thật"),
    *_both("w.unverified", "chưa được kiểm chứng", "chưa được xác minh"),
    *_both("w.pregnant", "phụ nữ mang thai", "phụ nữ có thai"),
    # "Thời gian qua đã lâu" is "time has passed", not "recently".
    *_both("w.recently", "thời gian qua", "thời gian gần đây", next_not=words("đã rồi lâu nhanh")),
    Choice("w.rule", "theo đúng quy định", "đúng quy định", inner=True),
    Choice("w.rule", "đúng quy định", "theo đúng quy định", prev_not=words("theo không chưa")),
    Choice("w.tested", "gửi đi xét nghiệm", "gửi xét nghiệm"),
    Choice("w.tested", "gửi xét nghiệm", "gửi đi xét nghiệm"),
    *(c for meal in ("sáng", "trưa", "tối") for c in _both("w.meal", f"bữa ăn {meal}", f"bữa {meal}")),
    Choice("w.among", "trong số đó", "trong đó"),
    # "trong đó 2 trẻ em", "trong đó có 3 ca": a part of what was just counted, not "in which there is".
    Choice("w.among", "trong đó", "trong số đó", next_in=frozenset({"#", "có #", *NUMBER_WORDS})),
    *_both("w.after", "sau khi tiêm", "sau tiêm", next_not=words("chủng")),
    *_both("w.before", "trước khi tiêm", "trước tiêm", next_not=words("chủng")),
    *_both("w.patient", "bệnh nhân", "người bệnh", next_not=words("nền #") | _NHAN),
    # Only counted or possessed children: "trẻ em" is also in names ("Quỹ Bảo trợ trẻ em", "Luật Trẻ em").
    *_both(
        "w.child",
        "trẻ em",
        "trẻ",
        prev_in=frozenset({"#", "cho", "số", "đưa", "của", "là", "các"}),
        next_not=words("em nhỏ sơ tuổi hóa hoá trung khỏe khoẻ lại hơn nhất em"),
    ),
    Choice("w.case", "trường hợp", "ca", prev_in=frozenset({"#", "có", "số"}), next_in=_CASE_NEXT),
    Choice("w.case", "ca", "trường hợp", prev_in=frozenset({"#", "có", "số"}), next_in=_CASE_NEXT),
    *_both("w.said", "cho biết", "cho hay", prev_not=words("xin hãy lòng nghị cần không chưa"), asserted=True),
    *_both("w.advise", "khuyến cáo", "khuyến nghị"),
    *_both("w.notably", "nhất là", "đặc biệt là", lead=True),
    # A family's parents, never a body's name ("Ban đại diện cha mẹ học sinh").
    *_both("w.parents", "cha mẹ", "bố mẹ", prev_in=words("của các và cho với là có"), next_not=words("học")),
    # Using a thing; not "người sử dụng lao động" (employer), "hướng dẫn sử dụng" (instructions), "hạn sử dụng".
    Choice("w.use", "sử dụng", "dùng", prev_in=words("không nên khi được đã cần chế đang và"), next_not=words("lao")),
    *_both("w.cause", "nguyên nhân chính", "nguyên nhân chủ yếu"),
    *_both("w.airways", "bệnh hô hấp", "bệnh đường hô hấp"),
    Choice("w.symptom", "dấu hiệu", "biểu hiện", prev_in=frozenset({"có"}), next_in=_SYMPTOMS),
    Choice("w.symptom", "biểu hiện", "triệu chứng", prev_in=frozenset({"có"}), next_in=_SYMPTOMS),
    Choice("w.symptom", "triệu chứng", "biểu hiện", prev_in=frozenset({"có"}), next_in=_SYMPTOMS),
    *_both("w.abate", "không giảm", "không hạ", prev_in=frozenset({"sốt", "cao"})),
    # An illness that passes by itself, not "tự hết hiệu lực" (expires).
    # Of an illness or a symptom ("bệnh tự khỏi"); of a person ("cháu bé tự khỏi") it is not "tự hết".
    *_both("w.itself", "tự hết", "tự khỏi", prev_in=_ILLNESS, next_in=words("sau trong mà khi và") | {""}),
    *_both("w.however", "tuy nhiên", "tuy vậy", comma=True),
    *_both("w.besides", "ngoài ra", "bên cạnh đó", comma=True),
    *_both("w.therefore", "vì vậy", "do đó", comma=True),
    *_both("w.now", "hiện nay", "hiện tại", prev_not=_HIEN),
    Choice("w.to", "đến", "tới", next_in=_REACHED, next_not=words("hạn lượt")),
    Choice("w.to", "tới", "đến", prev_in=_TOWARDS),
    Choice(
        "w.at",
        "tại",
        "ở",
        prev_not=words("hiện tồn sở thực tự"),
        next_in=frozenset({"A", "nhà", "#+", *_PLACES}),
        next_not=words("chỗ"),
    ),
    Choice(
        "w.at",
        "ở",
        "tại",
        prev_not=words("nên cần phải đang vẫn hãy sẽ được cứ còn lại sống"),
        next_in=frozenset({"A", "#+", *_PLACES}),
    ),
    Choice("w.virus", "vi rút", "vi-rút"),
    Choice("w.virus", "vi-rút", "vi rút"),
    Choice("w.virus", "virus", "vi rút"),
    Choice("w.oxygen", "ô xy", "ô-xy"),
    Choice("w.oxygen", "ô-xy", "ô xy"),
    Choice("w.oxygen", "oxy", "ô-xy", next_not=words("hóa hoá già")),
    # Not "bác sỹ": the ministry writes "bác sĩ", and the other form reads as a misspelling.
    *_both("yi:sỹ", "sỹ", "sĩ", prev_in=words("y thạc tiến nha nghệ chiến")),
    *_both("yi:kỷ", "kỷ", "kỉ", next_in=words("luật niệm lục cương")),
    *_both("yi:ký", "ký", "kí", next_in=words("kết tên hợp duyệt")),
    *_both("yi:hy", "hy", "hi", next_in=words("vọng hữu")),
    *_both("w.covid", "COVID-19", "Covid-19"),
    # "Mỹ" opening a sentence may be the country, written so.
    *(c for y, i in YI.items() for c in _both(f"yi:{y}", y, i, inner=y == "mỹ")),
    # "Mỹ" capitalised is the country, written so.
    *(
        c
        for y, i in YI.items()
        if y != "mỹ"
        for c in _both(f"yi:{y.capitalize()}", y.capitalize(), i.capitalize(), opening=True)
    ),
]
#: Choices copies were once made with and no longer are ("khoảng"/"vào khoảng": "trong vào khoảng" is no
#: Vietnamese; "hằng"/"hàng" cannot be read back without diacritics): matching still writes them one way,
#: since copies made with them exist.
RETIRED: list[tuple[str, str]] = [("vào khoảng", "khoảng"), ("hằng", "hàng")]


def _components() -> dict[str, str]:
    """Return each choice's forms (without diacritics, lower case) mapped to one form of its group."""
    group: dict[str, set[str]] = {}
    for form, other in [(c.form, c.other) for c in CHOICES] + RETIRED:
        a, b = strip_diacritics(form), strip_diacritics(other)
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
