"""One input contract per action: the forms and the CLI check input with the API's own schemas.

The same bad input gets the same refusal everywhere: 422, the same field named, the same message
(said in the person's language on a page).
"""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.test_web import _post, csrf, login

TOO_LONG_REASON = "Lý do quá dài. " * 300  # 4,500 characters: the contract takes 4,000


def _cli_act(runner, sid: int, action: str, *extra: str):
    args = ["statement", "act", str(sid), action, "--version", "1", "--user", "spokesperson", "--password-stdin"]
    return runner.invoke(args=[*args, *extra], input=PASSWORD + "\n")


def test_a_reason_too_long_is_refused_alike_by_the_api_the_form_and_the_cli(api, browser, runner, statement_in):
    s = statement_in("in_review")
    body = {"action": "request_changes", "version": 1, "comment": TOO_LONG_REASON}
    r = api("spokesperson").post(f"/api/v1/statements/{s.id}/actions", json=body)
    assert r.status_code == 422 and list(r.json["errors"]) == ["comment"], r.json

    c = login(browser(), "spokesperson")
    page = c.post(
        f"/statements/{s.id}/act",
        data={"csrf_token": csrf(c.get(f"/statements/{s.id}")), **body, "version": "1"},
    )
    assert page.status_code == 422 and "Tối đa 4000 ký tự." in page.get_data(as_text=True)

    result = _cli_act(runner, s.id, "request_changes", "--comment", TOO_LONG_REASON)
    assert result.exit_code == 3 and "422 invalid_fields" in result.output, result.output
    assert "comment: Longer than maximum length 4000." in result.output
    assert api("spokesperson").get(f"/api/v1/statements/{s.id}").json["state"] == "in_review"


def test_an_unknown_channel_is_refused_alike(api, browser, runner, statement_in):
    s = statement_in("approved")
    r = api("spokesperson").post(
        f"/api/v1/statements/{s.id}/actions", json={"action": "release", "version": 1, "channels": ["telegraph"]}
    )
    assert r.status_code == 422 and list(r.json["errors"]) == ["channels"], r.json

    c = login(browser(), "spokesperson")
    token = csrf(c.get(f"/statements/{s.id}"))
    form = {"csrf_token": token, "action": "release", "version": "1", "channels": "telegraph", "confirmed": "1"}
    page = c.post(f"/statements/{s.id}/act", data=form)
    assert page.status_code == 422 and "Chọn một trong:" in page.get_data(as_text=True)

    result = _cli_act(runner, s.id, "release", "--channel", "telegraph")
    assert result.exit_code == 3 and "422 invalid_fields" in result.output and "channels:" in result.output
    assert api("spokesperson").get(f"/api/v1/statements/{s.id}").json["state"] == "approved"


def test_a_title_too_long_is_refused_alike_by_the_api_and_the_editor(api, browser, org):
    fields = {"unit": "SYT-HN", "title": "Ồ" * 501, "body": "Nội dung."}
    r = api("author").post("/api/v1/statements", json=fields)
    assert r.status_code == 422 and list(r.json["errors"]) == ["title"], r.json
    page = _post(login(browser(), "author"), "/statements/new", "/statements/new", fields)
    assert page.status_code == 422 and "Tối đa 500 ký tự." in page.get_data(as_text=True)


def test_an_empty_title_says_the_same_words_on_the_api_and_the_page(api, browser, org):
    fields = {"unit": "SYT-HN", "title": "", "body": "Nội dung."}
    r = api("author").post("/api/v1/statements", json=fields)
    assert r.status_code == 422 and r.json["errors"]["title"] == ["A title is required."], r.json
    page = _post(login(browser(), "author", "en"), "/statements/new", "/statements/new", fields)
    assert page.status_code == 422 and "A title is required." in page.get_data(as_text=True)


def test_a_bad_email_is_refused_alike_by_the_api_and_the_admin_page(api, browser, org):
    person = {
        "username": "nguoimoi",
        "full_name": "Người Mới",
        "password": "một mật khẩu đủ dài",
        "email": "không-phải",
    }
    r = api("admin").post("/api/v1/users", json=person)
    assert r.status_code == 422 and list(r.json["errors"]) == ["email"], r.json
    page = _post(login(browser(), "admin"), "/admin/people", "/admin/users", person)
    assert page.status_code == 422 and "Địa chỉ thư điện tử không hợp lệ." in page.get_data(as_text=True)
    assert "nguoimoi" not in [u["username"] for u in api("admin").get("/api/v1/users?per_page=100").json["items"]]


def test_a_rule_label_too_long_is_refused_alike_by_the_api_and_the_rules_page(api, browser, org):
    rule = {"code": "dai", "label": "Đ" * 201, "keywords": ["dài"]}
    r = api("admin").post("/api/v1/units/SYT-HN/rules", json=rule)
    assert r.status_code == 422 and r.json["errors"] == {"label": ["Length must be between 1 and 200."]}, r.json
    c = login(browser(), "admin", "en")
    refused = _post(c, "/units/SYT-HN/rules", "/units/SYT-HN/rules", rule | {"keywords": "dài", "source": "CV 6006"})
    page = refused.get_data(as_text=True)
    # The form comes back as typed, the error beside the field it is about; the field says its limit.
    assert refused.status_code == 422 and 'id="label-error">Write something, at most 200 characters.' in page
    assert 'value="dài"' in page and 'value="CV 6006"' in page and 'maxlength="200" value="' + "Đ" * 201 in page
    assert "dai" not in [x["code"] for x in api("admin").get("/api/v1/units/SYT-HN/rules").json["items"]]


def test_an_unknown_role_is_refused_alike_by_the_api_and_the_people_page(api, browser, org):
    person = {"username": "nguoimoi", "full_name": "Người Mới", "password": "một mật khẩu đủ dài"}
    r = api("admin").post("/api/v1/users", json=person | {"roles": [{"unit": "SYT-HN", "role": "king"}]})
    assert r.status_code == 422 and "roles" in r.json["errors"], r.json
    c = login(browser(), "admin")
    _post(c, "/admin/people", "/admin/users/author/roles", {"unit": "SYT-HN", "role": "king"})
    page = c.get("/admin/people").get_data(as_text=True)
    assert "Chọn một trong:" in page
    assert "chuyên viên soạn thảo" in page.split("Chọn một trong:")[1].split("<")[0]
    roles = {(m["unit"], m["role"]) for m in api("admin").get("/api/v1/users/author").json["roles"]}
    assert ("SYT-HN", "king") not in roles


def test_a_finding_with_an_unknown_outcome_is_refused_alike_by_the_api_and_the_case_page(api, browser, org):
    case = (
        api("auditor")
        .post(
            "/api/v1/disclosures",
            json={"text": "Một đoạn văn bản lạ.", "seen_where": "Facebook", "seen_at": "2026-12-01T08:00:00+07:00"},
        )
        .json
    )
    finding = {"outcome": "guilty", "finding": "Không rõ."}
    r = api("auditor").post(f"/api/v1/disclosures/{case['id']}/finding", json=finding)
    assert r.status_code == 422 and list(r.json["errors"]) == ["outcome"], r.json
    page = _post(login(browser(), "auditor"), f"/disclosures/{case['id']}", f"/disclosures/{case['id']}", finding)
    assert page.status_code == 422 and "Chọn một trong:" in page.get_data(as_text=True)
    # The choices are named as the form's own list names them, not by their codes.
    assert "Chưa đủ căn cứ kết luận" in page.get_data(as_text=True).split("Chọn một trong:")[1].split("</p>")[0]
    assert "inconclusive" not in page.get_data(as_text=True).split("Chọn một trong:")[1].split("</p>")[0]
    assert api("auditor").get(f"/api/v1/disclosures/{case['id']}").json["status"] == "open"
