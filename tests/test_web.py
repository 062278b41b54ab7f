"""The web pages with the Flask test client, in Vietnamese and English: sign-in, inbox, statement page, actions."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import PASSWORD

ROOT = Path(__file__).parent.parent


def csrf(page) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert match, "every state-changing form carries a CSRF token"
    return match.group(1)


def login(client, username: str, lang: str = "vi"):
    if lang != "vi":
        client.get(f"/lang/{lang}")
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf(page)})
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def _post(client, page_path: str, path: str, data: dict):
    return client.post(path, data={"csrf_token": csrf(client.get(page_path)), **data})


def test_login_logout_ends_the_session(browser, org):
    c = login(browser(), "author")
    assert c.get("/inbox").status_code == 200
    cookie = c.get_cookie("session").value
    page = c.get("/inbox")
    assert c.post("/logout", data={"csrf_token": csrf(page)}).status_code == 302
    assert c.get("/inbox").status_code == 302
    replay = browser()
    replay.set_cookie("session", cookie)
    assert replay.get("/inbox").status_code == 302, "a copied cookie dies with the logout"


def test_wrong_password_and_csrf(browser, org):
    c = browser()
    page = c.get("/login")
    r = c.post("/login", data={"username": "author", "password": "sai", "csrf_token": csrf(page)})
    assert r.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in r.get_data(as_text=True)
    r = c.post("/login", data={"username": "author", "password": PASSWORD})
    assert r.status_code == 400, "a POST without a CSRF token is refused"


#: `next` values that must not be followed: other sites (browsers read a backslash as a slash), and
#: control characters, which would end the Location header and start one of the sender's choosing.
ELSEWHERE = ["//evil.example/", "/\\evil.example/", "https://evil.example/", "/?\nSet-Cookie: a=b", "/\r\nX: y", "/\t"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_next_is_only_followed_inside_the_site(browser, org, target):
    c = browser()
    page = c.get("/login", query_string={"next": target})
    r = c.post("/login", data={"username": "author", "password": PASSWORD, "csrf_token": csrf(page), "next": target})
    assert r.status_code == 302 and r.headers["Location"] == "/inbox"
    assert c.get("/login", query_string={"next": target}).headers["Location"] == "/inbox"
    assert c.get("/lang/en", query_string={"next": target}).headers["Location"] == "/inbox"


def test_next_inside_the_site_is_followed_with_its_query(browser, org):
    c = login(browser(), "author")
    target = "/statements?q=tiêm chủng&state=draft"
    assert c.get("/lang/vi", query_string={"next": target}).headers["Location"].startswith("/statements?q=ti")
    assert c.get("/login", query_string={"next": target}).headers["Location"].startswith("/statements?q=ti")


@pytest.mark.parametrize(
    ("lang", "words"), [("vi", ["Việc chờ tôi xử lý", "Đăng xuất"]), ("en", ["Awaiting me", "Sign out"])]
)
def test_language_switch_persists(browser, org, lang, words):
    c = login(browser(), "spokesperson", lang)
    text = c.get("/inbox").get_data(as_text=True)
    assert all(w in text for w in words)
    assert f'<html lang="{lang}">' in text


def test_buttons_are_exactly_the_allowed_actions(browser, org, statement_in):
    s = statement_in("in_review")
    for who, expected in [
        ("spokesperson", {"approve", "escalate", "request_changes", "reject"}),
        ("author", {"withdraw"}),
        ("leader", set()),
        ("auditor", set()),
    ]:
        text = login(browser(), who).get(f"/statements/{s.id}").get_data(as_text=True)
        assert set(re.findall(r'data-action="([a-z_]+)"', text)) == expected, who
        assert 'data-state="in_review"' in text


def test_path_drafter_spokesperson_leader_release(browser, org, make_statement):
    drafter = login(browser(), "author")
    page = drafter.get("/statements/new")
    r = drafter.post(
        "/statements/new",
        data={
            "csrf_token": csrf(page),
            "unit": "SYT-HN",
            "title": "Thông tin về ca tử vong do ngộ độc",
            "body": "Một người đã tử vong.",
            "kind": "ad_hoc",
            "urgency": "urgent",
            "topics": "ngộ độc",
        },
    )
    assert r.status_code == 302
    sid = int(r.headers["Location"].rsplit("/", 1)[1])
    page = drafter.get(f"/statements/{sid}")
    assert "Lý do nhạy cảm" in page.get_data(as_text=True)
    drafter.post(f"/statements/{sid}/act", data={"csrf_token": csrf(page), "action": "submit", "version": "1"})
    spokes = login(browser(), "spokesperson")
    page = spokes.get(f"/statements/{sid}")
    r = spokes.post(f"/statements/{sid}/act", data={"csrf_token": csrf(page), "action": "approve", "version": "1"})
    assert r.status_code == 409 and "xin ý kiến cấp có thẩm quyền" in r.get_data(as_text=True)
    r = spokes.post(f"/statements/{sid}/act", data={"csrf_token": csrf(page), "action": "escalate", "version": "1"})
    assert r.status_code == 422 and "lý do" in r.get_data(as_text=True).lower()
    spokes.post(
        f"/statements/{sid}/act",
        data={"csrf_token": csrf(page), "action": "escalate", "version": "1", "comment": "Có ca tử vong."},
    )
    leader = login(browser(), "leader")
    assert leader.get("/inbox").get_data(as_text=True).count(f"/statements/{sid}") == 1
    page = leader.get(f"/statements/{sid}")
    # The escalation's reason stands with the leader's buttons.
    actions = page.text.split('id="actions"')[1]
    assert "data-escalation" in actions and "“Có ca tử vong.”" in actions
    leader.post(f"/statements/{sid}/act", data={"csrf_token": csrf(page), "action": "sign_off", "version": "1"})
    page = spokes.get(f"/statements/{sid}")
    release = {"csrf_token": csrf(page), "action": "release", "version": "1"}
    r = spokes.post(f"/statements/{sid}/act", data=release)
    assert r.status_code == 422 and "Hãy chọn ít nhất một kênh phát hành." in r.text, "a release names its channels"
    release["channels"] = ["website", "press_conference"]
    r = spokes.post(f"/statements/{sid}/act", data=release)
    assert r.status_code == 200 and "data-preview" in r.text and "Xác nhận: Phát hành" in r.text
    assert 'data-state="approved"' in spokes.get(f"/statements/{sid}").text, "nothing happens before confirmation"
    r = spokes.post(f"/statements/{sid}/act", data=release | {"confirmed": "1"})
    assert r.status_code == 302
    released = spokes.get(f"/statements/{sid}").get_data(as_text=True)
    assert 'data-state="released"' in released and "Họp báo" in released
    assert "Thông tin về ca tử vong do ngộ độc" in browser().get("/press").get_data(as_text=True)


def test_stale_action_explains_itself(browser, org, statement_in):
    s = statement_in("in_review")
    spokes = login(browser(), "spokesperson", "en")
    page = spokes.get(f"/statements/{s.id}")
    token = csrf(page)
    spokes.post(f"/statements/{s.id}/act", data={"csrf_token": token, "action": "approve", "version": "1"})
    r = spokes.post(
        f"/statements/{s.id}/act", data={"csrf_token": token, "action": "reject", "version": "1", "comment": "x"}
    )
    assert r.status_code == 409 and "Someone may have acted on it meanwhile" in r.get_data(as_text=True)


def test_errors_speak_the_users_language(browser, org, statement_in):
    s = statement_in("draft")
    outsider = login(browser(), "outsider")
    r = outsider.get(f"/statements/{s.id}")
    assert r.status_code == 404 and "Không tìm thấy" in r.get_data(as_text=True)
    english = login(browser(), "outsider", "en")
    assert "Not found" in english.get(f"/statements/{s.id}").get_data(as_text=True)


def test_security_headers(client):
    r = client.get("/login")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"
    assert "<script" not in r.get_data(as_text=True) and "style=" not in r.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/inbox", "/statements", "/statements/new"])
def test_pages_need_sign_in(client, path):
    r = client.get(path)
    assert r.status_code == 302 and "/login" in r.headers["Location"]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(
    ("who", "paths"),
    [
        ("admin", ["/admin", "/units/SYT-HN/rules", "/audit/ledger", "/audit/verify"]),
        ("auditor", ["/audit/ledger", "/audit/verify", "/statements"]),
        ("leader", ["/inbox", "/units/SYT-HN/rules", "/statements"]),
    ],
)
def test_role_pages_render_in_both_languages(browser, org, lang, who, paths):
    c = login(browser(), who, lang)
    for path in paths:
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
        assert f'<html lang="{lang}">' in r.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "words"), [("vi", "Không có nội dung ở địa chỉ này"), ("en", "There is nothing")])
def test_plain_http_errors_in_the_users_language(browser, org, lang, words):
    c = login(browser(), "author", lang)
    assert words in c.get("/no-such-page").get_data(as_text=True)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pages_render(browser, org, statement_in, lang):
    s = statement_in("changes_requested")
    c = login(browser(), "author", lang)
    for path in [
        "/inbox",
        "/statements",
        "/statements?q=tiem+chung&state=changes_requested",
        "/statements/new",
        f"/statements/{s.id}",
        f"/statements/{s.id}/edit",
        "/press",
        "/",
    ]:
        r = c.get(path)
        assert r.status_code in (200, 302), (path, r.status_code)


def test_every_ui_string_has_a_vietnamese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(pot),
            "--no-location",
            str(ROOT / "auth"),
            str(ROOT / "statements"),
        ],
        check=True,
        capture_output=True,
    )
    wanted = {m.id for m in read_po(pot.open("rb")) if m.id}
    with (ROOT / "statements/translations/vi/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert not wanted - translated, f"untranslated: {sorted(wanted - translated)}"


def test_failed_web_logins_share_the_api_limit(browser, client, org):
    for _ in range(3):
        assert client.post("/api/v1/tokens", json={"username": "leader", "password": "sai"}).status_code == 401
    c = browser()
    for _ in range(2):
        r = c.post("/login", data={"username": "leader", "password": "sai", "csrf_token": csrf(c.get("/login"))})
        assert r.status_code == 401
    r = c.post("/login", data={"username": "leader", "password": PASSWORD, "csrf_token": csrf(c.get("/login"))})
    assert r.status_code == 429 and "Quá nhiều lần thử" in r.get_data(as_text=True)
    assert int(r.headers["Retry-After"]) > 0
    assert login(browser(), "author").get("/inbox").status_code == 200  # other people are not locked out


@pytest.mark.parametrize("fmt", ["exe", "php://filter/convert.base64-encode/resource=x", ""])
def test_an_unknown_export_format_is_refused_and_nothing_recorded(browser, org, statement_in, count_ledger, fmt):
    s = statement_in("in_review")
    c = login(browser(), "spokesperson")
    before = count_ledger()
    r = c.get(f"/statements/{s.id}/export", query_string={"format": fmt})
    assert r.status_code == 400 and '<html lang="vi">' in r.get_data(as_text=True)
    assert count_ledger() == before, "no copy was made, so none is on the ledger"
    assert c.get(f"/statements/{s.id}/export").mimetype.endswith("wordprocessingml.document"), "docx by default"


@pytest.mark.parametrize(("lang", "zone"), [("vi", "giờ Hà Nội"), ("en", "Hanoi time")])
def test_times_read_the_same_in_both_languages(browser, org, statement_in, lang, zone):
    import datetime as dt
    from zoneinfo import ZoneInfo

    s = statement_in("draft")
    page = login(browser(), "author", lang).get(f"/statements/{s.id}").get_data(as_text=True)
    created = s.versions[0].created_at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    # Day first, a four-digit year and a 24-hour clock, the zone named: never 12/3/26, 2:35 PM.
    assert f"{created:%d/%m/%Y %H:%M} ({zone})" in page
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{2}(?!\d)|\d [AP]M", page)


def test_a_refusal_offers_the_way_back_to_its_statement(browser, org, statement_in):
    s = statement_in("in_review")
    author = login(browser(), "author")
    token = csrf(author.get(f"/statements/{s.id}"))
    r = author.post(f"/statements/{s.id}/act", data={"csrf_token": token, "action": "approve", "version": "1"})
    assert r.status_code == 403
    assert f'href="/statements/{s.id}" data-back="statement">Quay lại thông tin' in r.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "words"), [("vi", "Tối đa 500 ký tự."), ("en", "At most 500 characters.")])
def test_a_field_message_with_a_number_speaks_the_users_language(browser, org, lang, words):
    c = login(browser(), "author", lang)
    r = _post(c, "/statements/new", "/statements/new", {"unit": "SYT-HN", "title": "Ồ" * 501, "body": "Nội dung."})
    assert r.status_code == 422 and words in r.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "words"), [("vi", "Người soạn thảo đánh dấu"), ("en", "The drafter marked it")])
def test_the_systems_reasons_speak_the_users_language(browser, org, statement_in, lang, words):
    s = statement_in("draft", sensitive=True)
    page = login(browser(), "author", lang).get(f"/statements/{s.id}").get_data(as_text=True)
    assert words in page


def test_the_spokesperson_is_told_why_there_is_no_approve_button(browser, org, statement_in):
    s = statement_in("in_review", body="Một bệnh nhân đã tử vong tại khoa hồi sức.")
    page = login(browser(), "spokesperson").get(f"/statements/{s.id}").text
    assert 'data-action="approve"' not in page and "data-why-no-approve" in page
    plain = statement_in("in_review")
    assert "data-why-no-approve" not in login(browser(), "spokesperson").get(f"/statements/{plain.id}").text


def test_one_reason_field_and_irreversible_actions_confirmed(browser, org, statement_in, session):
    import sqlalchemy as sa

    from workflow.ledger import LedgerEntry

    s = statement_in("in_review")
    spokes = login(browser(), "spokesperson")
    page = spokes.get(f"/statements/{s.id}").text
    assert page.count('name="comment"') == 1, "one reason field serves every action"
    assert re.search(r'<button [^>]*data-action="reject" class="danger">', page), "it looks unlike the safe ones"
    assert not re.search(r'<button [^>]*data-action="request_changes" class="danger">', page)
    token = csrf(spokes.get(f"/statements/{s.id}"))
    r = spokes.post(f"/statements/{s.id}/act", data={"csrf_token": token, "action": "reject", "version": "1"})
    assert r.status_code == 422 and "Hãy nêu lý do" in r.text and "aria-invalid=true" in r.text
    typed = "Trùng với thông cáo đã phát hành hôm qua."
    r = spokes.post(
        f"/statements/{s.id}/act", data={"csrf_token": token, "action": "reject", "version": "1", "comment": typed}
    )
    assert r.status_code == 200 and "Xác nhận: Từ chối" in r.text and typed in r.text
    session.expire_all()
    assert session.get(type(s), s.id).state == "in_review", "nothing is decided before confirmation"
    r = spokes.post(
        f"/statements/{s.id}/act",
        data={"csrf_token": token, "action": "reject", "version": "1", "comment": typed, "confirmed": "1"},
    )
    assert r.status_code == 302
    session.expire_all()
    assert session.get(type(s), s.id).state == "rejected"
    last = session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.statement_id == s.id, LedgerEntry.action == "reject")
    ).one()
    assert last.comment == typed


def test_the_menus_awaiting_count_stops_at_its_bound(browser, org, statement_in, monkeypatch):
    from statements import navigation

    for _ in range(3):
        statement_in("in_review")
    c = login(browser(), "spokesperson")
    assert 'data-testid="awaiting-count">3<' in c.get("/inbox").get_data(as_text=True)
    monkeypatch.setattr(navigation, "MENU_COUNT", 2)
    assert 'data-testid="awaiting-count">2+<' in c.get("/inbox").get_data(as_text=True)


def test_the_list_refuses_the_filters_the_api_refuses(browser, api):
    """One input contract: the page reads its filters with the API's schema (issue 27), empty fields aside."""
    page = login(browser(), "spokesperson")
    assert page.get("/statements?state=&kind=&q=").status_code == 200  # the form's empty fields
    for query in ("state=bogus", "urgency=soon", "since=2026-01-01", "event=released&since=2026-02-01&until=2026-01-01",
                  "overdue=perhaps"):  # fmt: skip
        shown = page.get(f"/statements?{query}")
        said = api("spokesperson").get(f"/api/v1/statements?{query}")
        assert shown.status_code == said.status_code == 422, query
        html = shown.get_data(as_text=True)
        assert 'lang="vi"' in html and "Không đọc được các bộ lọc sau" in html and 'role="search"' in html
        field = next(iter(said.json["errors"]))
        assert f"<code>{field}</code>" in html, (query, field)
