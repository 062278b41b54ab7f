"""The statement editor and the forms around it: the live sensitivity check, field errors, what is kept on a refusal."""

from __future__ import annotations

import re

import pytest

from tests.test_api_statements import act
from tests.test_web import _post, csrf, login


def test_sensitivity_preview_and_compare(browser, org, statement_in, session):
    from statements.lifecycle.service import add_version

    c = login(browser(), "author")
    token = csrf(c.get("/statements/new"))
    r = c.post(
        "/statements/sensitivity-preview",
        data={"unit": "SYT-HN", "title": "Tin", "body": "Một ca tử vong."},
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 200 and r.json["items"][0]["rule"] == "deaths"
    r = c.post(
        "/statements/sensitivity-preview",
        data={"unit": "SYT-HN", "title": "Tin", "body": "Giữ ấm."},
        headers={"X-CSRFToken": token},
    )
    assert r.json["total"] == 0
    assert c.post("/statements/sensitivity-preview", data={"unit": "SYT-HN"}).status_code == 400  # no CSRF token
    s = statement_in("changes_requested")
    add_version(session, s.id, org.actor("author"), {"body": "Phiên bản 2."})
    add_version(session, s.id, org.actor("author"), {"body": "Phiên bản 3."})
    session.commit()
    r = c.get(f"/statements/{s.id}/compare?a=1&b=3")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/statements/{s.id}/versions/1/diff/3")
    diff = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "<ins>" in diff and "<del>" in diff


def test_editor_shows_errors_and_changes_nothing(browser, org, statement_in):
    c = login(browser(), "author")
    r = _post(c, "/statements/new", "/statements/new", {"unit": "SYT-HN", "title": "", "body": " "})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "field-error" in page
    # Each error is tied to its field, so a screen reader reads it with the field.
    for field in ("title", "body"):
        tied = rf'id="{field}" name="{field}"[^>]* aria-describedby="{field}-error" aria-invalid="true"'
        assert re.search(tied, page)
        assert f'<p class="field-error" id="{field}-error">' in page
    s = statement_in("draft")
    r = _post(c, f"/statements/{s.id}/edit", f"/statements/{s.id}/edit", {"version": "1", "title": "T", "body": ""})
    assert r.status_code == 422
    assert "phiên bản 2" not in c.get(f"/statements/{s.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("page", "path", "form", "field"),
    [
        (
            "/admin/people",
            "/admin/users",
            {"username": "dai", "full_name": "Đ" * 201, "password": "x" * 12},
            "full_name",
        ),
        ("/admin/units", "/admin/units", {"code": "DAI", "name": "Đ" * 301}, "name"),
        ("/units/SYT-HN/rules", "/units/SYT-HN/rules", {"code": "dai", "label": "Đ" * 201, "keywords": "dài"}, None),
    ],
)
def test_text_longer_than_its_column_is_a_field_error_not_a_500(browser, org, page, path, form, field):
    c = login(browser(), "admin")
    r = _post(c, page, path, form)
    assert r.status_code in (302, 422)
    shown = c.get(page).text if r.status_code == 302 else r.text
    # The form says what the API says of the field: "at most 200", for a label "something, at most 200".
    assert ("Tối đa" in shown or "tối đa 200" in shown) and "ký tự" in shown


def test_the_edit_form_opens_only_where_saving_it_is_allowed(browser, org, statement_in):
    draft, released = statement_in("draft"), statement_in("released")
    author = login(browser(), "author")
    assert f'href="/statements/{draft.id}/edit"' in author.get(f"/statements/{draft.id}").get_data(as_text=True)
    assert author.get(f"/statements/{draft.id}/edit").status_code == 200
    for who, s, status in (("auditor", draft, 403), ("author", released, 409), ("outsider", released, 403)):
        c = login(browser(), who)
        assert f"/statements/{s.id}/edit" not in c.get(f"/statements/{s.id}").get_data(as_text=True), who
        assert c.get(f"/statements/{s.id}/edit").status_code == status, who


def test_a_refused_edit_keeps_the_text_typed(api, browser, org, statement_in):
    s = statement_in("draft")
    c = login(browser(), "author")
    token = csrf(c.get(f"/statements/{s.id}/edit"))
    act(api, "author", s.id, "submit")  # meanwhile, from another window: it is no longer a draft
    typed = "Bản sửa dài, gõ cẩn thận: 1.245 ca sốt xuất huyết, tăng 12% so với tuần trước."
    r = c.post(
        f"/statements/{s.id}/edit",
        data={"csrf_token": token, "version": "1", "title": "Tiêu đề mới", "body": typed, "kind": "regular"},
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "data-refused" in page
    assert typed in page and "Tiêu đề mới" in page


def test_the_editor_page_title_is_only_a_title(browser, org):
    page = login(browser(), "author").get("/statements/new").get_data(as_text=True)
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<script" not in title and "PressGate" in title
    assert '<script src="/static/editor.js" defer></script>' in page
