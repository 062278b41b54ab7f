"""Official letters (issue 31): an approved or released statement issued under its unit's next number, in the format
of Decree 30/2020/NĐ-CP, as DOCX (read back) and PDF (rendered to an image); numbers never repeat or skip; on the
ledger, with the unit's letterhead set by admins."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from docx import Document

from statements.letters import service
from tests.test_api_statements import act, create
from tests.test_web import csrf, login
from workflow.ledger import LedgerEntry

HEAD = {
    "full_name": "Sở Y tế Hà Nội",
    "parent_name": "UBND thành phố Hà Nội",
    "symbol": "SYT-NV",
    "place": "Hà Nội",
    "recipients": ["Các cơ quan báo chí trên địa bàn thành phố"],
    "copies_to": ["Như trên", "Bộ Y tế (để b/c)"],
    "archive": "NV",
    "signers": [
        {"mark": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "name": "Nguyễn Thị Hồng Vân"},
        {"mark": "GIÁM ĐỐC", "name": "Trần Quốc Bảo"},
    ],
}
BODY = (
    "Trong tuần 46, toàn thành phố ghi nhận 1.245 ca mắc sốt xuất huyết, giảm 8% so với tuần trước.\n"
    "Sở Y tế đề nghị các cơ quan báo chí phối hợp tuyên truyền để người dân chủ động diệt lăng quăng, bọ gậy."
)
SUBJECT = "thông tin về tình hình dịch sốt xuất huyết tuần 46"


@pytest.fixture
def letterhead(api):
    r = api("admin").put("/api/v1/units/SYT-HN/letterhead", json=HEAD)
    assert r.status_code == 200, r.json
    return r.json


def _approved(api, **fields) -> dict:
    s = create(api, title="Tình hình sốt xuất huyết tuần 46", body=BODY, **fields)
    act(api, "author", s["id"], "submit")
    return act(api, "spokesperson", s["id"], "approve")


def _issue(api, statement_id: int, who: str = "spokesperson", **fields):
    return api(who).post(f"/api/v1/statements/{statement_id}/letters", json={"subject": SUBJECT} | fields)


def test_the_letterhead_is_set_by_admins_on_the_ledger_and_checked(api, session, letterhead):
    assert letterhead["set_by_unit"] and letterhead["signers"][0]["mark"] == "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    assert api("author").get("/api/v1/units/SYT-HN/letterhead").json["symbol"] == "SYT-NV"
    assert api("leader").put("/api/v1/units/SYT-HN/letterhead", json=HEAD).status_code == 403
    bad = api("admin").put("/api/v1/units/SYT-HN/letterhead", json=HEAD | {"symbol": "syt nv", "signers": []})
    assert bad.status_code == 422 and {"symbol", "signers"} <= set(bad.json["errors"]), bad.json
    entry = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == "update_letterhead")).one()
    assert entry.data["symbol"] == "SYT-NV" and entry.data["place"] == "Hà Nội"  # diacritics intact
    defaults = api("admin").get("/api/v1/units/SYT-DN/letterhead").json
    assert not defaults["set_by_unit"] and defaults["full_name"] == "Sở Y tế Đà Nẵng" and defaults["place"] == ""


def test_letters_take_the_next_number_of_the_year_and_a_cancelled_one_keeps_its_own(api, session, letterhead):
    s = _approved(api)
    first = _issue(api, s["id"])
    assert first.status_code == 201, first.json
    assert (first.json["number"], first.json["number_text"]) == (1, "01/SYT-NV")
    assert first.json["content_hash"] == s["approved"]["content_hash"] and first.json["version"] == 1
    second = _issue(api, s["id"], who="leader", signer=1, recipients=["Báo Hà Nội Mới"])
    assert second.status_code == 201 and second.json["number"] == 2 and second.json["signer_name"] == "Trần Quốc Bảo"
    cancelled = api("spokesperson").post(
        f"/api/v1/letters/{second.json['id']}/cancel", json={"reason": "Sai nơi nhận."}
    )
    assert cancelled.status_code == 200 and cancelled.json["cancelled"]["reason"] == "Sai nơi nhận."
    again = api("spokesperson").post(f"/api/v1/letters/{second.json['id']}/cancel", json={"reason": "Lần nữa."})
    assert again.status_code == 409 and again.json["rule"] == "letter_cancelled"
    third = _issue(api, s["id"])
    assert third.json["number"] == 3  # number 2 stays the cancelled letter's, for ever
    numbers = session.scalars(
        sa.select(LedgerEntry.data).where(LedgerEntry.action == "issue_letter").order_by(LedgerEntry.id)
    ).all()
    assert [d["number"] for d in numbers] == [1, 2, 3]
    entry = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == "issue_letter")).first()
    assert entry.kind == "letter" and entry.statement_id == s["id"] and entry.content_hash == first.json["content_hash"]
    listed = api("author").get(f"/api/v1/statements/{s['id']}/letters").json
    assert [x["number"] for x in listed] == [3, 2, 1]
    assert api("outsider").get(f"/api/v1/statements/{s['id']}/letters").status_code == 404


def test_a_letter_rolled_back_takes_no_number(api, session, org, letterhead, monkeypatch):
    s = _approved(api)

    def fails(*args, **kwargs):
        raise RuntimeError("the disk is full")

    savepoint = session.begin_nested()
    monkeypatch.setattr(service, "_entry", fails)
    with pytest.raises(RuntimeError):
        service.issue(session, org.actor("spokesperson"), s["id"], subject=SUBJECT)
    savepoint.rollback()
    monkeypatch.undo()
    assert service.issue(session, org.actor("spokesperson"), s["id"], subject=SUBJECT).number == 1


def test_only_approved_content_is_issued_by_whom_may_and_with_a_letterhead(api, letterhead):
    draft = create(api, title="Nháp", body=BODY)
    assert _issue(api, draft["id"]).json["rule"] == "not_issuable"
    s = _approved(api)
    assert _issue(api, s["id"], who="author").status_code == 403
    assert _issue(api, s["id"], who="outsider").status_code == 404
    assert _issue(api, s["id"], subject=" ").status_code == 422
    assert _issue(api, s["id"], signer=5).status_code == 422
    assert api("admin").put("/api/v1/units/SYT-HN/letterhead", json=HEAD | {"place": " "}).status_code == 422
    assert _issue(api, 999_999).status_code == 404


def test_without_a_letterhead_the_unit_is_told_to_set_one(api):
    s = _approved(api)
    r = _issue(api, s["id"])
    assert r.status_code == 409 and r.json["rule"] == "letterhead_incomplete"


def _docx_texts(data: bytes) -> tuple[Document, str]:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [p.text for cell in table._cells for p in cell.paragraphs]
    return document, "\n".join(parts)


def test_the_docx_reads_back_in_the_decrees_layout(api, session, letterhead):
    s = _approved(api)
    letter = _issue(api, s["id"]).json
    # Before its release, a letter is a copy of unreleased text: only its issuers (and auditors) take it.
    refused = api("author").get(f"/api/v1/letters/{letter['id']}/document?format=docx")
    assert refused.status_code == 403 and refused.json["rule"] == "letter_unreleased"
    r = api("spokesperson").get(f"/api/v1/letters/{letter['id']}/document?format=docx")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    document, marked = _docx_texts(r.data)
    text = re.sub("[\u200b-\u200d\u2060\ufeff]", "", marked)  # the copy's invisible fingerprint, set aside
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [
        round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ]
    assert 20 <= margins[0] <= 25 and 20 <= margins[1] <= 25 and 30 <= margins[2] <= 35 and 15 <= margins[3] <= 20
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert 13 <= document.styles["Normal"].font.size.pt <= 14
    for said in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND THÀNH PHỐ HÀ NỘI",
                 "SỞ Y TẾ HÀ NỘI", "Số: 01/SYT-NV", f"V/v {SUBJECT}", "Hà Nội, ngày ",
                 "Kính gửi: Các cơ quan báo chí trên địa bàn thành phố.", "Trong tuần 46",
                 "Nơi nhận:", "- Như trên;", "- Lưu: VT, NV.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
                 "Nguyễn Thị Hồng Vân"):  # fmt: skip
        assert said in text, said
    assert "Kiểm tra văn bản đã phát hành" not in text  # not released: no verification link yet
    # It is an export with its own fingerprint, on the ledger, so that a leak before the release is traced.
    export = session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.action == "export").order_by(LedgerEntry.id.desc())
    ).first()
    assert (export.actor, export.statement_id, export.data["format"]) == ("spokesperson", s["id"], "docx")
    from statements.disclosure import fingerprint

    assert export.data["fingerprint"] in fingerprint.decode_marks(marked)


def _pgm(path) -> tuple[int, int, bytes]:
    """Read a binary PGM (pdftoppm -gray): width, height and the grey bytes."""
    data = path.read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert header is not None
    return int(header[1]), int(header[2]), data[header.end() :]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils renders the PDF (make test installs it)")
def test_the_pdf_renders_with_every_vietnamese_letter_and_the_decrees_margins(api, letterhead, tmp_path):
    s = _approved(api)
    act(api, "spokesperson", s["id"], "release", channels=["website"])
    letter = _issue(api, s["id"]).json
    r = api("leader").get(f"/api/v1/letters/{letter['id']}/document?format=pdf")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(r.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for said in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SỞ Y TẾ HÀ NỘI", "Số: 01/SYT-NV", "Kính gửi",
                 "diệt lăng quăng, bọ gậy", "Nơi nhận:", "Lưu: VT, NV.", "Nguyễn Thị Hồng Vân",
                 f"/press/v/{letter['content_hash'][:12]}"):  # fmt: skip
        assert said in text, (said, text)
    # A face without a letter drops it from the page and from the text alike ("TNH" for "TỈNH"): all are there.
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    assert "Serif" in fonts.stdout
    # Rendered at 25.4 dots per inch, a dot is a millimetre: the margins can be measured in dots.
    subprocess.run(["pdftoppm", "-gray", "-r", "25.4", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)  # fmt: skip
    width, height, grey = _pgm(next(tmp_path.glob("page*.pgm")))
    assert abs(width - 210) <= 1 and abs(height - 297) <= 1, (width, height)
    ink = [(x, y) for y in range(height) for x in range(width) if grey[y * width + x] < 128]
    left, right = min(x for x, _ in ink), max(x for x, _ in ink)
    top, bottom = min(y for _, y in ink), max(y for _, y in ink)
    assert left >= 29 and right <= 210 - 14 and top >= 19 and bottom <= 297 - 19, (left, right, top, bottom)
    # The letterhead is two columns: ink on both sides of the page's middle in its first lines.
    head = [x for x, y in ink if y < top + 8]
    assert min(head) < 100 < max(head)


def test_the_pages_issue_show_download_and_cancel_in_the_readers_language(app, api, session, letterhead):
    s = _approved(api)
    speaker = login(app.test_client(), "spokesperson", "en")
    statement_page = speaker.get(f"/statements/{s['id']}").get_data(as_text=True)
    assert "data-issue-letter-link" in statement_page
    form = speaker.get(f"/statements/{s['id']}/letters/new")
    assert "data-issue-letter" in form.get_data(as_text=True) and "Báo Hà Nội Mới" not in form.get_data(as_text=True)
    empty = speaker.post(f"/statements/{s['id']}/letters/new", data={"subject": "", "csrf_token": csrf(form)})
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.get_data(as_text=True)
    done = speaker.post(f"/statements/{s['id']}/letters/new", data={
        "subject": SUBJECT, "recipients": "Báo Hà Nội Mới\nĐài Phát thanh và Truyền hình Hà Nội",
        "copies_to": "Như trên", "signer": "1", "csrf_token": csrf(form)})  # fmt: skip
    assert done.status_code == 302, done.get_data(as_text=True)[-600:]
    page = speaker.get(done.headers["Location"]).get_data(as_text=True)
    assert "01/SYT-NV" in page and "Trần Quốc Bảo" in page and "data-letter-pdf" in page
    letter_id = int(done.headers["Location"].rstrip("/").split("/")[-1])
    docx = speaker.get(f"/letters/{letter_id}/document?format=docx")
    assert docx.status_code == 200 and "- Báo Hà Nội Mới;" in _docx_texts(docx.data)[1]
    assert "- Đài Phát thanh và Truyền hình Hà Nội." in _docx_texts(docx.data)[1]  # the last ends the list
    assert speaker.get(f"/letters/{letter_id}/document?format=odt").status_code == 422
    vi = login(app.test_client(), "leader")
    shown = vi.get(f"/letters/{letter_id}")
    assert "Công văn 01/SYT-NV" in shown.get_data(as_text=True)
    cancelled = vi.post(
        f"/letters/{letter_id}", data={"do": "cancel", "reason": "Ban hành nhầm.", "csrf_token": csrf(shown)}
    )
    assert cancelled.status_code == 302
    assert "data-cancelled" in vi.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert login(app.test_client(), "outsider").get(f"/letters/{letter_id}").status_code == 404
    admin = login(app.test_client(), "admin", "en")
    head_page = admin.get("/units/SYT-HN/letterhead")
    assert "data-letterhead" in head_page.get_data(as_text=True)
    saved = admin.post("/units/SYT-HN/letterhead", data={
        "full_name": "Sở Y tế Hà Nội", "parent_name": "UBND thành phố Hà Nội", "symbol": "SYT-TT", "place": "Hà Nội",
        "recipients": "Các cơ quan báo chí", "copies_to": "Như trên", "archive": "TT",
        "signer_mark": ["GIÁM ĐỐC", "", ""], "signer_name": ["Trần Quốc Bảo", "", ""],
        "csrf_token": csrf(head_page)})  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)[-500:]
    assert api("admin").get("/api/v1/units/SYT-HN/letterhead").json["symbol"] == "SYT-TT"
    assert api("author").get(f"/api/v1/letters/{letter_id}").json["symbol"] == "SYT-NV"  # as issued, for ever


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice opens the DOCX (make test installs it)")
def test_libreoffice_opens_the_docx_as_one_a4_page_with_every_part(api, letterhead, tmp_path):
    s = _approved(api)
    letter = _issue(api, s["id"]).json
    (tmp_path / "letter.docx").write_bytes(
        api("spokesperson").get(f"/api/v1/letters/{letter['id']}/document?format=docx").data
    )
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"  # its own profile: tests run side by side
    subprocess.run(["soffice", "--headless", "--norestore", profile, "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "letter.docx")], capture_output=True, check=True, timeout=180)  # fmt: skip
    pdf = tmp_path / "letter.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\n", info) and "(A4)" in info, info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub("[\u200b-\u200d\u2060\ufeff]", "", text)  # the copy's invisible fingerprint, set aside
    for said in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SỞ Y TẾ HÀ NỘI", "Số: 01/SYT-NV", "Nơi nhận:", "Lưu: VT, NV.",
                 "PHÓ GIÁM ĐỐC", "Nguyễn Thị Hồng Vân", "Trong tuần 46"):  # fmt: skip
        assert said in text, (said, text)


def test_only_the_units_own_issue_not_before_a_scheduled_release_and_dates_as_the_decree_writes(api, letterhead):
    import datetime as dt

    from statements.letters import render
    from statements.letters.models import Letter

    s = _approved(api)
    assert _issue(api, s["id"], who="ministry_leader").status_code == 403  # the unit's head signs its letters
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    scheduled = api("spokesperson").post(f"/api/v1/statements/{s['id']}/actions", json={
        "action": "schedule_release", "version": 1, "release_at": later, "channels": ["website"]})  # fmt: skip
    assert scheduled.status_code == 200, scheduled.json
    assert _issue(api, s["id"]).json["rule"] == "letter_before_release"

    def dated(month: int, day: int) -> str:
        at = dt.datetime(2026, month, day, 3, tzinfo=dt.UTC)
        letter = Letter(number=3, symbol="SYT-NV", place="Hà Nội", unit_full_name="Sở Y tế", parent_name="",
                        subject="x", recipients=["A", "B;"], copies_to=["Như trên"], archive="",
                        signing_mark="GIÁM ĐỐC", signer_name="Trần Quốc Bảo", issued_at=at)  # fmt: skip
        return render.layout(letter, "Nội dung.", None)

    assert dated(2, 5).place_date == "Hà Nội, ngày 05 tháng 02 năm 2026"
    assert dated(3, 15).place_date == "Hà Nội, ngày 15 tháng 3 năm 2026"
    page = dated(12, 1)
    assert page.number == "Số: 03/SYT-NV" and page.recipients == ["- A;", "- B."]
    assert page.copies_to == ["Như trên;", "Lưu: VT."]


def test_a_letter_with_a_vietnamese_symbol_downloads_with_its_name_in_both_forms(api, letterhead):
    api("admin").put("/api/v1/units/SYT-HN/letterhead", json=HEAD | {"symbol": "SYTĐ-NV"})
    s = _approved(api)
    act(api, "spokesperson", s["id"], "release", channels=["website"])
    letter = _issue(api, s["id"]).json
    r = api("author").get(f"/api/v1/letters/{letter['id']}/document?format=pdf")  # released: anyone who reads
    disposition = r.headers["Content-Disposition"]
    disposition.encode("latin-1")  # a header a server can send
    assert r.status_code == 200 and "filename*=UTF-8''cong-van-01-SYT%C3%90" not in disposition
    assert "SYT%C4%90-NV" in disposition and "attachment" in disposition


def test_a_letter_of_an_approval_withdrawn_since_says_so(app, api, letterhead):
    s = _approved(api)
    letter = _issue(api, s["id"]).json
    page = login(app.test_client(), "spokesperson")
    assert "data-superseded" not in page.get(f"/letters/{letter['id']}").get_data(as_text=True)
    act(api, "spokesperson", s["id"], "reopen", comment="Cần bổ sung số liệu.")
    assert "data-superseded" in page.get(f"/letters/{letter['id']}").get_data(as_text=True)


def test_the_database_keeps_a_letter_as_issued_and_lets_it_be_cancelled_once(api, session, letterhead):
    s = _approved(api)
    letter_id = _issue(api, s["id"]).json["id"]
    for sql in (
        f"UPDATE letters SET number = 7 WHERE id = {letter_id}",
        f"UPDATE letters SET content_hash = 'x' WHERE id = {letter_id}",
        f"DELETE FROM letters WHERE id = {letter_id}",
    ):
        savepoint = session.begin_nested()
        with pytest.raises(sa.exc.DBAPIError) as refused:
            session.execute(sa.text(sql))
        savepoint.rollback()
        assert "letters are kept" in str(refused.value), sql
    assert api("spokesperson").post(f"/api/v1/letters/{letter_id}/cancel", json={"reason": "Nhầm."}).status_code == 200
    savepoint = session.begin_nested()
    with pytest.raises(sa.exc.DBAPIError) as again:
        session.execute(sa.text(f"UPDATE letters SET cancel_reason = 'khác' WHERE id = {letter_id}"))
    savepoint.rollback()
    assert "letters are kept" in str(again.value)


def test_a_unit_carries_its_paper_numbers_on_and_they_only_move_forward(api, session, letterhead, client):
    from tests.test_web import csrf, login

    assert api("leader").get("/api/v1/units/SYT-HN/numbering").json["last"] == 0
    r = api("admin").put("/api/v1/units/SYT-HN/numbering", json={"last": 56, "reason": "Sổ đăng ký văn bản giấy."})
    assert r.status_code == 200 and r.json["last"] == 56, r.json
    entry = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == "continue_numbering")).one()
    assert entry.data["from"] == 0 and entry.data["to"] == 56 and entry.comment == "Sổ đăng ký văn bản giấy."
    assert _issue(api, _approved(api)["id"]).json["number"] == 57  # the register's next
    back = api("admin").put("/api/v1/units/SYT-HN/numbering", json={"last": 57, "reason": "Nhầm."})
    assert back.status_code == 409 and back.json["rule"] == "numbers_given"  # 57 is given: never again
    assert api("leader").put("/api/v1/units/SYT-HN/numbering", json={"last": 90, "reason": "x"}).status_code == 403
    assert api("admin").put("/api/v1/units/SYT-HN/numbering", json={"last": 0, "reason": "x"}).status_code == 422
    admin = login(client, "admin")
    page = admin.get("/units/SYT-HN/letterhead")
    assert "data-numbering" in page.get_data(as_text=True) and "58" in page.get_data(as_text=True)
    bad = admin.post("/units/SYT-HN/letterhead", data={"do": "numbering", "last": "3", "reason": "x",
                                                       "csrf_token": csrf(page)})  # fmt: skip
    assert bad.status_code == 409
    done = admin.post("/units/SYT-HN/letterhead", data={"do": "numbering", "last": "80", "reason": "Sổ giấy.",
                                                        "csrf_token": csrf(page)})  # fmt: skip
    assert done.status_code == 302 and api("leader").get("/api/v1/units/SYT-HN/numbering").json["last"] == 80
