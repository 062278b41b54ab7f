"""The organisation's pages: admins manage units, people, roles and designations; leaders edit their units' rules."""

from __future__ import annotations

import re

import pytest

from tests.test_web import _post, login


def test_admin_manages_units_people_roles_and_designation(browser, org):
    admin = login(browser(), "admin")
    assert "Quản trị" in admin.get("/admin").text
    r = _post(
        admin, "/admin/units", "/admin/units", {"code": "BV-DN", "name": "Bệnh viện Đà Nẵng", "parent_code": "SYT-DN"}
    )
    assert r.status_code == 302
    new = {
        "username": "tran.b",
        "full_name": "Trần Thị B",
        "password": "mật khẩu dài",
        "unit": "BV-DN",
        "role": "drafter",
    }
    assert _post(admin, "/admin/people", "/admin/users", new).status_code == 302
    # A unit with drafters and nobody to review: flagged on the overview and the units page.
    assert 'data-unstaffed="BV-DN"' in admin.get("/admin").text
    assert "data-unstaffed" in admin.get("/admin/units?q=BV-DN").text
    _post(admin, "/admin/people", "/admin/users/tran.b/roles", {"unit": "BV-DN", "role": "leader"})
    assert (
        "Lãnh đạo @ BV-DN" in admin.get("/admin/people?q=tran").text
        or "@ BV-DN" in admin.get("/admin/people?q=tran").text
    )
    _post(admin, "/admin/units", "/admin/units/BV-DN/spokesperson", {"username": "tran.b"})
    units = admin.get("/admin/units?q=benh vien da nang").text
    assert "Bệnh viện Đà Nẵng" in units and "<strong data-spokesperson>tran.b</strong>" in units
    # A search says how many it found out of how many there are.
    assert re.search(r"data-count>1 trên \d+ đơn vị khớp<", units), units
    assert re.search(r"data-count>1 trên \d+ người khớp<", admin.get("/admin/people?q=tran.b").text)
    assert 'data-unstaffed="BV-DN"' not in admin.get("/admin").text
    # A refused account keeps what was typed (but the password), each error beside its field, said once.
    typed = {"username": "Sai Ten", "full_name": "Nguyễn Văn Đúng", "password": "ngắn", "email": "dung@syt.vn"}
    r = _post(admin, "/admin/people", "/admin/users", typed)
    assert r.status_code == 422
    assert 'value="Nguyễn Văn Đúng"' in r.text and 'value="dung@syt.vn"' in r.text and "ngắn" not in r.text
    assert 'id="password-error">Mật khẩu: ít nhất 10 ký tự.' in r.text and 'id="username-error"' in r.text
    # A refused unit: the same, and its message once, not twice in other words.
    r = _post(admin, "/admin/units", "/admin/units", {"code": "sai mã", "name": "Trung tâm Y tế"})
    assert r.status_code == 422 and 'value="Trung tâm Y tế"' in r.text
    assert "Mã đơn vị gồm" not in r.text and r.text.count("Dùng chữ in hoa, chữ số") == 1
    admin.get("/admin")  # drop any message left to show
    _post(admin, "/admin/units", "/admin/units/BV-DN/spokesperson", {"username": "khong.co"})
    assert admin.get("/admin/units").text.count("Không có người dùng này.") == 1
    # Taking a role away is confirmed first.
    revoke = {"unit": "BV-DN", "role": "leader", "revoke": "1"}
    r = _post(admin, "/admin/people", "/admin/users/tran.b/roles", revoke)
    assert r.status_code == 200 and "data-confirm" in r.text
    assert "lãnh đạo @ BV-DN" in admin.get("/admin/people?q=tran.b").text, "nothing is taken before confirmation"
    _post(admin, "/admin/people", "/admin/users/tran.b/roles", revoke | {"confirmed": "1"})
    assert "lãnh đạo @ BV-DN" not in admin.get("/admin/people?q=tran.b").text


def test_admin_ends_a_designation_after_confirmation(browser, org, session):
    admin = login(browser(), "admin")
    r = _post(admin, "/admin/units", "/admin/units/SYT-DN/spokesperson/remove", {})
    assert r.status_code == 200 and "data-confirm" in r.text
    assert "<strong data-spokesperson>dn_spokesperson</strong>" in admin.get("/admin/units?q=SYT-DN").text
    r = _post(admin, "/admin/units", "/admin/units/SYT-DN/spokesperson/remove", {"confirmed": "1"})
    assert r.status_code == 302
    page = admin.get("/admin/units?q=SYT-DN").text
    assert "data-spokesperson" not in page and "Đã thôi chỉ định người phát ngôn." in page


def test_an_auditor_cannot_be_designated_from_the_admin_page(browser, org):
    admin = login(browser(), "admin")
    _post(admin, "/admin/units", "/admin/units/SYT-HN/spokesperson", {"username": "auditor"})
    page = admin.get("/admin/units?q=SYT-HN").text
    assert "không thể là người phát ngôn" in page and "<strong data-spokesperson>spokesperson</strong>" in page


@pytest.mark.parametrize("who", ["author", "spokesperson", "leader", "auditor"])
def test_only_admins_administer(browser, org, who):
    c = login(browser(), who)
    assert c.get("/admin").status_code == 403
    r = _post(c, "/inbox", "/admin/units", {"code": "ZZ", "name": "Không được"})
    assert r.status_code == 403  # refused outright, not redirected with a message
    assert "Không được" not in login(browser(), "admin").get("/admin").get_data(as_text=True)


def test_leader_edits_the_units_rules(browser, org, statement_in):
    s = statement_in("in_review", body="Ghi nhận bệnh dại tại huyện Đông Anh.")
    leader = login(browser(), "leader")
    assert 'href="/rules"' in leader.get("/inbox").get_data(as_text=True)
    assert leader.get("/rules").headers["Location"].endswith("/units/SYT-HN/rules")
    _post(
        leader,
        "/units/SYT-HN/rules",
        "/units/SYT-HN/rules",
        {"code": "rabies", "label": "Bệnh dại", "keywords": "bệnh dại", "source": "Quyết định của Sở"},
    )
    assert 'data-rule="rabies"' in leader.get("/units/SYT-HN/rules").get_data(as_text=True)
    spokes = login(browser(), "spokesperson")
    assert 'data-action="approve"' not in spokes.get(f"/statements/{s.id}").get_data(as_text=True)
    # A value the form never sends changes nothing and says why, as the API refuses a non-boolean.
    _post(leader, "/units/SYT-HN/rules", "/units/SYT-HN/rules/rabies/toggle", {"active": "tắt"})
    assert "Giá trị không hợp lệ." in leader.get("/units/SYT-HN/rules").text
    assert 'data-action="approve"' not in spokes.get(f"/statements/{s.id}").get_data(as_text=True)
    _post(leader, "/units/SYT-HN/rules", "/units/SYT-HN/rules/rabies/toggle", {"active": "0"})
    assert 'data-action="approve"' in spokes.get(f"/statements/{s.id}").get_data(as_text=True)
    # The unit's drafters read its rules (one rule with the API) but are offered no way to change them.
    page = login(browser(), "author").get("/units/SYT-HN/rules")
    assert page.status_code == 200 and "data-rules-read-only" in page.get_data(as_text=True)
    assert "web.toggle_rule" not in page.get_data(as_text=True) and "/toggle" not in page.get_data(as_text=True)
    assert login(browser(), "outsider").get("/units/SYT-HN/rules").status_code == 403
    assert leader.get("/units/SYT-DN/rules").status_code == 403
