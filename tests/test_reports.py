"""Periodic reports (issue 31): a unit's figures for a month, quarter, year or range, alone or over its
subtree, read from the ledger and the registers with a fixed number of SQL statements."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import subprocess
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from statements.lifecycle.service import decide
from statements.reports import documents, periods
from statements.reports.service import build
from tests.conftest import PASSWORD
from tests.test_web import login
from workflow.errors import Forbidden, Invalid, NotFound

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HANOI)


def by_key(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


@pytest.mark.parametrize(
    "text, since, until, title",
    [
        ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "quý I năm 2026"),
        ("2024-Q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31), "quý IV năm 2024"),
        ("2028-02", dt.date(2028, 2, 1), dt.date(2028, 2, 29), "tháng 2 năm 2028"),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "năm 2026"),
        ("2026-03-05..2026-04-10", dt.date(2026, 3, 5), dt.date(2026, 4, 10), "từ ngày 05/03/2026 đến ngày 10/04/2026"),
        # As people write them: read as the forms above.
        ("quý I/2026", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "quý I năm 2026"),
        ("Quý 4 năm 2026", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "quý IV năm 2026"),
        ("2026-q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30), "quý II năm 2026"),
        ("3/2026", dt.date(2026, 3, 1), dt.date(2026, 3, 31), "tháng 3 năm 2026"),
        ("tháng 12 năm 2026", dt.date(2026, 12, 1), dt.date(2026, 12, 31), "tháng 12 năm 2026"),
    ],
)
def test_periods_are_named_as_reports_name_them(text, since, until, title):
    period = periods.parse(text)
    assert (period.since, period.until, period.title_vi) == (since, until, title)


@pytest.mark.parametrize(
    "text",
    [
        "2026-Q5",
        "2026-13",
        "2026-02-30..2026-03-01",
        "2026-04-01..2026-03-01",
        "2025-01-01..2026-03-01",
        "Q1",
        "",
        None,
        2026,
        "1999",
        "٢٠٢٦-Q1",  # digits of another script: a period is written in ASCII digits
        "２０２６",
    ],
)
def test_a_period_not_understood_is_refused_with_the_forms_that_are(text):
    with pytest.raises(Invalid) as refused:
        periods.parse(text)
    assert "period" in refused.value.errors


def _walk(session, org, make_statement, path, times, unit="SYT-HN", by="author", **fields):
    """Create a statement at times[0] and take each step of `path` at the following times."""
    with time_machine.travel(times[0], tick=False):
        statement = make_statement(by=by, unit=unit, **fields)
    for (who, action, extra), when in zip(path, times[1:], strict=True):
        with time_machine.travel(when, tick=False):
            decide(session, statement.id, org.actor(who), action, version=statement.current_version, **extra)
            session.commit()
    return statement


RELEASE = [("author", "submit", {}), ("spokesperson", "approve", {}),
           ("spokesperson", "release", {"channels": ["website", "press_release"]})]  # fmt: skip


def test_a_quarter_counts_what_was_drafted_decided_and_how_long_it_took(session, org, make_statement):
    # Released: drafted Monday 5 January 9:00, submitted at 10:00, approved at 12:00, released at 13:00.
    _walk(session, org, make_statement, RELEASE,
          [at(2026, 1, 5, 9), at(2026, 1, 5, 10), at(2026, 1, 5, 12), at(2026, 1, 5, 13)])  # fmt: skip
    # Released a week later, drafted at the end of the previous quarter: 30 hours from draft to release.
    times = [at(2025, 12, 31, 10), at(2025, 12, 31, 12), at(2026, 1, 1, 12), at(2026, 1, 1, 16)]
    _walk(session, org, make_statement, RELEASE, times, kind="ad_hoc")
    # Rejected after eight hours in review, and one withdrawn.
    _walk(session, org, make_statement, [("author", "submit", {}), ("spokesperson", "reject", {"comment": "Không."})],
          [at(2026, 2, 2, 8), at(2026, 2, 2, 9), at(2026, 2, 2, 17)])  # fmt: skip
    _walk(session, org, make_statement, [("author", "withdraw", {})], [at(2026, 3, 2, 8), at(2026, 3, 2, 9)])
    # Next quarter's: not counted.
    _walk(session, org, make_statement, RELEASE, [at(2026, 4, 1, 8), at(2026, 4, 1, 9), at(2026, 4, 1, 10),
                                                  at(2026, 4, 1, 11)])  # fmt: skip
    with time_machine.travel(at(2026, 5, 1, 9), tick=False):
        report = build(session, org.actor("leader"), "SYT-HN", "2026-Q1")
    figures = report["statements"]
    assert report["period"] == {"key": "2026-Q1", "title": "quý I năm 2026"}
    assert report["units"] == ["SYT-HN", "BV-HN"]  # rolled up over its hospital; Đà Nẵng is not below it
    assert (figures["drafted"], figures["released"]) == (3, 2)
    kinds = by_key(figures["by_kind"], "kind")
    assert (kinds["regular"]["drafted"], kinds["regular"]["released"]) == (3, 1)
    assert (kinds["ad_hoc"]["drafted"], kinds["ad_hoc"]["released"]) == (0, 1)
    assert by_key(figures["outcomes"], "outcome") == {
        "released": {"outcome": "released", "count": 2},
        "rejected": {"outcome": "rejected", "count": 1},
        "withdrawn": {"outcome": "withdrawn", "count": 1},
        "retracted": {"outcome": "retracted", "count": 0},
    }
    channels = by_key(figures["by_channel"], "channel")
    assert channels["website"]["count"] == 2 and channels["press_release"]["count"] == 2
    assert channels["social_media"]["count"] == 0
    # 4 hours and 30 hours: the median the lower, the 90th percentile the longer (each a time some statement took).
    assert figures["draft_to_release"] == {"count": 2, "median_hours": 4.0, "p90_hours": 30.0}
    steps = by_key(figures["steps"], "step")
    assert steps["review"] == {"step": "review", "count": 3, "median_hours": 8.0, "p90_hours": 24.0}  # 2, 8, 24
    assert steps["release"] == {"step": "release", "count": 2, "median_hours": 1.0, "p90_hours": 4.0}
    assert steps["sign_off"]["count"] == 0 and steps["sign_off"]["median_hours"] is None
    weekly = figures["weekly"]
    assert weekly[0]["week"] == "2025-12-29" and weekly[-1]["week"] == "2026-03-30" and len(weekly) == 14
    assert (weekly[0]["count"], weekly[0]["median_hours"], weekly[1]["count"]) == (1, 30.0, 1)
    assert by_key(report["by_unit"], "unit")["SYT-HN"] | {"name": None} == {
        "unit": "SYT-HN", "name": None, "drafted": 3, "released": 2, "overdue": 0, "press_received": 0,
        "press_late": 0, "rumours": 0, "violations": 0, "commendations": 0,
    }  # fmt: skip


def test_a_unit_alone_or_over_its_subtree(session, org, make_statement):
    _walk(session, org, make_statement, RELEASE[:1], [at(2026, 1, 5, 9), at(2026, 1, 5, 10)])
    _walk(session, org, make_statement, [], [at(2026, 1, 6, 9)], unit="BV-HN", by="bv_drafter")
    _walk(session, org, make_statement, [], [at(2026, 1, 6, 9)], unit="SYT-DN", by="outsider")
    leader = org.actor("leader")
    assert build(session, leader, "SYT-HN", "2026-01")["statements"]["drafted"] == 2
    alone = build(session, leader, "SYT-HN", "2026-01", rolled_up=False)
    assert alone["statements"]["drafted"] == 1 and alone["units"] == ["SYT-HN"]
    ministry = build(session, org.actor("ministry_leader"), "BYT", "2026-01")
    assert ministry["statements"]["drafted"] == 3 and ministry["units"] == [
        "BYT",
        "SYT-DN",
        "SYT-HN",
        "BV-HN",
    ]  # each under its parent
    assert build(session, leader, "BV-HN", "2026-01")["statements"]["drafted"] == 1
    assert build(session, leader, "SYT-HN", "2025-12")["statements"]["drafted"] == 0


@pytest.mark.parametrize(
    "who, unit, allowed",
    [
        ("leader", "SYT-HN", True),
        ("leader", "BV-HN", True),  # a unit below the one they lead
        ("leader", "BYT", False),
        ("leader", "SYT-DN", False),
        ("spokesperson", "SYT-HN", True),
        ("spokesperson", "BV-HN", False),
        ("ministry_leader", "SYT-DN", True),
        ("auditor", "SYT-DN", True),
        ("author", "SYT-HN", False),
        ("admin", "SYT-HN", False),
        ("outsider", "SYT-DN", False),
    ],
)
def test_who_reads_a_units_report(session, org, who, unit, allowed):
    if allowed:
        assert build(session, org.actor(who), unit, "2026-Q1")["unit"] == unit
    else:
        with pytest.raises(Forbidden):
            build(session, org.actor(who), unit, "2026-Q1")


def test_an_unknown_unit_is_not_found(session, org):
    with pytest.raises(NotFound):
        build(session, org.actor("auditor"), "NO-SUCH", "2026-Q1")


def test_the_sql_statements_do_not_grow_with_units_or_statements(session, org, make_statement, count_queries):
    def queries() -> int:
        with count_queries() as counted:
            build(session, org.actor("auditor"), "BYT", "2026-01")
        return len(counted)

    empty = queries()
    for i in range(4):
        _walk(session, org, make_statement, RELEASE, [at(2026, 1, 5 + i, 8), at(2026, 1, 5 + i, 9),
                                                      at(2026, 1, 5 + i, 10), at(2026, 1, 5 + i, 11)])  # fmt: skip
        _walk(session, org, make_statement, [], [at(2026, 1, 6, 9)], unit="BV-HN", by="bv_drafter")
    assert queries() == empty <= 16


def _released_quarter(session, org, make_statement):
    for day in (5, 12, 13):
        _walk(session, org, make_statement, RELEASE,
              [at(2026, 1, day, 8), at(2026, 1, day, 9), at(2026, 1, day, 11), at(2026, 1, day, 15)])  # fmt: skip


def test_the_pdf_is_an_official_report_with_its_charts_and_every_vietnamese_letter(app, session, org, make_statement,
                                                                                  tmp_path):  # fmt: skip
    _released_quarter(session, org, make_statement)
    with app.app_context():
        data = documents.render(build(session, org.actor("leader"), "SYT-HN", "2026-Q1"), "pdf")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(data)
    read = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(read.split())  # the title wraps
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SỞ Y TẾ HÀ NỘI", "BỘ Y TẾ", "/BC-SYT-HN", "BÁO CÁO",
                     "quý I năm 2026", "Thông tin định kỳ", "Nơi nhận:", "Lưu: VT."):  # fmt: skip
        assert expected in text, expected
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) - 2 >= 2  # the weekly and the outcomes charts
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    assert (tmp_path / "p-1.png").stat().st_size > 1000


def test_the_docx_reads_back_with_its_tables_and_charts(app, session, org, make_statement):
    from docx import Document

    _released_quarter(session, org, make_statement)
    with app.app_context():
        data = documents.render(build(session, org.actor("leader"), "SYT-HN", "2026-Q1"), "docx")
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text and "quý I năm 2026" in text and len(document.inline_shapes) >= 2
    by_kind = next(t for t in document.tables if t.rows[0].cells[0].text == "Loại")
    assert [c.text for c in by_kind.rows[1].cells] == ["Thông tin định kỳ", "3", "3"]


def test_the_figures_as_a_spreadsheet_and_csv(app, session, org, make_statement):
    from openpyxl import load_workbook

    _released_quarter(session, org, make_statement)
    with app.app_context():
        report = build(session, org.actor("leader"), "SYT-HN", "2026-Q1")
        book = load_workbook(io.BytesIO(documents.render(report, "xlsx")))
        lines = documents.render(report, "csv").decode("utf-8-sig").splitlines()
    assert {"by_kind", "outcomes", "weekly", "steps", "by_unit"} <= set(book.sheetnames)
    weekly = list(book["weekly"].iter_rows(min_row=3, values_only=True))
    assert weekly[1] == ("2026-01-05", dt.datetime(2026, 1, 5), 1, 7, 7) and weekly[2][2] == 2  # numbers stay numbers
    assert ["period", "2026-Q1"] in [list(r) for r in book["report"].iter_rows(values_only=True)]
    rows = list(csv.reader(lines))
    assert rows[0] == ["unit", "scope", "period", "as_of", "table", "key", "row", "column", "value"]
    assert ["SYT-HN", "subtree", "2026-Q1", report["as_of"], "by_kind", "regular", "Thông tin định kỳ", "drafted",
            "3"] in rows  # fmt: skip
    assert ["SYT-HN", "subtree", "2026-Q1", report["as_of"], "weekly", "2026-01-05", "2026-01-05", "released",
            "1"] in rows  # fmt: skip


def test_the_api_gives_the_figures_and_the_files(api, session, org, make_statement):
    _released_quarter(session, org, make_statement)
    r = api("leader").get("/api/v1/reports/SYT-HN?period=2026-Q1")
    assert r.status_code == 200 and r.json["statements"]["released"] == 3 and r.json["units"] == ["SYT-HN", "BV-HN"]
    alone = api("leader").get("/api/v1/reports/SYT-HN?period=2026-Q1&scope=unit")
    assert alone.json["units"] == ["SYT-HN"] and alone.json["rolled_up"] is False
    for fmt, media in (("pdf", "application/pdf"), ("xlsx", "spreadsheetml"), ("csv", "text/csv")):
        got = api("auditor").get(f"/api/v1/reports/SYT-HN/file?period=2026-Q1&format={fmt}")
        assert got.status_code == 200 and media in got.headers["Content-Type"], got.headers
        assert f"bao-cao-SYT-HN-2026-Q1.{fmt}" in got.headers["Content-Disposition"]
    bad = api("leader").get("/api/v1/reports/SYT-HN?period=2026-Q9")
    assert bad.status_code == 422 and "period" in bad.json["errors"]
    assert api("leader").get("/api/v1/reports/SYT-HN/file?period=2026-Q1&format=odt").status_code == 422
    assert api("leader").get("/api/v1/reports/NO-SUCH?period=2026-Q1").status_code == 404
    assert api("author").get("/api/v1/reports/SYT-HN?period=2026-Q1").status_code == 403


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_report_page_shows_charts_and_tables_and_leads_to_print_and_files(app, session, org, make_statement,
                                                                               lang):  # fmt: skip
    _released_quarter(session, org, make_statement)
    leader = login(app.test_client(), "leader", lang)
    page = leader.get("/reports?unit=SYT-HN&period=2026-Q1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-chart="weekly"' in html and "data:image/svg+xml;base64," in html
    assert 'data-table="by_unit"' in html and "<script" not in html.split("<main", 1)[-1]
    svg = base64.b64decode(html.split("data:image/svg+xml;base64,", 1)[1].split('"', 1)[0]).decode()
    assert svg.lstrip().startswith("<?xml") and "<script" not in svg
    printable = leader.get("/reports/print?unit=SYT-HN&period=2026-Q1").get_data(as_text=True)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in printable and "quý I năm 2026" in printable
    got = leader.get("/reports/file?unit=SYT-HN&period=2026-Q1&format=docx")
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    bad = leader.get("/reports?unit=SYT-HN&period=quý 1")
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    assert leader.get("/reports/file?unit=SYT-HN&period=2026-Q1&format=odt").status_code == 422
    assert leader.get("/reports?unit=SYT-DN&period=2026-Q1").status_code == 403
    assert login(app.test_client(), "author", lang).get("/reports").status_code == 403


def test_the_command_writes_the_report_for_a_schedule(runner, session, org, make_statement, tmp_path):
    _released_quarter(session, org, make_statement)
    out = tmp_path / "q1.xlsx"
    args = ["report", "--unit", "SYT-HN", "--period", "2026-Q1", "--format", "xlsx", "-o", str(out),
            "--user", "leader", "--password-stdin"]  # fmt: skip
    result = runner.invoke(args=args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    refused = runner.invoke(args=[*args[:-2], "author", "--password-stdin"], input=PASSWORD + "\n")
    assert refused.exit_code == 3 and "report_reader" in refused.output
    bad = runner.invoke(args=[*args[:4], "2026-Q7", *args[5:]], input=PASSWORD + "\n")
    assert bad.exit_code == 3 and "period" in bad.output


def test_an_issued_report_takes_the_units_next_number_keeps_its_figures_and_is_on_the_ledger(
    api, session, org, make_statement, tmp_path
):
    from tests.test_letters import HEAD, _approved, _issue
    from workflow.ledger import LedgerEntry

    _released_quarter(session, org, make_statement)
    no_head = api("spokesperson").post("/api/v1/reports/SYT-HN/issue", json={"period": "2026-Q1"})
    assert no_head.status_code == 409 and no_head.json["rule"] == "letterhead_incomplete"
    assert api("admin").put("/api/v1/units/SYT-HN/letterhead", json=HEAD).status_code == 200
    letter = _issue(api, _approved(api)["id"]).json  # the letters' sequence and the reports' are one
    remarks = {"assessment": "Thông tin được cung cấp kịp thời, chính xác.\nKhông có sai sót.",
               "plans": "Tiếp tục cập nhật số liệu hằng tuần.",
               "proposals": "Đề nghị Bộ Y tế tổ chức tập huấn cho người phát ngôn."}  # fmt: skip
    r = api("spokesperson").post("/api/v1/reports/SYT-HN/issue", json={"period": "2026-Q1", "signer": 1,
                                                                       "remarks": remarks})  # fmt: skip
    assert r.status_code == 201, r.json
    assert (r.json["number"], r.json["symbol"], r.json["signer_name"]) == (letter["number"] + 1, "BC-SYT-NV",
                                                                          "Trần Quốc Bảo")  # fmt: skip
    entry = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.action == "issue_report")).one()
    assert entry.data["figures_hash"] == r.json["figures_hash"] and entry.data["period"] == "2026-Q1"
    # Released after the issue: the issued report keeps what it said when it went up.
    _walk(session, org, make_statement, RELEASE, [at(2026, 2, 2, 8), at(2026, 2, 2, 9), at(2026, 2, 2, 10),
                                                  at(2026, 2, 2, 11)])  # fmt: skip
    assert api("leader").get("/api/v1/reports/SYT-HN?period=2026-Q1").json["statements"]["released"] == 4
    pdf = api("auditor").get(f"/api/v1/issued-reports/{r.json['id']}/file?format=pdf")
    assert pdf.status_code == 200 and f"bao-cao-{r.json['number']:02d}-BC-SYT-NV-" in pdf.headers["Content-Disposition"]
    (tmp_path / "r.pdf").write_bytes(pdf.data)
    read = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True)
    text = " ".join(read.stdout.split())
    assert f"Số: {r.json['number']:02d}/BC-SYT-NV" in text and "Hà Nội, ngày" in text and "Trần Quốc Bảo" in text
    assert "phát hành 3 thông tin" in text and "UBND THÀNH PHỐ HÀ NỘI" in text and "Bộ Y tế (để báo cáo)" in text
    # The unit's own words follow the figures, as parts of their own; a part left out is not printed.
    assert "ĐÁNH GIÁ CHUNG Thông tin được cung cấp kịp thời, chính xác. Không có sai sót." in text
    assert "X. KIẾN NGHỊ, ĐỀ XUẤT Đề nghị Bộ Y tế" in text and "TỒN TẠI" not in text  # eleven parts would print XI
    assert (r.json["issued_by"], r.json["issued_by_name"]) == ("spokesperson", "Người dùng spokesperson")
    listed = api("leader").get("/api/v1/reports/SYT-HN/issued").json
    assert [x["id"] for x in listed] == [r.json["id"]]
    # Issued by the unit's own spokesperson or leaders; read like its report.
    assert api("ministry_leader").post("/api/v1/reports/SYT-HN/issue", json={"period": "2026-Q1"}).status_code == 403
    assert api("author").get(f"/api/v1/issued-reports/{r.json['id']}/file?format=csv").status_code == 403
    assert (
        api("leader").post("/api/v1/reports/SYT-HN/issue", json={"period": "2026-Q1", "signer": 5}).status_code == 422
    )
    with pytest.raises(sa.exc.DBAPIError), session.begin_nested():  # evidence: never changed
        session.execute(sa.text("UPDATE issued_reports SET number = 99"))


def test_the_page_and_the_command_issue_reports(app, runner, session, org, make_statement, tmp_path):
    from tests.test_letters import HEAD
    from tests.test_web import csrf

    _released_quarter(session, org, make_statement)
    from statements.letters.service import update_letterhead

    update_letterhead(session, org.actor("admin"), "SYT-HN", HEAD)
    session.commit()
    leader = login(app.test_client(), "leader")
    page = leader.get("/reports?unit=SYT-HN&period=2026-Q1")
    assert "data-issue-report" in page.get_data(as_text=True)
    done = leader.post("/reports/issue", data={"unit": "SYT-HN", "period": "2026-Q1", "scope": "subtree",
                                               "signer": "0", "csrf_token": csrf(page)})  # fmt: skip
    assert done.status_code == 302
    shown = leader.get(done.headers["Location"]).get_data(as_text=True)
    assert "01/BC-SYT-NV" in shown and "data-issued-report" in shown
    again = leader.post("/reports/issue", data={"unit": "SYT-HN", "period": "2026-Q1", "scope": "subtree",
                                                "csrf_token": csrf(page)})  # fmt: skip
    shown = leader.get(again.headers["Location"]).get_data(as_text=True)
    assert "01/BC-SYT-NV" in shown and "02/BC-SYT-NV" not in shown  # the same period is not issued twice
    alone = leader.get("/reports?unit=SYT-HN&period=2026-Q1&scope=unit")
    assert alone.status_code == 200 and "scope=unit" in alone.get_data(as_text=True)
    out = tmp_path / "bc.docx"
    args = ["report", "--unit", "SYT-HN", "--period", "quý II/2026", "--format", "docx", "--issue", "-o", str(out),
            "--user", "spokesperson", "--password-stdin"]  # fmt: skip
    result = runner.invoke(args=args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    from docx import Document

    assert "Số: 02/BC-SYT-NV" in "\n".join(c.text for t in Document(str(out)).tables for c in t._cells)
    assert "data-issue-report" not in login(app.test_client(), "auditor").get(
        "/reports?unit=SYT-HN&period=2026-Q1").get_data(as_text=True)  # fmt: skip


def test_the_registers_deadlines_and_emergencies_count_in_their_period(session, org, statement_in):
    from statements.disclosure.service import close_case, open_case
    from statements.lifecycle import timeliness
    from statements.pressdesk import service as pressdesk
    from statements.record.service import commend
    from statements.rumours import service as rumours

    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(HANOI).date()
    period = f"{today}..{today + dt.timedelta(days=40)}"
    ask = {"outlet": "Báo Tuổi Trẻ", "journalist": "Lê Minh", "contact": "minh@tuoitre.vn", "received_at": now}
    refused = pressdesk.register(session, org.actor("author"), "SYT-HN", question="Ai là người bệnh?", **ask)
    pressdesk.refuse(session, org.actor("spokesperson"), refused.id, "private_secret", "Bí mật đời tư.")
    pressdesk.register(session, org.actor("author"), "SYT-HN", question="Có bao nhiêu ca?", **ask)
    seen = rumours.record(session, org.actor("author"), "SYT-HN", platform="Zalo", address="https://zalo.me/g/abc",
                          summary="Tin đồn về dịch sởi.", first_seen_at=now)  # fmt: skip
    rumours.assess(session, org.actor("spokesperson"), seen.id, "false", "Sai sự thật.")
    commend(session, org.actor("leader"), "SYT-HN", "author", "Soạn thông cáo kịp thời.")
    waiting = statement_in("in_review")
    urgent = statement_in("approved", urgency="urgent")
    decide(session, urgent.id, org.actor("leader"), "emergency_release", version=1, comment="Khẩn cấp.",
           channels=["website"])  # fmt: skip
    case = open_case(session, org.actor("auditor"), waiting.current.body, "Facebook", now)
    close_case(session, case.id, org.actor("auditor"), "leak_attributed", "Người soạn đã gửi bản nháp.", ["author"])
    session.commit()
    # Ten days on, the review waits past its time: the worker says so, then escalates it.
    for days in (10, 11, 12):
        with time_machine.travel(now + dt.timedelta(days=days), tick=False):
            timeliness.sweep(session)
            session.commit()
    with time_machine.travel(now + dt.timedelta(days=12), tick=False):
        report = build(session, org.actor("auditor"), "SYT-HN", period)
    press = report["press"]
    assert (press["received"], press["refused"], press["open_overdue"], press["answered_on_time"]) == (2, 1, 0, 0)
    assert by_key(press["refused_by_ground"], "ground")["private_secret"]["count"] == 1
    assert report["watch"]["recorded"] == 1 and by_key(report["watch"]["by_assessment"], "assessment")["false"][
        "count"] == 1  # fmt: skip
    assert report["record"] == {"violations": 1, "commendations": 1}
    assert report["disclosure"]["opened"] == 1 and report["disclosure"]["closed"] == 1
    assert by_key(report["disclosure"]["by_outcome"], "outcome")["leak_attributed"]["count"] == 1
    figures = report["statements"]
    assert figures["emergency"] | {"reviewed": None} == {"releases": 1, "reviewed": None, "awaiting_review": 1,
                                                         "review_overdue": 1}  # fmt: skip
    assert figures["overdue_steps"] >= 1 and figures["escalations"]["deadline"] >= 1
    assert by_key(report["by_unit"], "unit")["SYT-HN"]["overdue"] == figures["overdue_steps"]
    assert by_key(report["by_unit"], "unit")["SYT-HN"]["commendations"] == 1
    # Another province's registers are not this one's.
    assert build(session, org.actor("auditor"), "SYT-DN", period)["press"]["received"] == 0


def test_verify_names_an_issued_report_the_ledger_does_not_say(api, session, org, backend):
    from statements.audit.replay import replay
    from statements.reports.models import IssuedReport
    from tests.test_letters import HEAD, _approved, _issue

    assert api("admin").put("/api/v1/units/SYT-HN/letterhead", json=HEAD).status_code == 200
    _issue(api, _approved(api)["id"])
    issued = api("spokesperson").post("/api/v1/reports/SYT-HN/issue", json={"period": "2026-Q1"}).json
    assert replay(session).ok
    # Someone holding the database sets the triggers aside and makes the report say more than it did.
    if backend == "postgresql":
        session.execute(sa.text("ALTER TABLE issued_reports DISABLE TRIGGER issued_reports_append_only"))
    else:
        session.execute(sa.text("DROP TRIGGER issued_reports_no_update"))
    row = session.get(IssuedReport, issued["id"])
    session.execute(
        sa.update(IssuedReport).where(IssuedReport.id == row.id)
        .values(figures=row.figures | {"unit_name": "Sở Y tế khác"})
    )  # fmt: skip
    # And a report slipped in with no entry at all.
    session.add(IssuedReport(unit_id=row.unit_id, year=row.year, number=99, symbol=row.symbol, period="2026-Q2",
                             rolled_up=True, figures={}, figures_hash="0" * 64, signing_mark="GIÁM ĐỐC",
                             signer_name="Ai đó", issued_by_id=row.issued_by_id))  # fmt: skip
    session.flush()
    found = replay(session)
    assert not found.ok and found.total == 2
    assert {d.what for d in found.shown} == {f"report {row.id}", f"report {row.id + 1}"}


def test_a_unit_named_like_a_formula_stays_text_in_the_spreadsheet_and_csv(app, session, org):
    from openpyxl import load_workbook

    from auth.service import create_unit

    create_unit(session, None, "BV-CT", '=HYPERLINK("http://x")', "SYT-HN")
    session.commit()
    with app.app_context():
        report = build(session, org.actor("leader"), "SYT-HN", "2026-Q1")
        book = load_workbook(io.BytesIO(documents.render(report, "xlsx")))
        lines = documents.render(report, "csv").decode("utf-8-sig")
    names = [row[1] for row in book["by_unit"].iter_rows(min_row=3, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names
    assert all(not row[6].startswith("=") for row in csv.reader(lines.splitlines()))


@pytest.mark.parametrize(
    "text, english",
    [("2026-Q1", "Q1 2026"), ("3/2026", "March 2026"), ("2026", "2026"), ("2026-01-01..2026-01-31", None)],
)
def test_english_names_the_period_as_english_reports_do(text, english):
    assert periods.parse(text).title_en == english


def test_a_quiet_quarter_draws_its_charts_from_nought(app, session, org):
    from statements.reports import charts

    with app.test_request_context():
        report = build(session, org.actor("leader"), "SYT-HN", "2026-Q1")
        drawn = {chart.name: chart for chart in charts.charts(report)}
    assert report["statements"]["released"] == 0 and set(drawn) == {"weekly", "outcomes"}
    assert "Đã phát hành: 0" in drawn["outcomes"].summary
