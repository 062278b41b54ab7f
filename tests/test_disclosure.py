"""Fingerprinted exports and disclosure investigations, through the API, on both databases."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from auth.models import User
from statements.disclosure import fingerprint, reading, sites, variants
from statements.disclosure.fingerprint import decode_marks
from statements.disclosure.models import Export, Violation
from statements.i18n import LOCAL_ZONE
from statements.lifecycle.matching import tokens
from workflow.ledger import LedgerEntry
from workflow.text import strip_diacritics, strip_invisible

SAMPLES = json.loads((Path(__file__).parent.parent / "statements/demo_data/statements.json").read_text("utf-8"))
SAMPLE = SAMPLES["statements"][0]


def later(minutes: int = 5) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).isoformat()


def create(api, by="author", **fields):
    body = {k: SAMPLE[k] for k in ("title", "body", "kind", "urgency", "topics")} | {"unit": "SYT-HN"} | fields
    r = api(by).post("/api/v1/statements", json=body)
    assert r.status_code == 201, r.json
    return r.json


def export(api, who, sid, fmt="txt") -> bytes:
    r = api(who).get(f"/api/v1/statements/{sid}/export?format={fmt}")
    assert r.status_code == 200, r.json
    return r.data


def body_of(copy: bytes) -> str:
    """Return the statement text of a txt copy, without the banner and the hash line."""
    lines = copy.decode("utf-8").split("\n")
    return "\n".join(lines[2:-3])


def investigate(api, text, who="auditor", seen_at=None, expect=201):
    r = api(who).post(
        "/api/v1/disclosures", json={"text": text, "seen_where": "Facebook", "seen_at": seen_at or later()}
    )
    assert r.status_code == expect, r.json
    return r.json


# --- the fingerprint itself -----------------------------------------------------------------


def test_marks_survive_any_paragraph_and_variants_differ_per_export():
    text = SAMPLE["body"]
    a, b = fingerprint.new_fingerprint(), fingerprint.new_fingerprint()
    marked = fingerprint.mark(text, a)
    for paragraph in marked.split("\n"):
        if paragraph.strip():
            assert set(decode_marks(paragraph)) == {a}
    # Without its marks, the copy reads as the same words.
    assert tokens(strip_invisible(marked)) == tokens(text)
    # A damaged mark is not read as another fingerprint.
    assert decode_marks(marked.replace(fingerprint.BIT[0], fingerprint.BIT[1], 1)).keys() <= {a}
    observed = variants.observe(strip_diacritics(strip_invisible(marked)), text)
    assert len(observed) >= 4, observed
    assert variants.agreement(observed, a) == (len(observed), 0)
    if any(variants.variant_bit(a, k) != variants.variant_bit(b, k) for k in observed):
        assert variants.agreement(observed, b)[1] > 0


def test_variant_sites_keep_meaning():
    text = "Từ ngày 09/11 đến 15/11/2026, lúc 14h30, ghi nhận 1.245 ca (8%) - tiêm vắc xin 12000 liều... “an toàn”."
    for fp in ("00000001", "ffffffff", fingerprint.new_fingerprint()):
        varied = variants.apply_variants(text, fp)
        assert tokens(varied) == tokens(text), varied
    assert "24/7" in variants.apply_variants("Trực 24/7 tại bệnh viện", "ffffffff")
    assert "0912345678" in variants.apply_variants("Gọi 0912345678", "ffffffff")


def _forms_at(text: str) -> dict[str, tuple]:
    return {text[s.start : s.end]: s.forms for s in sites.sites(text)}


def test_word_choices_are_made_only_where_the_words_beside_them_keep_the_meaning():
    """Each choice says the same in both forms where it is made (issue 29), and is not made elsewhere."""
    text = (
        "Đến 18 giờ ngày 20/11, 6 người bệnh đang được điều trị tại Bệnh viện Đa khoa tỉnh, trong đó 2 trẻ em."
        " Tỷ lệ tiêm ở người trên 60 tuổi đạt 71%; trong thời gian tới và tuần tới sẽ tiêm tiếp."
        " Đoàn gồm Sở Y tế, Phòng Giáo dục và Đào tạo. Ông Lý Văn B., trú tại chỗ."
        " Người cao tuổi, phụ nữ mang thai và người có bệnh nền cần đến cơ sở y tế."
    )
    forms = _forms_at(text)
    assert forms["Đến"] == ("Đến", "Tới") and forms["tại"] == ("tại", "ở") and forms["Tỷ"] == ("Tỷ", "Tỉ")
    assert forms["18 giờ"] == ("18 giờ", "18h") and forms["20/11"] == ("20/11", "20-11")
    assert forms["6"] == ("sáu", "6") and " và" not in forms  # no serial comma: not how official Vietnamese writes
    assert forms["người bệnh"] == ("người bệnh", "bệnh nhân") and forms["trẻ em"] == ("trẻ em", "trẻ")
    # "ở người" is "among", "tới" after "thời gian"/"tuần" is "next", "và Đào tạo" is part of a name, "Lý" is a
    # family name and "tại chỗ" is "on the spot": none of them is a choice.
    assert "ở" not in forms and "tới" not in forms and "Lý" not in forms
    assert text.count("tại") == 2 and len([f for f in forms if f == "tại"]) == 1
    for code in ("00000001", "ffffffff", fingerprint.new_fingerprint()):
        copy = variants.apply_variants(text, code)
        assert tokens(copy) == tokens(text), copy  # matching sees one text, whichever copy it is
        assert "Phòng Giáo dục và Đào tạo" in copy and "Lý Văn B." in copy and "ở người trên 60" in copy


#: Sentences where a choice would change what is said (or how an official text reads), and the words that
#: must stay as written in every copy: from the review of issue 29's word choices.
UNCHANGED = [
    ("Ông Trần Văn Tới, trú tại xã An Bình.", "Trần Văn Tới"),
    ("Ông Hy sinh năm 1960 tại Quỹ Hy vọng.", "Hy sinh", "Hy vọng"),
    ("Bệnh viện Trẻ em và Luật Trẻ em; Quỹ Bảo trợ trẻ em Việt Nam.", "Trẻ em và", "Luật Trẻ em", "trẻ em Việt"),
    ("Ban đại diện cha mẹ học sinh đã họp.", "cha mẹ học sinh"),
    ("Người sử dụng lao động đọc hướng dẫn sử dụng.", "sử dụng lao động", "hướng dẫn sử dụng"),
    ("Số lô 230517, mã VN-16789-13, bệnh nhân BN12345.", "230517", "16789", "12345"),
    ("Nhiệt độ cao nhất là 39 độ, ít nhất là ba ngày.", "cao nhất là", "ít nhất là"),
    ("Phòng bệnh nhân dịp Tết; hoạt động bệnh nhân đạo.", "bệnh nhân dịp", "bệnh nhân đạo"),
    ("Người bệnh nên ở nhà.", "ở nhà"),
    ("Tỷ lệ cao ở những người trên 60 tuổi, ở một số người và ở bệnh nhi.", "ở những", "ở một", "ở bệnh"),
    ("Theo quy định tại Điều 5 Nghị định 09.", "tại Điều"),
    ("Thứ Hai tới, ngày 20 tới, tháng 12 tới, Kỳ họp tới, dịp Tết tới.", "Hai tới", "20 tới", "12 tới", "họp tới"),
    ("Có 7 trường hợp vi phạm và một số trường hợp đặc biệt; mổ 3 ca.", "trường hợp vi", "trường hợp đặc", "ca."),
    ("Trong đó có yêu cầu bồi thường.", "Trong đó có"),
    ("Thời gian ủ bệnh trong khoảng 2 đến 14 ngày.", "trong khoảng"),
    ("Quyết định tự hết hiệu lực.", "tự hết hiệu"),
    ("Uống ngày 2-3 lần, ngày 1-2 lít nước.", "2-3", "1-2"),
    ("Giảm từ 1/3 đến 3/4 số ca, tỷ lệ 1:20.", "1/3", "3/4", "1:20"),
    (
        "Có mười hai ca, hai mươi ba người. Mỗi năm bệnh viện khám. Hằng năm trẻ em được tiêm.",
        "hai ca",
        "ba người",
        "năm bệnh",
        "năm trẻ em",
    ),
    ("Cấp cứu trong vòng 4 giờ; kéo dài 2 giờ 30 phút.", "4 giờ", "2 giờ 30 phút"),
    ("Đoàn gồm Sở Y tế, Công an và Phòng Giáo dục.", ", Công an và"),
    ("Công ty cổ phần báo cáo tỷ lệ mắc.", "Công ty"),
    # From the review of version 3 (version 4's rules).
    ("Thực hiện tại trạm y tế; phát hiện tại nhà; xuất hiện tại chỗ.", "hiện tại trạm", "hiện tại nhà"),
    ("Ngày 3-7 của bệnh; tới 3-7 ngày; đem 3-7 thùng.", "3-7 của", "3-7 ngày", "3-7 thùng"),
    ("Văn bản 12345/QĐ-BYT; BN 12345; mã bưu chính 100000.", "12345/", "BN 12345", "100000"),
    ("Ngày 2 tháng 9, giường 5 khoa Nội, Phòng 3 khoa Ngoại, tổ 4 xã An.", "2 tháng", "5 khoa", "3 khoa", "4 xã"),
    ("2 ca mắc mới. Uống 2 - 3 lần, 2–3 ngày, 2 hoặc 3 ngày, x 3 lần.", "2", "3 lần", "3 ngày,", "hoặc 3 ngày", "x 3"),
    ("Cục Quản lý Dược; Luật Xử lý vi phạm; Quỹ Hỗ trợ bệnh nhân nghèo.", "Quản lý", "Xử lý", "bệnh nhân nghèo"),
    ("Theo đúng quy định, đơn vị báo cáo.", "Theo đúng quy định"),
    ("Cháu bé tự khỏi sau 3 ngày.", "tự khỏi"),
    ("Theo Biên bản số 5 lập tại Báo cáo 12 và tại Phiếu 3.", "tại Báo", "tại Phiếu"),
    ("Xin ông cho biết tình hình? Đề nghị bà cho biết số ca.", "cho biết tình", "cho biết số"),
    ("Ông nói: “bệnh nhân được chuyển đến bệnh viện tại tỉnh”.", "bệnh nhân được chuyển đến bệnh viện tại"),
    ("Bệnh nhân 91 đã khỏi; dùng bình oxy và chất chống oxy hóa.", "Bệnh nhân 91", "oxy hóa"),
    ("Bác sĩ khám. Mỹ và Nhật Bản tài trợ.", "Bác sĩ", "Mỹ"),
    ("Thời gian qua đã lâu.", "Thời gian qua"),
]


@pytest.mark.parametrize(("text", "kept"), [(t[0], t[1:]) for t in UNCHANGED], ids=[t[1] for t in UNCHANGED])
def test_no_choice_changes_what_a_sentence_says(text, kept):
    """No site touches words whose other form would say something else: names, "tới" as "next", codes, …"""
    found = sites.sites(text)
    for words in kept:
        start = text.index(words)
        touched = [text[s.start : s.end] for s in found if s.start < start + len(words) and start < s.end]
        assert not touched, (words, touched)
    for code in ("00000001", "fedcba98", fingerprint.new_fingerprint()):
        copy = variants.apply_variants(text, code)
        assert all(words in copy for words in kept), copy


def _fragments(text: str) -> list[str]:
    """Return a text's paragraphs, sentences and runs of 5 to 15 words (cut anywhere, inside a form too)."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.;!?])\s+", p) if s.strip()]
    runs = []
    for p in paragraphs:
        words = p.split()
        for size in (5, 9, 15):
            runs += [" ".join(words[i : i + size]) for i in range(0, max(1, len(words) - size + 1), 3)]
    # A word cut in two where the selection began ("dụng" of "sử dụng").
    runs += [p[i : i + 60] for p in paragraphs for i in range(1, len(p), 37)]
    return paragraphs + sentences + runs


def test_no_fragment_of_a_copy_is_read_as_a_choice_it_does_not_show():
    """Any paragraph, sentence or run of words of a copy, retyped without diacritics or capitals or with a capital
    first letter, reads only its own choices."""
    texts = [f"{s['title']}\n{s['body']}" for s in SAMPLES["statements"]]
    texts.append(" ".join(t[0] for t in UNCHANGED) + " Công ty báo cáo tỷ lệ mắc; cách ly và quản lý; quy định quý IV.")
    read = 0
    for text in texts:
        for code in ("0badc0de", "12345678", "fedcba98", "00c0ffee"):
            for fragment in _fragments(variants.apply_variants(text, code)):
                capitalised = fragment[:1].upper() + fragment[1:]  # a fragment retyped as a sentence of its own
                for typed in (fragment, strip_diacritics(fragment), reading.bare(fragment), capitalised):
                    seen = variants.observe(typed, text)
                    assert seen == {k: variants.variant_bit(code, k) for k in seen}, typed
                    read += len(seen)
    assert read > 500  # the check reads plenty of choices, not none


def test_a_faithful_retyping_is_read_back_exactly_and_a_word_only_beside_its_word():
    """Every choice read from a retyped copy is the copy's; a word choice counts only beside the word it was made at."""
    for sample in SAMPLES["statements"]:
        text = f"{sample['title']}\n{sample['body']}"
        keys = variants.site_keys(text)
        for code in ("0badc0de", "12345678", "fedcba98"):
            copy = variants.apply_variants(text, code)
            for seen in (variants.observe(copy, text), variants.observe(strip_diacritics(copy), text)):
                assert seen == {k: variants.variant_bit(code, k) for k in seen}
            # Every word choice is read, unless all of its kind came out one way (as a habit would write them).
            seen, kinds = variants.observe(copy, text), {}
            for key in keys:
                kinds.setdefault(key.split(":")[0], set()).add(variants.variant_bit(code, key))
            # …nor at the copy's very start or end, where a form may be cut from a longer one.
            edges = {k for site in sites.sites(text) if site.start == 0 or site.end == len(text) for k in site.keys}
            expected = {k for k in keys if k.startswith("w.") and len(kinds[k.split(":")[0]]) > 1} - edges
            assert expected <= set(seen)
    original = "Bệnh nhân được đưa đến Bệnh viện tỉnh. Số liệu tính đến ngày 5/12/2026."
    assert variants.observe("được đưa tới Bệnh viện tỉnh", original) == {"w.to:đến>bệnh": 1}
    assert variants.observe("được đưa đến Bệnh viện; sắp tới sẽ công bố", original) == {"w.to:đến>bệnh": 0}
    assert variants.observe("đến Bệnh viện; sắp tới", original) == {}  # at its very start: maybe cut from more


def test_the_drafter_sees_where_copies_differ_and_which_paragraphs_carry_too_few_choices(app, api):
    from tests.test_web import login

    body = "Đến 18 giờ ngày 20/11, 6 người bệnh đang được điều trị tại Bệnh viện Đa khoa tỉnh.\n\nCảm ơn."
    s = create(api, body=body)
    for who in ("spokesperson", "leader"):
        export(api, who, s["id"])
    page = login(app.test_client(), "author").get(f"/statements/{s['id']}").get_data(as_text=True)
    assert f'href="/statements/{s["id"]}/variants"' in page
    shown = login(app.test_client(), "author").get(f"/statements/{s['id']}/variants")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'data-forms="Đến|Tới"' in html and 'data-forms="18 giờ|18h"' in html
    # Two copies need six choices: the body's first paragraph has them, the title and "Cảm ơn." none.
    assert html.count("data-paragraph") == 3 and 'data-choices="6"' in html and html.count("data-few") == 2
    spokesperson = login(app.test_client(), "spokesperson")
    assert f"/statements/{s['id']}/variants" not in spokesperson.get(f"/statements/{s['id']}").get_data(as_text=True)
    assert spokesperson.get(f"/statements/{s['id']}/variants").status_code == 403


# --- exports ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf"])
def test_a_released_copy_has_no_banner_in_any_format(api, fmt):
    s = create(api)
    for who, action in (("author", "submit"), ("spokesperson", "approve"), ("spokesperson", "release")):
        assert (
            api(who).post(f"/api/v1/statements/{s['id']}/actions", json={"action": action, "version": 1}).status_code
            == 200
        )
    data = export(api, "spokesperson", s["id"], fmt)
    if fmt == "docx":
        from docx import Document

        document = Document(io.BytesIO(data))
        assert not document.sections[0].header.paragraphs[0].text
        assert s["title"] in "\n".join(p.text for p in document.paragraphs)
    elif fmt == "txt":
        assert "BẢN CHƯA PHÁT HÀNH" not in data.decode("utf-8")


@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf"])
def test_control_characters_in_a_statement_do_not_break_its_copy(api, fmt):
    s = create(api, title="Tiêu đề\x02 có ký tự điều khiển", body="Dòng một\x13\vvẫn còn\nDòng hai")
    data = export(api, "spokesperson", s["id"], fmt)
    if fmt == "docx":
        from docx import Document

        text = strip_invisible("\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs))
        # XML cannot hold them: each shows as its Control Pictures sign, nothing silently dropped.
        assert "\u2402" in text and "\u2413\u240b" in text and "\x02" not in text
    elif fmt == "txt":
        text = strip_invisible(data.decode("utf-8"))
        assert "\x02" in text and "\x13\x0b" in text


@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf"])
def test_unreleased_copy_carries_banner_and_fingerprint_in_every_format(api, session, fmt):
    s = create(api)
    data = export(api, "spokesperson", s["id"], fmt)
    if fmt == "docx":
        from docx import Document

        doc = Document(io.BytesIO(data))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "BẢN CHƯA PHÁT HÀNH" in doc.sections[0].header.paragraphs[0].text
    elif fmt == "pdf":
        from pypdf import PdfReader

        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    else:
        text = data.decode("utf-8")
    assert "BẢN CHƯA PHÁT HÀNH" in text and "KHÔNG CUNG CẤP CHO BÁO CHÍ" in text and "(spokesperson)" in text
    (code,) = decode_marks(text)
    row = session.scalars(sa.select(Export).where(Export.fingerprint == code)).one()
    assert (row.username, row.statement_id, row.version, row.format) == ("spokesperson", s["id"], 1, fmt)
    entry = session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1)).one()
    assert (entry.action, entry.data["fingerprint"], entry.data["format"]) == ("export", code, fmt)


def test_every_export_has_its_own_fingerprint(api):
    s = create(api)
    codes = [set(decode_marks(export(api, who, s["id"]).decode())) for who in ("author", "author", "leader")]
    assert all(len(c) == 1 for c in codes) and len(set().union(*codes)) == 3


def test_released_copy_is_unmarked_and_unlogged(api, count_ledger, statement_in):
    s = statement_in("released")
    before = count_ledger()
    data = export(api, "outsider", s.id).decode()
    assert count_ledger() == before
    assert "BẢN CHƯA PHÁT HÀNH" not in data and not decode_marks(data)
    assert s.current.body in data


# --- investigations --------------------------------------------------------------------------


def test_pasted_paragraph_names_the_recipient(api):
    s = create(api)
    copies = {who: export(api, who, s["id"]) for who in ("author", "spokesperson", "leader", "auditor")}
    pasted = body_of(copies["leader"]).split("\n")[2]  # the middle paragraph only
    case = investigate(api, pasted)
    analysis = case["analysis"]
    assert not case["released"] and case["status"] == "open"
    assert [(e["recipient"], e["statement"]) for e in analysis["exports"]] == [("leader", s["id"])]
    assert analysis["matches"][0]["statement"] == s["id"] and analysis["matches"][0]["score"] > 0.9
    assert analysis["suspects"][0]["username"] == "leader"
    assert analysis["suspects"][0]["evidence"][0]["type"] == "fingerprint"


def _apart(text: str, count: int, differing: int = 4, rules: str = sites.SITES_VERSION) -> list[str]:
    """Return fingerprints whose copies of `text` differ pairwise, and from the text as written, in at least
    `differing` forms (seeded, fixed)."""
    keys, rng, chosen = variants.site_keys(text, rules), random.Random(29), []
    screen = variants.written(text, rules)
    taken = [sum(screen.get(key, 0) << i for i, key in enumerate(keys))]
    while len(chosen) < count:
        code = f"{rng.getrandbits(32) | 1:08x}"
        bits = variants.choices(code, keys)
        if all((bits ^ other).bit_count() >= differing for other in taken):
            chosen.append(code)
            taken.append(bits)
    return chosen


def test_retyped_copy_without_marks_finds_the_version_and_ranks_readers(api, monkeypatch):
    # Random fingerprints may give two of four copies nearly the same forms, and then nothing tells them
    # apart (rightly: the group is shown). Copies that differ in four forms at least are told apart.
    codes = iter(_apart(f"{SAMPLE['title']}\n{SAMPLE['body']}", 4))
    monkeypatch.setattr(fingerprint, "new_fingerprint", lambda: next(codes))
    s = create(api)
    copies = {who: export(api, who, s["id"]) for who in ("author", "spokesperson", "leader", "auditor")}
    api("drafter2").get(f"/api/v1/statements/{s['id']}")  # read on screen only
    retyped = strip_diacritics(strip_invisible(body_of(copies["spokesperson"])))
    paragraphs = retyped.split("\n\n")
    retyped = "\n\n".join(reversed(paragraphs))  # reordered too
    case = investigate(api, retyped)
    analysis = case["analysis"]
    assert not analysis["exports"]
    assert (analysis["matches"][0]["statement"], analysis["matches"][0]["version"]) == (s["id"], 1)
    names = [p["username"] for p in analysis["suspects"]]
    assert {"author", "spokesperson", "leader", "auditor", "drafter2"} <= set(names)
    assert analysis["distinguished"] == ["spokesperson"], analysis["suspects"][:3]
    assert names[0] == "spokesperson" and analysis["suspects"][0]["evidence"][0]["type"] == "variants"


def test_released_text_is_not_a_leak_but_the_same_text_before_release_is(api, statement_in):
    s = statement_in("released", body=SAMPLE["body"], title=SAMPLE["title"])
    case = investigate(api, s.current.body)
    assert case["released"] and case["analysis"]["matches"] == []
    before = (s.released_at - dt.timedelta(minutes=1)).isoformat()
    early = investigate(api, s.current.body, seen_at=before)
    assert not early["released"] and early["analysis"]["matches"][0]["statement"] == s.id


def test_edited_version_matches_the_closer_version(api):
    s = create(api)
    edited_body = SAMPLE["body"].replace("1.245 ca mắc cúm mùa", "1.300 ca mắc cúm mùa").replace("14 xã", "20 xã")
    r = api("author").post(
        f"/api/v1/statements/{s['id']}/versions",
        json={"version": 1, "title": SAMPLE["title"] + " (cập nhật)", "body": edited_body + "\n\nThêm một đoạn mới."},
    )
    assert r.status_code == 201, r.json
    case = investigate(api, edited_body)
    assert [m["version"] for m in case["analysis"]["matches"][:2]] == [2, 1]


def test_investigations_are_for_auditors_and_leaders_within_their_units(api):
    s = create(api)
    export(api, "author", s["id"])
    investigate(api, SAMPLE["body"], who="author", expect=403)
    investigate(api, SAMPLE["body"], who="admin", expect=403)
    # The leader of another unit's tree does not learn of SYT-HN's drafts.
    api_leader = api("leader")
    mine = investigate(api, SAMPLE["body"], who="leader")
    assert mine["analysis"]["matches"][0]["statement"] == s["id"]
    assert api_leader.get(f"/api/v1/disclosures/{mine['id']}").status_code == 200
    assert api("outsider").get(f"/api/v1/disclosures/{mine['id']}").status_code == 403


def test_bad_reports_are_refused_clearly(api):
    for body in (
        {"text": "ba", "seen_where": "x", "seen_at": later()},
        {"text": "một hai ba bốn", "seen_where": "x", "seen_at": later(60 * 24)},
        {"text": "một hai ba bốn", "seen_where": "x", "seen_at": "2026-11-01T10:00:00"},
        {"text": "một hai ba bốn", "seen_where": "x"},
    ):
        r = api("auditor").post("/api/v1/disclosures", json=body)
        assert r.status_code == 422 and r.json["code"] == 422, (body, r.json)


def test_finding_records_violations_on_the_register_and_the_ledger(api, session):
    s = create(api)
    copy = export(api, "drafter2", s["id"])
    case = investigate(api, body_of(copy), who="leader")
    assert case["analysis"]["suspects"][0]["username"] == "drafter2"
    auditor = api("auditor")
    bad = auditor.post(f"/api/v1/disclosures/{case['id']}/finding", json={"outcome": "leak_attributed", "finding": "x"})
    assert bad.status_code == 422 and "violators" in bad.json["errors"]
    self_finding = api("leader").post(
        f"/api/v1/disclosures/{case['id']}/finding",
        json={"outcome": "leak_attributed", "finding": "x", "violators": ["leader"]},
    )
    assert self_finding.status_code == 403
    r = auditor.post(
        f"/api/v1/disclosures/{case['id']}/finding",
        json={
            "outcome": "leak_attributed",
            "finding": "Bản sao của drafter2 đăng lên mạng.",
            "violators": ["drafter2"],
        },
    )
    assert r.status_code == 200, r.json
    assert r.json["status"] == "closed" and [v["user"] for v in r.json["violations"]] == ["drafter2"]
    again = auditor.post(f"/api/v1/disclosures/{case['id']}/finding", json={"outcome": "inconclusive", "finding": "x"})
    assert again.status_code == 409
    register = api("leader").get("/api/v1/violations").json
    assert register["items"][0]["user"] == "drafter2" and register["items"][0]["case"] == case["id"]
    assert api("outsider").get("/api/v1/violations").status_code == 403
    assert api("dn_spokesperson").get("/api/v1/violations").status_code == 403
    actions = session.scalars(
        sa.select(LedgerEntry.action).where(LedgerEntry.kind == "disclosure").order_by(LedgerEntry.seq)
    ).all()
    assert actions[-2:] == ["open_case", "close_case"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Violation)) >= 1


# --- in the browser ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_web_case_from_pasted_text_to_finding(app, api, lang):
    from tests.test_web import csrf, login

    s = create(api)
    copy = api("drafter2").get(f"/api/v1/statements/{s['id']}/export?format=txt").data
    auditor = login(app.test_client(), "auditor", lang)
    page = auditor.get("/disclosures")
    assert page.status_code == 200 and f'<html lang="{lang}">' in page.get_data(as_text=True)
    seen = (dt.datetime.now(LOCAL_ZONE) + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")  # as a Hanoi clock reads
    bad = auditor.post("/disclosures", data={"text": "", "seen_where": "x", "seen_at": "", "csrf_token": csrf(page)})
    assert bad.status_code == 422
    r = auditor.post(
        "/disclosures",
        data={"text": body_of(copy), "seen_where": "Nhóm Zalo", "seen_at": seen, "csrf_token": csrf(page)},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    case_page = auditor.get(r.headers["Location"])
    html = case_page.get_data(as_text=True)
    assert 'data-released="false"' in html and 'data-suspect="drafter2"' in html
    # Whose copy it is is evidence; having written the text is not, so the author is in the group, unranked.
    assert 'data-had-access="author"' in html and 'data-suspect="author"' not in html
    missing = auditor.post(
        r.headers["Location"], data={"outcome": "leak_attributed", "finding": "x", "csrf_token": csrf(case_page)}
    )
    assert missing.status_code == 422
    # A refused finding comes back as typed: never the suggested outcome in place of the investigator's.
    refused = auditor.post(
        r.headers["Location"],
        data={"outcome": "inconclusive", "finding": "Chưa rõ.", "violators": "nobody", "csrf_token": csrf(case_page)},
    )
    assert refused.status_code == 422
    form = refused.get_data(as_text=True)
    assert re.search(r'<option value="inconclusive"\s+selected', form), "the outcome typed is kept"
    assert 'value="nobody"' in form and "Chưa rõ.</textarea>" in form
    own = auditor.post(
        r.headers["Location"],
        data={"outcome": "inconclusive", "finding": "Chưa rõ.", "violators": "auditor", "csrf_token": csrf(case_page)},
    )
    assert own.status_code == 403
    form = own.get_data(as_text=True)
    assert re.search(r'<option value="inconclusive"\s+selected', form) and 'value="auditor"' in form
    done = auditor.post(
        r.headers["Location"],
        data={
            "outcome": "leak_attributed",
            "finding": "Đăng bản sao lên nhóm Zalo.",
            "violators": "drafter2",
            "csrf_token": csrf(case_page),
        },
    )
    assert done.status_code == 302
    register = auditor.get("/violations").get_data(as_text=True)
    assert "drafter2" in register and "Đăng bản sao lên nhóm Zalo." in register


def test_web_disclosure_pages_are_for_investigators(app):
    from tests.test_web import login

    for who, status in (("author", 403), ("spokesperson", 403), ("admin", 403), ("leader", 200), ("auditor", 200)):
        c = login(app.test_client(), who)
        assert c.get("/disclosures").status_code == status, who
        assert c.get("/violations").status_code == status, who


def test_web_export_button_downloads_a_marked_copy(app, api):
    from tests.test_web import login

    s = create(api)
    c = login(app.test_client(), "spokesperson")
    page = c.get(f"/statements/{s['id']}").get_data(as_text=True)
    assert "data-export" in page
    r = c.get(f"/statements/{s['id']}/export?format=docx")
    assert r.status_code == 200 and r.headers["Content-Disposition"].endswith('.docx"')
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(r.data)).paragraphs)
    assert len(decode_marks(text)) == 1


@pytest.mark.parametrize("via", ["web", "api"])
def test_a_copy_made_after_the_text_was_seen_is_never_a_suspect(app, api, via):
    """A case dated 14:30 (Hanoi) in the form blamed a copy exported at 14:39 the same day (issue 26)."""
    from tests.test_web import csrf, login

    s = create(api)
    copy = export(api, "drafter2", s["id"])  # exported now, minutes after the text was seen
    seen = dt.datetime.now(LOCAL_ZONE) - dt.timedelta(minutes=9)
    if via == "web":
        auditor = login(app.test_client(), "auditor")
        page = auditor.get("/disclosures")
        r = auditor.post(
            "/disclosures",
            data={
                "text": body_of(copy),
                "seen_where": "Facebook",
                "seen_at": seen.strftime("%Y-%m-%dT%H:%M"),  # as a clock in Hanoi reads
                "csrf_token": csrf(page),
            },
        )
        assert r.status_code == 302, r.get_data(as_text=True)
        html = auditor.get(r.headers["Location"]).get_data(as_text=True)
        assert 'data-suspect="drafter2"' not in html
        assert seen.strftime("%d/%m/%Y %H:%M") in html and "giờ Hà Nội" in html
        # The copy its marks name is shown for what it is: made after, so not the source.
        assert 'data-before-seen="false"' in html and "không thể là nguồn" in html
        assert 'value="leak_attributed" selected' not in html
    else:
        case = investigate(api, body_of(copy), seen_at=seen.isoformat())
        assert "drafter2" not in [p["username"] for p in case["analysis"]["suspects"]]
        assert all(not e["before_seen"] for e in case["analysis"]["exports"]), case["analysis"]["exports"]


def test_a_text_with_no_words_is_indexed_as_nothing(api, session):
    """The fuzzer's find: a version of punctuation alone gave an empty batch of bands to insert."""
    import warnings

    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", SAWarning)
        s = create(api, title=".", body="!")
        r = api("author").post(f"/api/v1/statements/{s['id']}/versions", json={"title": "…", "body": "—", "version": 1})
    assert r.status_code == 201, r.json


def test_seeing_a_title_in_a_list_never_outweighs_reading_the_text(app, api):
    from tests.test_web import login

    s = create(api)
    api("author").post(f"/api/v1/statements/{s['id']}/actions", json={"action": "submit", "version": 1})
    api("drafter2").get(f"/api/v1/statements/{s['id']}")  # the text, once, on screen
    leader = login(app.test_client(), "leader")
    for _ in range(10):  # a leader clicking through the dashboard's lists: titles only
        leader.get("/statements")
        leader.get("/inbox")
    case = investigate(api, SAMPLE["body"])
    suspects = {p["username"]: p for p in case["analysis"]["suspects"]}
    # Nobody is ranked on access alone; what each one's access weighs is still told, and titles weigh least.
    assert not case["analysis"]["distinguished"] and {"drafter2", "leader"} <= set(case["analysis"]["had_access"])
    weight = {name: sum(e["weight"] for e in suspects[name]["evidence"]) for name in ("drafter2", "leader")}
    assert weight["drafter2"] > weight["leader"], case["analysis"]["suspects"][:4]
    assert {e["type"] for e in suspects["leader"]["evidence"]} == {"listed"}
    # The page lists the leader apart from those who had the text, and counts only those.
    page = login(app.test_client(), "auditor").get(f"/disclosures/{case['id']}").get_data(as_text=True)
    assert 'data-title-only="leader"' in page and 'data-had-access="leader"' not in page
    assert 'data-had-access="drafter2"' in page and "10 lần" in page
    # A search finds statements by their body: what it shows is read like the text.
    leader.get("/statements?q=" + SAMPLE["body"].split()[0])
    case = investigate(api, SAMPLE["body"])
    leader_now = next(p for p in case["analysis"]["suspects"] if p["username"] == "leader")
    assert "read" in {e["type"] for e in leader_now["evidence"]}


# --- never pointing at the wrong person (issue 29) ----------------------------------------------


def test_a_capital_letter_opening_a_sentence_is_no_choice():
    """ "Tỷ lệ" opening a sentence is its own site, never read as the choice of "tỷ" made further on."""
    original = "Tỷ lệ tiêm chủng đạt 96,2% kế hoạch.\nTrong tháng, tỷ lệ mắc giảm so với tháng trước."
    first = variants.observe("Tỷ lệ tiêm chủng đạt 96,2% kế hoạch.", original)
    assert "yi:tỷ:tháng<tỷ" not in first and "yi:tỷ:tháng<tỷ" not in variants.observe("tỉ lệ tiêm chủng", original)
    assert variants.observe("Trong tháng, tỉ lệ mắc giảm", original) == {"yi:tỷ:tháng<tỷ": 1}


def test_a_typists_habit_is_not_read_as_a_copys_choices():
    """Every percentage typed without its space is a habit, not three choices agreeing with some copy."""
    original = "Giảm 4% so với tuần trước; tăng 3 % ở trẻ em; đạt 46% kế hoạch."
    leaked = "Giảm 4% so với tuần trước; tăng 3% ở trẻ em; đạt 46% kế hoạch."
    assert not [k for k in variants.observe(leaked, original) if k.startswith("pct:")]
    mixed = "Giảm 4 % so với tuần trước; tăng 3% ở trẻ em; đạt 46% kế hoạch."
    percentages = {k: bit for k, bit in variants.observe(mixed, original).items() if k.startswith("pct:")}
    assert percentages == {"pct:4": 1, "pct:3": 0, "pct:46": 0}


def test_with_nothing_to_tell_them_apart_the_group_is_shown_unranked(app, api):
    from tests.test_web import login

    s = create(api)
    for who in ("spokesperson", "leader", "drafter2"):
        api(who).get(f"/api/v1/statements/{s['id']}")
    export(api, "leader", s["id"])
    case = investigate(api, SAMPLE["body"])  # the text as written: what every screen showed
    a = case["analysis"]
    assert a["distinguished"] == [] and a["narrowing"] and not a["exports"]
    assert {"author", "spokesperson", "leader", "drafter2"} <= set(a["had_access"])
    assert a["had_access"] == sorted(a["had_access"]) == [p["username"] for p in a["suspects"]]
    assert all(p["score"] == 0 and not p["distinguished"] for p in a["suspects"])
    page = login(app.test_client(), "auditor").get(f"/disclosures/{case['id']}").get_data(as_text=True)
    assert "data-no-evidence" in page and "data-suspect=" not in page and 'data-had-access="leader"' in page


def test_a_copy_made_before_release_and_seen_after_says_the_text_was_public(app, api, statement_in):
    from tests.test_web import login

    s = statement_in("approved", body=SAMPLE["body"], title=SAMPLE["title"])
    copy = export(api, "leader", s.id)
    r = api("spokesperson").post(f"/api/v1/statements/{s.id}/actions", json={"action": "release", "version": 1})
    assert r.status_code == 200, r.json
    api("drafter2").get(f"/api/v1/statements/{s.id}")
    case = investigate(api, body_of(copy))
    a = case["analysis"]
    assert case["released"] and a["public_when_seen"] and a["had_access"] == []
    assert [(p["username"], p["public_when_seen"]) for p in a["suspects"]] == [("leader", True)]
    page = login(app.test_client(), "auditor").get(f"/disclosures/{case['id']}").get_data(as_text=True)
    assert 'data-copy-holder="leader"' in page and "data-suspect=" not in page
    assert 'value="not_a_leak" selected' in page


def test_copies_made_before_their_choices_were_kept_are_still_compared(api, session, monkeypatch):
    """Exports are append-only: a copy recorded before `variant_bits` existed has its choices worked out."""
    from statements.lifecycle.models import content_hash

    original = f"{SAMPLE['title']}\n{SAMPLE['body']}"
    codes = _apart(original, 4, differing=5, rules="1")
    s = create(api)
    user_ids = dict(session.execute(sa.select(User.username, User.id)).all())
    for who, code in zip(("spokesperson", "leader", "auditor", "author"), codes, strict=True):
        session.add(Export(fingerprint=code, statement_id=s["id"], version=1, user_id=user_ids[who], username=who,
                           format="txt", content_hash=content_hash(SAMPLE["title"], SAMPLE["body"], SAMPLE["kind"],
                                                                   SAMPLE["topics"])))  # fmt: skip
    session.commit()
    # Those copies were made by the first site rules: their text has only those rules' choices.
    retyped = variants.apply_variants(original, codes[1], version="1")
    analysis = investigate(api, retyped)["analysis"]
    assert analysis["distinguished"] == ["leader"], analysis["suspects"][:2]


def test_copies_made_under_earlier_site_rules_are_read_with_those_rules(api, session):
    """A copy keeps the rules that chose its forms and is read by place: "hai huyện" is one choice in both."""
    from statements.lifecycle.models import content_hash

    original = f"{SAMPLE['title']}\n{SAMPLE['body']}"
    old_keys, keys = set(variants.site_keys(original, "1")), set(variants.site_keys(original))
    assert "count:hai huyện" in old_keys and "count:hai huyện>huyện" in keys and old_keys & keys
    old = _apart(original, 2, differing=5, rules="1")
    new = [code for code in _apart(original, 6) if code not in old][-2:]
    s = create(api)
    user_ids = dict(session.execute(sa.select(User.username, User.id)).all())
    holders = {"spokesperson": (old[0], "1"), "leader": (old[1], "1")}
    holders |= {"auditor": (new[0], sites.SITES_VERSION), "author": (new[1], sites.SITES_VERSION)}
    for who, (code, rules) in holders.items():
        bits = variants.choices(code, variants.site_keys(original, rules))
        session.add(Export(fingerprint=code, statement_id=s["id"], version=1, user_id=user_ids[who], username=who,
                           format="txt", variant_bits=f"{rules}:{bits:x}",
                           content_hash=content_hash(SAMPLE["title"], SAMPLE["body"], SAMPLE["kind"],
                                                     SAMPLE["topics"])))  # fmt: skip
    session.commit()
    for who, (code, rules) in holders.items():
        retyped = variants.apply_variants(original, code, version=rules)
        analysis = investigate(api, retyped)["analysis"]
        assert analysis["distinguished"] == [who], (who, analysis["suspects"][:2])


def test_the_report_form_starts_at_now_in_hanoi(app):
    from tests.test_web import login

    html = login(app.test_client(), "auditor").get("/disclosures").get_data(as_text=True)
    shown = re.search(r'name="seen_at" required value="([^"]*)"', html).group(1)
    now = dt.datetime.now(LOCAL_ZONE).replace(tzinfo=None)
    assert now < dt.datetime.fromisoformat(shown) <= now + dt.timedelta(minutes=1)  # not before a copy just made


def test_postgresql_sums_the_copies_margins_as_python_does(api, session, monkeypatch):
    """The investigation's tallies are the same whether the database or Python sums today's copies."""
    from statements.disclosure import evidence

    s = create(api)
    for who in ("spokesperson", "leader", "auditor", "author", "spokesperson", "leader"):
        export(api, who, s["id"])
    original = f"{SAMPLE['title']}\n{SAMPLE['body']}"
    code = session.scalars(sa.select(Export.fingerprint).where(Export.statement_id == s["id"])).first()
    observed = variants.observe(variants.apply_variants(original, code), original)
    assert observed
    seen_at = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    summed = sorted(evidence._tallies(session, s["id"], 1, seen_at, original, observed))
    monkeypatch.setattr(evidence, "_on_postgresql", lambda session: False)
    assert summed == sorted(evidence._tallies(session, s["id"], 1, seen_at, original, observed))
    assert sum(times for _margin, times, _first, _who in summed) == 6
