"""Details in a statement that identify a person, where they stand, and the customary way to leave them out.

The Law on Medical Examination and Treatment (2023, Art. 10) keeps a patient's health information
confidential and the personal data law (91/2025/QH15) protects identifying data: a statement names a
patient by a code or by sex, age and district ("bệnh nhân nam, 45 tuổi, trú tại huyện Tân Phú"), never by
name with age or address, ID or insurance number, phone, home address or hospital bed. `find` says where a
text names someone so; `redact` proposes the customary form. Measured on a labelled set of sentences
(docs/privacy.md); officials named with their titles, hotlines, institutions' addresses, document numbers
and figures are no finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: What each kind of finding is, in the order the interface lists them.
KINDS = ("person", "citizen_id", "insurance_id", "phone", "home_address", "bed_with_name")


@dataclass(frozen=True)
class Finding:
    """One identifying detail: its kind and where it stands in the text."""

    kind: str
    start: int
    end: int
    text: str


UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
#: A sentence ends at its punctuation before a capital, unless the word before is an initial or a title
#: ("N.V.A.", "TS.", "PGS. TS. Lê Văn Hùng").
_SENTENCE_END = re.compile(
    rf"(?<![\s.][{UPPER}])(?<!\b[{UPPER}][a-z])(?<!\b[{UPPER}]{{2}})[.!?;…]+\s+(?=[{UPPER}\d\"“(])|\n+"
)

#: Words before a name that make it a person's; the first ones say the person is a patient.
_PATIENT_WORDS = (
    "bệnh nhân", "người bệnh", "sản phụ", "thai phụ", "nạn nhân", "bệnh nhi", "bé", "cháu", "cụ",
    # Written without diacritics, as texts copied from messages often are.
    "benh nhan", "nguoi benh", "nan nhan", "benh nhi", "chau",
)  # fmt: skip
_HONORIFICS = (
    *_PATIENT_WORDS, "ông", "bà", "anh", "chị", "em", "chồng", "vợ", "con trai", "con gái", "người nhà", "chủ hộ",
    # A person by what they do or by what they are called: "học sinh Lê Hoàng Nam", "tên là Lâm Thị Hân".
    "học sinh", "sinh viên", "nam sinh", "nữ sinh", "học viên", "công nhân", "tên là", "tên",
    "cô giáo", "thầy giáo", "cô", "thầy", "chú", "bác", "dì", "tôi là", "tên tôi là", "họ và tên", "họ tên",
)  # fmt: skip
#: Cues that name someone outright, so that one syllable is a name too ("người đàn ông tên Dũng").
_NAMING = ("tên", "tên là", "tôi là", "tên tôi là", "họ và tên", "họ tên")
HONORIFIC = re.compile(
    r"(?<!\w)(" + "|".join(sorted(_HONORIFICS, key=len, reverse=True)) + r")\s*:?\s+"
    # "bệnh nhân nam Nguyễn Văn Đức": the sex between the word and the name.
    r"(?:(?:nam|nữ)\s+)?(?=[" + UPPER + r"])",
    re.IGNORECASE,
)
#: A capitalised syllable of a name (not an initial: "N.V.A." is the customary way to leave a name out).
_SYLLABLE = re.compile(
    rf"[{UPPER}](?:[^\W\d_]|['’](?=[{UPPER}]))+(?!\.\w)"
    # A one-letter middle syllable, as in Hmong names ("Thào A Chứ"), when a syllable of the name follows.
    rf"|[{UPPER}](?=\s+[{UPPER}][^\W\d_])(?!\.)"
)
#: Words that make the run of capitals a place, a body or a title, not a person ("ông Trần Hưng Đạo" aside).
_NOT_NAMES = frozenset(
    re.findall(
        r"\w+",
        # Never a given name: "Tâm", "Trung", "Thành", "Khoa", "Trường" and "Đường" are, so they are not here.
        "Bệnh Viện Sở Bộ Trạm Phòng Ban Ủy Cục Ty Xã Phường Huyện Quận Tỉnh Phố Thôn Xóm Ấp Tổ Covid COVID Nhà"
        " Nước Giám Đốc Chủ Tịch",
    )
)
#: Titles beside a name that make the person an official speaking in public, not a patient.
_TITLES = re.compile(
    r"(?<!\w)(giám đốc|phó giám đốc|trưởng|phó trưởng|chủ tịch|phó chủ tịch|bộ trưởng|thứ trưởng|cục trưởng|"
    r"vụ trưởng|viện trưởng|chánh|bác sĩ|bs\.?|điều dưỡng|người phát ngôn|phát ngôn|phóng viên|nhà báo|đại diện|"
    r"bí thư|cán bộ|chuyên viên|hiệu trưởng|thư ký|ủy viên|đại biểu|pgs|gs|ts|ths|ckii|cki|tiến sĩ|thạc sĩ|"
    r"giáo sư|lãnh đạo|trưởng khoa|trưởng phòng|trưởng trạm|trưởng ban|phụ trách|kỹ thuật viên|dược sĩ)(?!\w)",
    re.IGNORECASE,
)
#: A full name just before its age: "Nguyễn Văn Hùng (45 tuổi)", "Lê Thị Mai, sinh năm 1990".
_AGED_NAME = re.compile(
    rf"(?<![\w{UPPER}])((?:[{UPPER}][^\W\d_]+\s+){{1,3}}[{UPPER}][^\W\d_]+)"
    r"(?=\s*[,(]\s*(?:\d{1,3}\s*(?:tuổi|tuoi)|sinh năm|SN))"
)
_AGE = re.compile(
    r"(?<!\w)(\d{1,3}\s*(?:tuổi|tuoi)|sinh năm\s+\d{4}|sinh ngày\s+\d{1,2}/\d{1,2}/\d{4}|SN\s*\d{4}|\(\d{4}\))",
    re.IGNORECASE,
)
_RESIDENCE = re.compile(
    r"(?<!\w)(trú tại|trú ở|ngụ tại|ngụ ở|thường trú|tạm trú|quê quán|quê ở|địa chỉ|sống tại|sống ở|cư trú|nhà riêng"
    r"|nhà ở|nơi ở|ở tại|sinh sống|ở trọ|thuê trọ|phòng trọ|nhà trọ|hộ gia đình (?:ở|tại)|gia đình ở|gia đình tại"
    r"|chủ hộ|nhà số|tru tai|tru o|song tai|song o|thuong tru|tam tru|dia chi"
    r"|(?:nhà|gia đình) (?:ông|bà|anh|chị|cháu|em|cụ|bệnh nhân|người bệnh|bệnh nhi|ca bệnh|nạn nhân|của))(?!\w)",
    re.IGNORECASE,
)
#: A house, a lane or a hamlet: an address down to where someone lives. Keywords in any case, names capitalised.
_LANE = r"(?i:ngõ|ngách|hẻm|kiệt|ngo|ngach|hem)"
_GROUP = r"(?<!phố )(?<!TP )(?<!TP\. )(?i:tổ dân phố|tổ|thôn|xóm|ấp|khu phố|bản|làng|buôn|bon|plei|khóm|sóc)"
_STREET = r"(?<!thành )(?<!Thành )(?i:đường|phố|duong|pho)"
_PROPER = rf"[{UPPER}][^\W\d_]*(?:\s+[{UPPER}\d][^\W_]*)*"
_NUMBER = r"\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*"
_HOUSE_PART = (
    rf"(?:(?i:số nhà|nhà số|số|so nha|nha so|so)\s*{_NUMBER}(?=\s*,?\s*(?:{_LANE}|{_STREET}|{_GROUP}|[{UPPER}]))"
    rf"|{_LANE}\s+(?i:số\s+)?{_NUMBER}"
    rf"|{_GROUP}\s+(?i:số\s+)?(?:{_NUMBER}|{_PROPER})"
    rf"|{_STREET}\s+(?:{_PROPER}|\d+\s+{_PROPER}|(?i:số)\s+\d+)"
    rf"|(?i:phòng trọ|nhà trọ|căn hộ)\s+(?i:số\s+)?{_NUMBER})"
)
#: An address's house-level parts in a row ("số 12 ngõ 34 phố Lê Lợi", "số 12 Lê Lợi"), up to the commune or
#: the district; a street's bare name only after its house number ("lớp 2 Trường …" starts no address).
_HOUSE = re.compile(rf"(?<!\w){_HOUSE_PART}(?:\s*,?\s*(?:{_HOUSE_PART}|(?<=\d\s){_PROPER}))*")
#: What makes an address house-level on its own: a number, a lane or a hamlet (a street's name alone is not).
_HOUSE_LEVEL = re.compile(rf"\d|{_LANE}|{_GROUP}")
#: Words just before an address that make it an institution's.
_INSTITUTION = re.compile(
    r"(trụ sở|bệnh viện|sở y tế|trung tâm|trạm y tế|phòng khám|công ty|ủy ban|ubnd|trường|viện|cơ sở|nhà thuốc|chợ"
    r"|địa điểm|điểm tiêm|khu cách ly|nhà văn hóa|nhà văn hoá|cơ quan|bộ y tế|cục|chi cục|khoa|phòng cách ly"
    r"|phòng điều trị|phòng bệnh|buồng bệnh|giường)[^.;\n'\"“”]{0,60}$",
    re.IGNORECASE,
)
_CITIZEN = re.compile(r"(?<![\d.,/-])\d{12}(?![\d]|[.,/-]\d)")
_CITIZEN_CUED = re.compile(
    r"(?:CCCD|căn cước(?: công dân)?|định danh(?: cá nhân)?|CMND|chứng minh(?: nhân dân| thư)?)[^\d\n]{0,30}?"
    r"(\d(?:[\s.-]?\d){11}|\d(?:[\s.-]?\d){8})(?![\s.-]?\d)",
    re.IGNORECASE,
)
#: A 12-digit number in groups with its cue after it: "040 187 002 963 (số CCCD của sản phụ)".
_CITIZEN_CUED_AFTER = re.compile(
    r"(?<![\d.,/-])(\d{3}[\s.]\d{3}[\s.]\d{3}[\s.]\d{3}|\d{4}[\s.]\d{4}[\s.]\d{4})(?=[^\d\n]{0,6}"
    r"(?:số\s+)?(?:CCCD|căn cước|CMND|định danh))",
    re.IGNORECASE,
)
#: What a 12-digit number measures when it is no ID: money, doses, people.
_MEASURED = re.compile(r"\s*(đồng|vnđ|vnd|đ\b|usd|liều|người|lượt|ca\b|mẫu|viên|lọ)", re.IGNORECASE)
#: Words just before a 12-digit number that make it a document's or a product's, not a person's.
_DOCUMENT = re.compile(
    r"(mã hồ sơ|hồ sơ|chứng nhận|giấy phép|gmp|số lô|lô|đăng ký|hợp đồng|văn bản|mã vạch|mã sản phẩm|tờ khai|hải quan)"
    r"[^\d\n]{0,12}$",
    re.IGNORECASE,
)
#: A health-insurance card: two letters and 13 digits, grouped as the card prints them or any other way.
_INSURANCE = re.compile(r"(?<![\w])[A-Z]{2}(?:[\s-]?\d){13}(?![\s-]?\d)")
_INSURANCE_CUED = re.compile(
    r"(?:BHXH|BHYT|bảo hiểm (?:xã hội|y tế))[^\d\n.;]{0,45}?(\d(?:[\s.]?\d){9})(?![\s.]?\d)", re.IGNORECASE
)
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+84|0084|84)[\s.-]?|0)(?:[35789]\d(?:[\s.-]?\d){7}|2\d{1,2}(?:[\s.-]?\d){7,8})(?![\d])"
)
#: Words before a number that make it the authority's own line (a hotline is published to be called).
_PUBLIC_LINE = re.compile(
    r"(?:(?:đường dây nóng|hotline|tổng đài|số trực|điện thoại trực|trực cấp cứu|điện thoại cấp cứu"
    r"|tiếp nhận thông tin (?:qua|tại|theo)"
    r"|(?:số )?(?:điện thoại|máy) (?:cơ quan|văn phòng|bàn cơ quan))"
    r"|(?:(?:số )?điện thoại của|liên hệ(?: với)?)\s+"
    r"(?:sở|bộ|trung tâm|bệnh viện|phòng|trạm|ban|cục|khoa|cơ quan|văn phòng))[^.;\n]{0,60}$",
    re.IGNORECASE,
)
_OWNED_BY_BODY = re.compile(
    r"^[^.;\n]{0,20}(của|thuộc)\s+(sở|bộ|trung tâm|bệnh viện|phòng|trạm|ban|cục|khoa|cơ quan|ubnd|ủy ban)",
    re.IGNORECASE,
)
#: An institution named just before its number, nobody between: "Trung tâm Y tế huyện X, điện thoại 0234…".
_BODYS_LINE = re.compile(
    r"^\W*(?:liên hệ\W*)?(?:văn phòng|sở|bộ|trung tâm|bệnh viện|phòng khám|trạm y tế|cục|chi cục|khoa|ubnd|ủy ban)"
    r"[^.;\n]{0,50}?,\s*(?:số\s+)?(?:điện thoại|ĐT|SĐT|số|tel)?[\s:.]*$",
    re.IGNORECASE,
)
#: A sentence about a body's seat: "Sở Y tế tỉnh X có trụ sở tại …, điện thoại …" gives the body's line.
_BODYS_SEAT = re.compile(
    r"^\W*(?:sở|bệnh viện|trung tâm|trạm y tế|cục|chi cục|ubnd|ủy ban|văn phòng|phòng khám)[^.;\n]{0,80}?"
    r"(?:trụ sở|có địa chỉ|địa chỉ tại)",
    re.IGNORECASE,
)
#: Words just before a 10-digit number that make it a business's tax code, not a phone.
_TAX_CODE = re.compile(r"(mã số doanh nghiệp|mã số thuế|MST|mã doanh nghiệp|mã số)\s*:?\s*$", re.IGNORECASE)
_BED = re.compile(
    r"(?<!\w)(?:giường|buồng|phòng)\s+(?:bệnh\s+|cách ly\s+|điều trị\s+|hồi sức\s+)?(?:số\s+)?\d+[A-Za-z]?"
    r"(?!\s*(?:giường|chiếc))",
    re.I,
)


def sentences(text: str) -> list[tuple[int, int]]:
    """Return where each sentence of a text starts and ends."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start() + 1))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _official(sentence: str, start: int, end: int, *, title_before: bool = True) -> bool:
    """Say whether the name at start..end stands beside a title ("ông A, Giám đốc Sở", "Giám đốc Sở, ông A")."""
    # An official's age may stand between: "ông Nguyễn Văn Sơn, 56 tuổi, Phó Chủ tịch UBND huyện".
    after = re.sub(r"^\s*,\s*\d{1,3}\s*tuổi", "", sentence[end : end + 60])
    before = sentence[max(0, start - 60) : start]
    if _TITLES.match(re.sub(r"^[\s,(–-]+", "", after)):
        return True
    if not title_before:
        return False
    # A title and its body just before, then the honorific: "Giám đốc Sở Y tế, ông …".
    tail = re.search(r"([^,;:]*),?\s*$", before)
    return bool(tail and _TITLES.search(tail.group(1)))


#: A name that ends in an initial ("Lê Minh K.", "Nguyễn Văn A.") is the customary shortened form.
_INITIAL_NEXT = re.compile(rf"\s+[{UPPER}]\.")
#: Words just before a run of capitals that make it a place's or a school's name ("Trường Tiểu học Lê Quý Đôn").
_PLACE_BEFORE = re.compile(
    r"(xã|phường|huyện|quận|tỉnh|đường|phố|thôn|ấp|trường|học|mầm non|thcs|thpt|viện|trung tâm|công ty|chợ|cầu|khu)"
    r"\s*$"
)


#: First words of an institution's name that no Vietnamese family name is.
_INSTITUTION_START = frozenset({"Trường", "Lớp", "Đại", "Khoa", "Công", "Khối"})
#: A further full name in a list: ", Đỗ Tuấn Kiệt", " và Mai Phương Thảo".
_LISTED_NAME = re.compile(rf"(?:\s*,\s*|\s+và\s+)((?:[{UPPER}][^\W\d_]+\s+){{1,3}}[{UPPER}][^\W\d_]+)(?!\w)")


def _names(sentence: str) -> list[tuple[int, int, bool]]:
    """Return the private people the sentence names: (start, end of honorific and name, named as a patient)."""
    found = []
    for m in HONORIFIC.finditer(sentence):
        syllables, end = [], m.end()
        for s in _SYLLABLE.finditer(sentence, m.end()):
            # A code in capitals ("BN-2024-0815", "F0") is no syllable of a name.
            word = s.group(0)
            if sentence[end : s.start()].strip() or word in _NOT_NAMES or (len(word) > 1 and word.isupper()):
                break
            syllables.append(word)
            end = s.end()
        cue = m.group(1).lower()
        patient = cue in _PATIENT_WORDS
        # A patient is never an official: a title just before ("bác sĩ trực, bệnh nhân …") is someone else's.
        official = _official(sentence, m.start(), end, title_before=not patient)
        if not syllables or official or _INITIAL_NEXT.match(sentence, end):
            continue
        if syllables and len(syllables[0]) == 1 and len(syllables) == 1:
            continue  # a lone capital is an initial, not a name
        if syllables and syllables[0] in _INSTITUTION_START:
            continue  # "học sinh Trường Tiểu học Kim Đồng": a school, and no family name starts so
        if len(syllables) >= 2 or patient or cue in _NAMING:
            found.append((m.start(), end, patient))
            # The names listed after it are named the same way.
            while (more := _LISTED_NAME.match(sentence, end)) and not set(more.group(1).split()) & _NOT_NAMES:
                found.append((more.start(1), more.end(1), patient))
                end = more.end(1)
    # A full name with its age in brackets or after a comma: "Nguyễn Văn Hùng (45 tuổi)".
    for m in _AGED_NAME.finditer(sentence):
        words = m.group(1).split()
        taken = any(a <= m.start() < b for a, b, _ in found)
        if not set(words) & _NOT_NAMES and not taken and not _official(sentence, m.start(), m.end()):
            before = sentence[max(0, m.start() - 12) : m.start()].lower()
            if not _PLACE_BEFORE.search(before):
                found.append((m.start(), m.end(), True))
    return found


def find(text: str) -> list[Finding]:
    """Return the identifying details of a text, left to right."""
    found: list[Finding] = []

    def add(kind: str, start: int, end: int) -> None:
        found.append(Finding(kind, start, end, text[start:end]))

    for a, b in sentences(text):
        sentence = text[a:b]
        names = _names(sentence)
        numbers = _numbers(sentence, bool(names))
        # A name's own syllables ("anh Y Khoa Niê") are no institution's word before an address.
        unnamed = sentence
        for start, end, _patient in names:
            unnamed = unnamed[:start] + " " * (end - start) + unnamed[end:]
        houses = [
            m for m in _HOUSE.finditer(sentence) if not _INSTITUTION.search(_since_residence(unnamed[: m.start()]))
        ]
        resident = bool(_RESIDENCE.search(sentence))
        beds = list(_BED.finditer(sentence)) if names else []
        # A private person's name says who they are once anything beside it says more: an age, a home, a
        # number, a bed.
        told = bool(_AGE.search(sentence)) or resident or bool(houses) or bool(numbers) or bool(beds)
        for start, end, patient in names:
            if patient or told:
                add("person", a + start, a + end)
        aged = bool(_AGE.search(sentence))
        for m in houses:
            # A person described by age beside a house, a lane or a hamlet: where they live.
            if resident or names or (aged and _HOUSE_LEVEL.search(m.group(0))):
                add("home_address", a + m.start(), a + m.end())
        for start, end in _runs([(m.start(), m.end()) for m in beds], sentence):
            add("bed_with_name", a + start, a + end)
        for kind, start, end in numbers:
            add(kind, a + start, a + end)
    return sorted(found, key=lambda f: (f.start, f.end))


def _runs(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join spans told in a row ("giường số 12, phòng 305"): a bed and its room are one detail."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and re.fullmatch(r"[\s,]*", text[joined[-1][1] : start]):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _numbers(sentence: str, named: bool) -> list[tuple[str, int, int]]:
    """Return the ID, insurance and private phone numbers of a sentence: (kind, start, end)."""
    found: list[tuple[str, int, int]] = []

    def free(start: int) -> bool:
        return not any(s <= start < e for _kind, s, e in found)

    for m in _CITIZEN_CUED.finditer(sentence):
        found.append(("citizen_id", m.start(1), m.end(1)))
    for m in _CITIZEN_CUED_AFTER.finditer(sentence):
        if free(m.start(1)):
            found.append(("citizen_id", m.start(1), m.end(1)))
    for m in _CITIZEN.finditer(sentence):
        document = _DOCUMENT.search(sentence[: m.start()])
        if not _MEASURED.match(sentence, m.end()) and not document and free(m.start()):
            found.append(("citizen_id", m.start(), m.end()))
    for m in _INSURANCE.finditer(sentence):
        found.append(("insurance_id", m.start(), m.end()))
    for m in _INSURANCE_CUED.finditer(sentence):
        if free(m.start(1)):
            found.append(("insurance_id", m.start(1), m.end(1)))
    for m in _PHONE.finditer(sentence):
        if _TAX_CODE.search(sentence[: m.start()]):
            continue
        before = sentence[: m.start()]
        public = (
            _PUBLIC_LINE.search(before)
            or _OWNED_BY_BODY.match(sentence[m.end() :])
            or _BODYS_LINE.search(before)
            or _BODYS_SEAT.match(sentence)
        )
        if free(m.start()) and (named or not public):
            found.append(("phone", m.start(), m.end()))
    return found


def _since_residence(before: str) -> str:
    """Return what follows the last residence cue ("trú tại …"): an institution before it is not the house's."""
    # "Địa chỉ" is anyone's, a body's too: only a cue of living somewhere hides the institution before it.
    cues = [c for c in _RESIDENCE.finditer(before) if c.group(0).lower() != "địa chỉ"]
    return before[cues[-1].end() :] if cues else before
