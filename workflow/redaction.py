"""The customary way to leave out what identifies a person, proposed for the drafter to check (issue 30).

Names become initials ("Bệnh nhân N.V.H."), ID, insurance and phone numbers become a mark naming what
was left out, a hospital bed goes, and a home address is left out down to the commune. What was there
only for a number ("Người nhà liên hệ chị L.T.M., SĐT …") goes with it, so the text still reads.
"""

from __future__ import annotations

import re

from workflow.privacy import HONORIFIC, UPPER, Finding, find, sentences

#: What stands in for a number left out, naming what it was so the sentence still reads.
LEFT_OUT = {
    "citizen_id": "[đã lược bỏ số định danh]",
    "insurance_id": "[đã lược bỏ số thẻ bảo hiểm y tế]",
    "social_insurance": "[đã lược bỏ mã số bảo hiểm xã hội]",
    "phone": "[đã lược bỏ số điện thoại]",
    "bed_with_name": "[đã lược bỏ số giường, phòng]",
}
#: Where a home address stood while the text is tidied; it leaves nothing behind.
_HOME = "\x00"
#: The words naming a number, just before it, that its mark replaces with it ("SĐT: 0912…").
_NUMBER_CUE = {
    "citizen_id": re.compile(
        r"(?:số\s+)?(?:CCCD|CMND|căn cước(?: công dân)?|định danh(?: cá nhân)?|chứng minh(?: nhân dân| thư)?)"
        r"(?:\s+số)?\s*:?\s*$",
        re.IGNORECASE,
    ),
    "insurance_id": re.compile(
        r"(?:mã\s+)?(?:số\s+)?(?:thẻ\s+)?(?:BHYT|BHXH|bảo hiểm y tế|bảo hiểm xã hội)(?:\s+số)?\s*:?\s*$", re.I
    ),
    "phone": re.compile(r"(?:số\s+)?(?:điện thoại|ĐT|SĐT|ĐTDĐ)(?:\s+di động)?(?:\s+số)?\s*:?\s*$", re.IGNORECASE),
}
#: Lying in a bed says nothing more once the bed is gone.
_LYING = re.compile(r"(?:đang\s+)?nằm(?:\s+(?:tại|ở))?\s*$", re.IGNORECASE)
_WARD_NEXT = re.compile(r"[\s,]*(?:tại\s+|ở\s+|thuộc\s+)?(?=khoa\b|Khoa\b)")


def redact(text: str) -> str:
    """Return the text in the customary form: names as initials, numbers left out, addresses from the commune up."""
    found = find(text)
    if not found:
        return text  # nothing to leave out: the tidying below is for what a redaction leaves behind
    out, last = [], 0
    for kind, start, end in _merged(found):
        before = text[last:start]
        if kind in _NUMBER_CUE and (cue := _NUMBER_CUE[kind].search(before)):
            before = before[: cue.start()]
        replacement = _customary(kind, text[start:end])
        if kind == "bed_with_name" and (ward := _WARD_NEXT.match(text, end)):
            # "nằm giường số 12 khoa Hồi sức" reads "điều trị tại khoa Hồi sức": the ward names nobody.
            lying = _LYING.search(before)
            before = before[: lying.start()] if lying else before
            replacement, end = "điều trị tại " if lying else "", ward.end()
        out += [before, replacement]
        last = end
    out.append(text[last:])
    return _tidy(_without_empty_clauses("".join(out)).replace(_HOME, ""))


def _merged(findings: list[Finding]) -> list[tuple[str, int, int]]:
    """Return the spans to replace: overlapping findings as one."""
    merged: list[tuple[str, int, int]] = []
    for f in findings:
        if not merged or f.start >= merged[-1][2]:
            merged.append((f.kind, f.start, f.end))
    return merged


def _customary(kind: str, text: str) -> str:
    if kind == "person":
        honorific = HONORIFIC.match(text)
        name = text[honorific.end() :] if honorific else text
        initials = ".".join(word[0] for word in name.split()) + "."
        return (text[: honorific.end()] if honorific else "") + initials
    if kind == "home_address":
        return _HOME
    if kind == "insurance_id" and text.isdigit():
        return LEFT_OUT["social_insurance"]  # ten digits: the social-insurance number, not the card's
    return LEFT_OUT[kind]


#: Words that say nothing once the number or home beside them is gone ("Người nhà liên hệ chị L.T.M., SĐT …").
_FILLER = frozenset(
    re.findall(
        r"\w+",
        "liên hệ gọi điện thoại qua theo số là tới đến với cho có và hoặc của nhận tin người nhà gia đình bệnh nhân"
        " ông bà anh chị em con trai gái vợ chồng trú ngụ tại ở sống thường tạm địa chỉ",
    )
)
_MARK = re.compile(r"\[đã lược bỏ [^\]]+\]|" + _HOME)
#: A comma outside a mark (the bed's mark holds one).
_COMMA = re.compile(r"\s*,\s*(?![^\[]*\])")
_BRACKETED = re.compile(r"\s*\(([^()]*)\)")


def _says_nothing(part: str) -> bool:
    """Say whether a part of a sentence is only what was left out and words that were there for it."""
    if not _MARK.search(part):
        return False
    words = re.findall(r"[^\W\d_]+", _MARK.sub(" ", part).lower())
    # Single letters are initials: "chị L.T.M." once the number is gone says nothing to the press.
    return all(w in _FILLER or len(w) == 1 for w in words)


def _only_mark(clause: str) -> bool:
    return not _MARK.sub("", clause).strip(" ,;:")


def _without_empty_clauses(text: str) -> str:
    """Drop the sentences, halves of sentences and asides that what was left out emptied of meaning."""
    text = _BRACKETED.sub(lambda m: "" if _says_nothing(m.group(1)) else m.group(0), text)
    out, last = [], 0
    for a, b in sentences(text):
        sentence = text[a:b]
        stop = re.search(r"[.!?…]*\s*$", sentence)
        body, end = sentence[: stop.start()], sentence[stop.start() :]  # type: ignore[union-attr]
        # Halves joined by a semicolon stand as sentences; a clause that was only a number goes alone.
        halves = [_without_bare_marks(h) for h in body.split(";") if not _says_nothing(h)]
        out.append(text[last:a])
        last = b
        kept = ";".join(halves).strip()
        if kept and not _says_nothing(kept):
            out += [kept[:1].upper() + kept[1:] if body[:1].isupper() else kept, end]
    out.append(text[last:])
    return "".join(out)


def _without_bare_marks(half: str) -> str:
    clauses = _COMMA.split(half)
    kept = [c for c in clauses if not _only_mark(c)] or clauses
    return ", ".join(kept) if len(kept) < len(clauses) else half


_ADDRESS_PART = r"(?=(?:xã|phường|thị trấn|thị xã|huyện|quận|tỉnh|thành phố|tp\.?)\b)"
_CUES = r"(?:ở|trú tại|trú ở|ngụ tại|ngụ ở|ở tại|thường trú|tạm trú|địa chỉ|sống tại|sống ở|nhà ở)"
#: An address left out up to its commune leaves its commas: "trú tại , xã An Bình" reads "trú tại xã An Bình".
_LEFT_COMMA = re.compile(rf"({_CUES})\s*[,:]?\s*,\s*{_ADDRESS_PART}", re.I)
#: An address left out entirely takes its cue with it: "…, trú tại , được" reads "…, được".
_EMPTY_RESIDENCE = re.compile(rf",?\s*(?<!\w){_CUES}\s*:?\s*(?=[.;),]|$)", re.IGNORECASE)


def _tidy(text: str) -> str:
    text = _LEFT_COMMA.sub(r"\1 ", text)
    text = _EMPTY_RESIDENCE.sub("", text)
    text = re.sub(r"\s+,", ",", text)
    text = re.sub(r",\s*,", ",", text)
    # Initials that now end their sentence keep one full stop: "chị L.T.M.." reads "chị L.T.M.".
    text = re.sub(rf"(?<=\b[{UPPER}]\.)\.(?!\.)", "", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip(" ")
