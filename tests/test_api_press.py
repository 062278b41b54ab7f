"""API and pages of the public press room: released statements only, retractions marked, a valid feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.test_api_auth_org import assert_error
from tests.test_api_statements import act, create


def test_retracted_stays_public_and_marked(api, client):
    s = create(api)
    act(api, "author", s["id"], "submit")
    act(api, "spokesperson", s["id"], "approve")
    act(api, "spokesperson", s["id"], "release")
    act(api, "leader", s["id"], "retract", expect=422)
    act(api, "leader", s["id"], "retract", comment="Số liệu đã được đính chính.")
    item = client.get(f"/api/v1/public/statements/{s['id']}").json
    assert item["retracted"] is True and item["retraction"]["reason"] == "Số liệu đã được đính chính."
    assert "Đã thu hồi" in client.get("/press").get_data(as_text=True)


def test_public_shows_released_only(api, client):
    draft = create(api, title="Bản nháp bí mật")
    assert_error(client.get(f"/api/v1/public/statements/{draft['id']}"), 404)
    assert client.get(f"/press/{draft['id']}").status_code == 404
    assert "Bản nháp bí mật" not in client.get("/press").get_data(as_text=True)
    assert "Bản nháp bí mật" not in client.get("/press/feed.atom").get_data(as_text=True)
    assert all(i["id"] != draft["id"] for i in client.get("/api/v1/public/statements").json["items"])


def test_atom_feed_is_valid(api, client):
    s = create(api, title="Thông cáo <đặc biệt> & khẩn", body="Nội dung\x02 có ký tự điều khiển")
    act(api, "author", s["id"], "submit")
    act(api, "spokesperson", s["id"], "approve")
    act(api, "spokesperson", s["id"], "release")
    r = client.get("/press/feed.atom")
    assert r.content_type.startswith("application/atom+xml")
    root = ET.fromstring(r.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.find("a:title", ns).text for e in root.findall("a:entry", ns)]
    assert "Thông cáo <đặc biệt> & khẩn" in titles
    # XML cannot hold U+0002: the feed shows its sign rather than break for every reader.
    assert "Nội dung\u2402 có ký tự điều khiển" in [e.find("a:content", ns).text for e in root.findall("a:entry", ns)]
    for required in ("a:id", "a:title", "a:updated"):
        assert root.find(required, ns) is not None


def test_html_errors_outside_api(client):
    r = client.get("/press/999999")
    assert (
        r.status_code == 404 and r.content_type.startswith("text/html") and "Không tìm thấy" in r.get_data(as_text=True)
    )


@pytest.mark.parametrize("path", ["/", "/press", "/press/feed.atom", "/api/v1/docs", "/api/v1/public/statements"])
def test_public_pages_answer(client, path):
    assert client.get(path).status_code == 200


def test_a_page_past_the_end_says_so(api, client):
    s = create(api)
    act(api, "author", s["id"], "submit")
    act(api, "spokesperson", s["id"], "approve")
    act(api, "spokesperson", s["id"], "release")
    page = client.get("/press?page=99").get_data(as_text=True)
    assert "Chưa có thông tin nào được phát hành." not in page, "something was released"
    assert "Không có trang 99: danh sách chỉ có 1 trang." in page and 'href="/press?page=1"' in page


def test_the_press_room_searches_released_statements_only(api, client):
    released = create(api, title="Phòng chống sởi và rubella", body="Tiêm vắc xin cho trẻ em tại trạm y tế xã.")
    act(api, "author", released["id"], "submit")
    act(api, "spokesperson", released["id"], "approve")
    act(api, "spokesperson", released["id"], "release")
    create(api, title="Bản nháp về sởi và rubella", body="Chưa phát hành.")
    for q in ("rubella sởi", "RUBELLA soi", "tram y te"):
        found = client.get("/api/v1/public/statements", query_string={"q": q}).json
        assert [i["id"] for i in found["items"]] == [released["id"]] and found["total"] == 1, q
        page = client.get("/press", query_string={"q": q}).get_data(as_text=True)
        assert "Phòng chống sởi và rubella" in page and "Bản nháp" not in page, q
    assert client.get("/api/v1/public/statements", query_string={"q": "rubella cúm"}).json["total"] == 0
    assert "Không có thông tin đã phát hành nào chứa đủ “rubella cúm”." in client.get("/press?q=rubella+cúm").text
    assert 'role="search"' in client.get("/press").text


def test_the_press_room_counts_a_bounded_way_past_the_page(client, statement_in, monkeypatch):
    """Anyone may open the press room: its count stops COUNT_AHEAD past the page; the API's total stays exact."""
    from statements import web_session
    from statements.press.web import PER_PAGE

    monkeypatch.setattr(web_session, "COUNT_AHEAD", 1)
    before = client.get("/api/v1/public/statements").json["total"]
    for _ in range(PER_PAGE + 2 - before):
        statement_in("released")
    first = client.get("/press").get_data(as_text=True)
    assert f"Hơn {PER_PAGE + 1} thông tin" in first and 'rel="next"' in first
    assert f"{PER_PAGE + 2} thông tin" in client.get("/press?page=2").get_data(as_text=True)
    assert client.get("/api/v1/public/statements").json["total"] == PER_PAGE + 2
