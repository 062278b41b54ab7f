"""The auditors' pages: the ledger browsed, filtered, verified and exported, for auditors and admins only."""

from __future__ import annotations

import json

import pytest

from tests.test_web import login


def test_auditor_browses_verifies_and_exports(browser, org, statement_in, session, backend):
    import sqlalchemy as sa

    s = statement_in("released")
    auditor = login(browser(), "auditor")
    text = auditor.get(f"/audit/ledger?statement={s.id}").get_data(as_text=True)
    assert text.count("data-seq=") == 4 and "Phát hành" in text
    assert auditor.get("/audit/ledger?action=release&since=2000-01-01&until=2999-12-31").status_code == 200
    assert auditor.get("/audit/ledger?statement=abc&since=nonsense&page=x").status_code == 422  # said, not dropped
    verified = auditor.get("/audit/verify").get_data(as_text=True)
    assert 'data-ledger-ok="true"' in verified
    csv_text = auditor.get("/audit/export.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffseq,") and "Người dùng spokesperson" in csv_text
    assert auditor.get("/audit/export.jsonl").get_data(as_text=True).count("\n") >= 4
    assert auditor.get("/audit/export.exe").status_code == 404
    if backend == "postgresql":
        session.execute(sa.text("DROP TRIGGER ledger_entries_seal_once ON ledger_entries"))
    else:
        session.execute(sa.text("DROP TRIGGER ledger_entries_no_update"))
    seq = session.scalar(sa.text("SELECT max(seq) FROM ledger_entries"))
    session.execute(sa.text("UPDATE ledger_entries SET comment = 'sửa lén' WHERE seq = :s"), {"s": seq})
    session.commit()
    broken = auditor.get("/audit/verify").get_data(as_text=True)
    assert 'data-ledger-ok="false"' in broken and f"#{seq}" in broken


@pytest.mark.parametrize("who", ["author", "spokesperson", "leader"])
def test_ledger_pages_are_for_auditors_and_admins(browser, org, who):
    c = login(browser(), who)
    for path in ("/audit/ledger", "/audit/verify", "/audit/export.csv"):
        r = c.get(path)
        assert r.status_code == 403 and "Chỉ thanh tra và quản trị viên mới được xem sổ nhật ký." in r.text
    assert login(browser(), "admin").get("/audit/ledger").status_code == 200


def test_the_ledger_names_organisation_changes_and_filters_by_them(browser, org):
    auditor = login(browser(), "auditor")
    page = auditor.get("/audit/ledger").get_data(as_text=True)
    for action in ("create_unit", "create_user", "designate_spokesperson"):
        assert f'<option value="{action}"' in page, f"{action} is in the action filter"
    users = auditor.get("/audit/ledger?action=create_user&per_page=100").get_data(as_text=True)
    assert "Tạo tài khoản người dùng" in users and "create_user" not in users.split("<tbody>")[1]
    assert "<span data-subject>author</span>" in users, "a new account's entry says whose account it is"
    units = auditor.get("/audit/ledger?action=create_unit").get_data(as_text=True)
    assert "Tạo đơn vị · SYT-HN" in units


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("statement=abc", "statement"),
        ("since=2026-13-45", "since"),
        ("until=hôm-qua", "until"),
        ("action=drop_table", "action"),
        ("since=2026-12-05&until=2026-12-01", "until"),
    ],
)
def test_a_bad_ledger_filter_is_an_error_on_the_page(browser, org, statement_in, query, field):
    statement_in("released")
    page = login(browser(), "auditor").get(f"/audit/ledger?{query}")
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and f'id="{field}-error"' in html and "data-seq=" not in html
    export = login(browser(), "auditor").get(f"/audit/export.csv?{query}")
    assert export.status_code == 302 and "/audit/ledger?" in export.headers["Location"]


def test_the_ledger_shows_decisions_first_and_reads_on_request(api, browser, org, statement_in):
    s = statement_in("in_review")
    api("spokesperson").get(f"/api/v1/statements/{s.id}")  # a read: an access entry
    auditor = login(browser(), "auditor")
    decisions = auditor.get(f"/audit/ledger?statement={s.id}").get_data(as_text=True)
    assert "data-reads-hidden" in decisions and "Đã xem nội dung chưa phát hành" not in decisions
    everything = auditor.get(f"/audit/ledger?statement={s.id}&reads=1").get_data(as_text=True)
    assert everything.count("data-seq=") == decisions.count("data-seq=") + 1


def test_ledger_exports_hold_what_the_filters_keep(api, browser, org, statement_in):
    a, b = statement_in("released"), statement_in("in_review")
    auditor = login(browser(), "auditor")
    page = auditor.get(f"/audit/ledger?statement={a.id}").get_data(as_text=True)
    assert f'href="/audit/export.jsonl?statement={a.id}"' in page
    # The export holds every entry the filters select, whichever page the link was taken from.
    second = auditor.get(f"/audit/ledger?statement={a.id}&page=2").get_data(as_text=True)
    assert f'href="/audit/export.jsonl?statement={a.id}"' in second
    assert 'href="/audit/export.csv"' in auditor.get("/audit/ledger?page=2").get_data(as_text=True)
    lines = auditor.get(f"/audit/export.jsonl?statement={a.id}").get_data(as_text=True).splitlines()
    assert lines and {json.loads(line)["statement"] for line in lines} == {a.id}
    whole = auditor.get("/audit/export.jsonl").get_data(as_text=True)
    assert {json.loads(line)["statement"] for line in whole.splitlines()} >= {a.id, b.id}
    # The meaning of each entry is in the reader's language, every one of them translated.
    meanings = {json.loads(line)["action"]: json.loads(line)["meaning"] for line in whole.splitlines()}
    assert meanings["release"] == "Người phát ngôn phát hành phiên bản đã duyệt cho báo chí"
    auditor.get("/lang/en")
    english = auditor.get(f"/audit/export.csv?statement={a.id}").get_data(as_text=True)
    assert "Spokesperson released the approved version to the press" in english


def test_every_meaning_of_the_ledger_export_is_in_the_catalogue(app):
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from statements.audit.export import MEANINGS

    with app.test_request_context(), force_locale("vi"):
        untranslated = [m for m in MEANINGS.values() if _(m) == m]
    assert not untranslated


def test_long_lists_are_counted_a_bounded_way_past_the_page(browser, org, statement_in, session, monkeypatch):
    """Past COUNT_AHEAD beyond the page, the ledger and the statement list say "more than", and page on."""
    import sqlalchemy as sa

    from statements import web_session
    from workflow.ledger import EntryKind, LedgerEntry

    monkeypatch.setattr(web_session, "COUNT_AHEAD", 1)
    for _ in range(27):
        statement_in("in_review")
    entry = LedgerEntry
    decisions = session.scalar(sa.select(sa.func.count()).where(entry.seq.is_not(None), entry.kind != EntryKind.ACCESS))
    assert 51 < decisions <= 101  # past the first page's bound (50 + 1), within the second's (100 + 1)
    auditor = login(browser(), "auditor")
    first = auditor.get("/audit/ledger").get_data(as_text=True)
    assert "Hơn 51 mục" in first and "Trang 1/hơn 2" in first and 'rel="next"' in first
    second = auditor.get("/audit/ledger?page=2").get_data(as_text=True)
    assert f"{decisions} mục" in second and "Hơn" not in second
    listed = auditor.get("/statements").get_data(as_text=True)
    assert "Hơn 26 thông tin" in listed and 'rel="next"' in listed
    assert "27 thông tin" in auditor.get("/statements?page=2").get_data(as_text=True)
