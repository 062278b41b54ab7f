"""In a real browser (the system Chromium, through Playwright): each person in their own browser context."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from statements import create_app
from tests import pg
from tests.conftest import PASSWORD, seeded_engine

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = os.environ.get("PRESSGATE_SCREENSHOTS")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """A live server on a committed database of its own, for the browser to talk to."""
    admin = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    else:
        admin = pg.server_url()
        if admin is None:
            pytest.skip("no PostgreSQL available")
        url = pg.create_database(admin)
    engine = seeded_engine(url)
    app = create_app({"ENGINE": engine, "DATABASE_URL": url, "SECRET_KEY": "browser-test"})
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    engine.dispose()
    if admin:
        pg.drop_database(admin, url)


@pytest.fixture(scope="module")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def person(chromium, server):
    """Return a factory: a signed-in page in a browser context of its own."""
    contexts = []

    def sign_in(username: str, lang: str = "vi"):
        context = chromium.new_context(viewport={"width": 1100, "height": 900})
        contexts.append(context)
        page = context.new_page()
        if lang != "vi":
            page.goto(f"{server}/lang/{lang}")
        page.goto(f"{server}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/inbox")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def act(page, action: str, comment: str | None = None) -> None:
    form = page.locator(f"form:has(button[data-action={action}])")
    if comment is not None:
        form.locator("textarea[name=comment]").fill(comment)
    form.locator(f"button[data-action={action}]").click()
    page.wait_for_load_state()


def state(page) -> str:
    return page.locator("[data-state]").first.get_attribute("data-state")


def test_the_whole_path_and_screenshots(person, server):
    drafter = person("author")
    drafter.click("text=Soạn thông tin mới")
    drafter.fill("#title", "Thông tin ban đầu về vụ ngộ độc thực phẩm")
    drafter.fill("#body", "47 công nhân có biểu hiện ngộ độc; 1 người có bệnh nền đã tử vong.")
    # As the drafter types, the matching rule is shown before anything is submitted.
    drafter.locator("#sensitivity-preview li").first.wait_for(timeout=5000)
    assert "tử vong" in drafter.locator("#sensitivity-preview").inner_text()
    drafter.select_option("#kind", "ad_hoc")
    drafter.select_option("#urgency", "urgent")
    drafter.click("main button[type=submit]")
    expect(drafter.locator("main")).to_contain_text("Lý do nhạy cảm")
    assert state(drafter) == "draft"
    url = drafter.url
    shoot(drafter, "statement-draft")
    act(drafter, "submit")
    assert state(drafter) == "in_review"

    spokes = person("spokesperson")
    assert spokes.locator("[data-testid=awaiting-count]").inner_text() != "0"
    shoot(spokes, "inbox")
    spokes.goto(url)
    # It reports a death, so approving is not offered: escalation is the way.
    assert set(spokes.locator("button[data-action]").evaluate_all("els => els.map(e => e.dataset.action)")) == {
        "escalate",
        "request_changes",
        "reject",
    }
    act(spokes, "escalate")  # no reason: the browser itself refuses to send the form
    assert state(spokes) == "in_review"
    act(spokes, "escalate", "Có ca tử vong: xin ý kiến lãnh đạo.")
    assert state(spokes) == "escalated"

    leader = person("leader")
    leader.goto(url)
    shoot(leader, "statement-escalated")
    act(leader, "sign_off")
    assert state(leader) == "approved"

    spokes.goto(url)
    spokes.set_viewport_size({"width": 375, "height": 800})
    # On a phone each channel's checkbox stays on the line of its own name.
    for box in spokes.locator("input[name=channels]").all():
        mine = box.evaluate(
            "e => Math.abs(e.getBoundingClientRect().top - e.closest('label').getBoundingClientRect().top)"
        )
        assert box.evaluate("e => e.closest('label').getBoundingClientRect().height") < 40 and mine < 20
    spokes.set_viewport_size({"width": 1100, "height": 900})
    form = spokes.locator("form:has(button[data-action=release])")
    form.locator("input[value=website]").check()
    form.locator("input[value=press_conference]").check()
    act(spokes, "release")
    # Releasing cannot be undone: the page shows what the public will see and asks first.
    expect(spokes.locator("main")).to_contain_text("Trang công khai sẽ hiển thị")
    shoot(spokes, "release-confirmation")
    spokes.click("button[data-confirm=release]")
    spokes.wait_for_load_state()
    assert state(spokes) == "released"
    shoot(spokes, "statement-released")

    public = person("outsider")
    public.goto(f"{server}/press")
    expect(public.locator("main")).to_contain_text("Thông tin ban đầu về vụ ngộ độc thực phẩm")
    shoot(public, "press-room")

    # The leader's overview counts this week's release, and its figure opens exactly that statement.
    leader.goto(f"{server}/dashboard")
    shoot(leader, "dashboard")
    leader.click("a[href*='event=released'][href*='since=']")
    expect(leader.locator("main")).to_contain_text("Thông tin ban đầu về vụ ngộ độc thực phẩm")


def test_the_drafter_gives_figures_and_sees_their_change_as_typed(person, server):
    drafter = person("author")
    drafter.goto(f"{server}/statements/new")
    drafter.fill("#title", "Tình hình sốt xuất huyết tuần 48")
    drafter.fill("#body", "Số ca sốt xuất huyết tăng nhẹ ở các phường ven sông; người dân cần diệt lăng quăng.")
    drafter.fill("#figures_subject", "Sốt xuất huyết")
    drafter.fill("#figures_start", "2026-11-23")
    drafter.fill("#figures_end", "2026-11-29")
    drafter.fill("#figures_area", "Thành phố Hà Nội")
    drafter.fill("#figures_new_cases_value", "1.300")
    drafter.fill("input[name=figures_new_cases_previous]", "1245")
    # The change is worked out as the drafter types, written as the page's language writes numbers.
    expect(drafter.locator("tr[data-measure=new_cases] [data-change]")).to_have_text("+55, +4,4%")
    drafter.fill("input[name=figures_new_cases_source]", "Hệ thống eCDS")
    drafter.fill(
        "#figures_analysis",
        "Số ca tăng 4,4% so với tuần trước do mưa kéo dài ở các phường ven sông; chưa ghi nhận ca tử vong và các"
        " ổ dịch đều đã được xử lý.",
    )
    drafter.click("main form.card button[type=submit]")
    drafter.wait_for_load_state()
    table = drafter.locator("section[data-figures]")
    expect(table).to_contain_text("1.300")
    expect(table).to_contain_text("+55, +4,4%")
    shoot(drafter, "statement-figures")
    leader = person("leader")
    leader.goto(f"{server}/rumours")
    expect(leader.locator("section[data-focal]")).to_contain_text("Sở Y tế Hà Nội")
    shoot(leader, "rumours")
    leader.goto(f"{server}/press-requests")
    shoot(leader, "press-requests")


def test_buttons_per_person_and_language_switch(person, server):
    drafter = person("author", "en")
    drafter.click("text=New statement")
    drafter.fill("#title", "Winter respiratory advice")
    drafter.fill("#body", "Keep warm and wash your hands.")
    drafter.click("main button[type=submit]")
    # A click that navigates returns before the next page is there: expect() waits for it.
    expect(drafter.locator("main")).to_contain_text("Submit for review")
    url = drafter.url
    drafter.click("text=Tiếng Việt")
    expect(drafter.locator("main")).to_contain_text("Gửi duyệt")
    drafter.goto(f"{server}/inbox")
    expect(drafter.locator("body")).to_contain_text("Việc chờ tôi xử lý")  # the language choice persists
    auditor = person("auditor")
    auditor.goto(url)
    assert auditor.locator("button[data-action]").count() == 0


def test_post_without_csrf_token_is_refused(person, server):
    drafter = person("author")
    response = drafter.request.post(f"{server}/statements/new", form={"unit": "SYT-HN", "title": "x", "body": "y"})
    assert response.status == 400


def test_a_downloaded_copy_leaks_and_the_investigation_names_its_recipient(person, server, tmp_path):
    import datetime as dt

    from statements.disclosure.fingerprint import decode_marks
    from statements.i18n import LOCAL_ZONE

    drafter = person("author")
    drafter.click("text=Soạn thông tin mới")
    drafter.fill("#title", "Kế hoạch tiêm chủng vắc xin sởi đợt 2")
    drafter.fill(
        "#body",
        "Từ ngày 02/12, toàn tỉnh tổ chức tiêm bổ sung 28.450 liều vắc xin sởi tại hai huyện miền núi.\n\n"
        "Tỷ lệ tiêm chủng đợt 1 đạt 96,2%; Sở Y tế đề nghị phụ huynh đưa trẻ đến trạm y tế xã.",
    )
    drafter.click("main button[type=submit]")
    url = drafter.url

    spokes = person("spokesperson")
    spokes.goto(url)
    spokes.select_option("#export-format", "txt")
    with spokes.expect_download() as download:
        spokes.click("button[data-export]")
    copy = tmp_path / "copy.txt"
    download.value.save_as(copy)
    text = copy.read_text("utf-8")
    assert "BẢN CHƯA PHÁT HÀNH" in text and len(decode_marks(text)) == 1

    auditor = person("auditor")
    auditor.click("text=Lộ lọt thông tin")
    auditor.fill("#text", text.split("\n")[4])  # the second paragraph, as pasted on a forum
    auditor.fill("#seen_where", "Diễn đàn phụ huynh")
    auditor.fill("#seen_at", (dt.datetime.now(LOCAL_ZONE) + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
    auditor.click("main form button[type=submit]")
    auditor.wait_for_url("**/disclosures/*")
    assert auditor.locator("[data-released]").get_attribute("data-released") == "false"
    assert auditor.locator("[data-suspect]").first.get_attribute("data-suspect") == "spokesperson"
    assert auditor.locator("[data-fingerprint]").count() == 1
    shoot(auditor, "disclosure-case")


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
#: The pages each person uses, checked for accessibility as they see them.
AXE_PAGES = {
    None: ["/press", "/login", "/press/verify"],
    "author": ["/inbox", "/statements", "/statements/new"],
    "spokesperson": ["/inbox", "/statements/{id}", "/press-requests"],
    "leader": [
        "/disclosures",
        "/units/SYT-HN/rules",
        "/dashboard",
        "/press-requests",
        "/rumours",
        "/units/SYT-HN/figures",
    ],
    "auditor": ["/audit/ledger", "/audit/verify", "/violations"],
    "admin": ["/admin"],
}


def axe_violations(page) -> list[str]:
    """Run axe-core in the page and return its serious and critical violations, each with where it is."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the browser tool, not a <script>: the CSP holds
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pages_have_no_serious_accessibility_violation(person, chromium, server, lang):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make test installs it)")
    drafter = person("author")
    drafter.click("text=Soạn thông tin mới")
    drafter.fill("#title", "Khuyến cáo phòng bệnh hô hấp mùa đông")
    drafter.fill("#body", "Người dân giữ ấm cơ thể, rửa tay thường xuyên.")
    drafter.click("main button[type=submit]")
    act(drafter, "submit")
    statement_id = drafter.url.rstrip("/").rsplit("/", 1)[-1]
    found = {}
    for who, paths in AXE_PAGES.items():
        if who is None:
            page = chromium.new_context(viewport={"width": 1100, "height": 900}).new_page()
            if lang != "vi":
                page.goto(f"{server}/lang/{lang}")
        else:
            page = person(who, lang)
        for path in paths:
            page.goto(server + path.format(id=statement_id))
            if problems := axe_violations(page):
                found[f"{who} {path}"] = problems
        if who is None:
            page.context.close()
    assert not found, found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_header_stays_on_one_line(person, lang):
    for username in ("author", "spokesperson", "leader", "auditor", "admin"):
        page = person(username, lang)
        page.set_viewport_size({"width": 1280, "height": 800})
        # The widest the header gets: both counts at their cap, and a long Vietnamese name.
        page.evaluate(
            """() => {
            for (const c of document.querySelectorAll('header.top .count')) {
                c.textContent = '99+';
                c.className = 'count';
            }
            for (const w of document.querySelectorAll('header.top .who')) { w.textContent = 'Nguyễn Thị Thanh Hương'; }
        }"""
        )
        tops = page.locator("header.top a, header.top button, header.top .who").evaluate_all(
            "els => els.filter(e => e.offsetParent !== null).map(e => Math.round(e.getBoundingClientRect().top / 10))"
        )
        assert len(set(tops)) == 1, f"the header of {username} wraps at 1280 px: {tops}"
        assert "Người dùng" in (page.locator("header.top button[type=submit]").get_attribute("title") or "")


def test_a_skip_link_leads_to_the_content(person):
    page = person("author")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


#: Pages people open on a phone, by who opens them: none may widen the page past the screen.
PHONE_PAGES = {
    "leader": [
        "/dashboard",
        "/units/SYT-HN/deadlines",
        "/units/SYT-HN/acting",
        "/statements",
        "/inbox",
        "/units/SYT-HN/figures",
    ],
    "auditor": ["/audit/ledger", "/dashboard"],
    "spokesperson": ["/notifications/settings", "/notifications", "/press-requests", "/rumours"],
    "author": ["/statements/new"],
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_page_is_wider_than_a_phone(person, lang):
    wide = {}
    for who, paths in PHONE_PAGES.items():
        page = person(who, lang)
        page.set_viewport_size({"width": 375, "height": 800})
        for path in paths:
            page.goto(page.url.split("/inbox")[0] + path)
            if (over := page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) > 0:
                wide[f"{who} {path}"] = over
    assert not wide, f"pages wider than 375 px, by so many px: {wide}"
