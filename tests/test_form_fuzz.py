"""Hostile input through the browser's forms: every form answers with a page in Vietnamese, never a 500,
and no change is left half done (a statement's state is always its ledger's last word)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statements.i18n import LOCAL_ZONE
from statements.lifecycle.service import MAX_BODY
from statements.notifications.models import Kind
from tests.test_fuzz import TEXT
from tests.test_web import csrf, login

#: Values a form field may plausibly hold, next to anything at all: the forms' own choices and numbers
#: at and past the columns' limits, so that examples reach the services and not only the first check.
PLAUSIBLE = st.sampled_from(
    [
        "SYT-HN",
        "SYT-DN",
        "BYT",
        "author",
        "spokesperson",
        "drafter",
        "leader",
        "1",
        "0",
        "-1",
        "2",
        "2147483648",
        "99999999999999999999",
        "1e3",
        "١",
        "regular",
        "urgent",
        "normal",
        "submit",
        "approve",
        "reject",
        "request_changes",
        "escalate",
        "release",
        "retract",
        "withdraw",
        "website",
        "leak_attributed",
        "inconclusive",
        "2026-11-20T08:30",
        "2026-02-30T25:61",
        "0001-01-01T00:00",
        "9999-12-31T23:59",
        "/inbox",
        "//evil.example/",
        "/\\evil.example/",
        "/?\nSet-Cookie: a=b",
        "tử vong, dịch",
        "Số ca mắc sởi tăng 12% trong tuần 46.",
    ]
)
VALUE = PLAUSIBLE | TEXT | st.text(min_size=300, max_size=2_000)


def form_for(fields: list[str]):
    """Form data with mostly the form's own field names, each one value or several."""
    value = VALUE | st.lists(VALUE, min_size=2, max_size=3)
    named = st.fixed_dictionaries({}, optional=dict.fromkeys(fields, value))
    stray = st.dictionaries(st.text(min_size=1, max_size=8), value, max_size=2)
    return st.one_of(named, st.builds(lambda a, b: b | a, named, stray))


#: (who signs in, the form's path, its fields). `{draft}`, `{in_review}` and `{case}` are made per test.
FORMS = [
    (None, "/login", ["username", "password", "next"]),
    ("author", "/statements/new", ["unit", "title", "body", "kind", "urgency", "topics", "sensitive"]),
    ("author", "/statements/{draft}/edit", ["title", "body", "kind", "urgency", "topics", "sensitive", "version"]),
    ("author", "/statements/{draft}/act", ["action", "version", "comment", "channels", "confirmed"]),
    ("spokesperson", "/statements/{in_review}/act", ["action", "version", "comment", "channels", "confirmed"]),
    ("leader", "/statements/{in_review}/act", ["action", "version", "comment", "channels", "confirmed"]),
    ("author", "/statements/sensitivity-preview", ["unit", "title", "body", "topics"]),
    ("admin", "/admin/units", ["code", "name", "parent_code"]),
    ("admin", "/admin/users", ["username", "full_name", "password", "email", "unit", "role"]),
    ("admin", "/admin/users/author/roles", ["unit", "role", "revoke"]),
    ("admin", "/admin/units/SYT-HN/spokesperson", ["username"]),
    ("leader", "/units/SYT-HN/rules", ["code", "label", "keywords", "topics", "source"]),
    ("leader", "/units/SYT-HN/rules/deaths/toggle", ["active"]),
    ("auditor", "/disclosures", ["text", "seen_where", "seen_at"]),
    ("auditor", "/disclosures/{case}", ["outcome", "finding", "violators"]),
    ("spokesperson", "/notifications/settings", ["language", *(f"mode-{kind}" for kind in Kind.ALL)]),
    ("spokesperson", "/notifications/read", []),
]

#: Each statement's state and version beside its last content or decision entry's (none: NULL).
_LAST_WORD = sa.text("""
SELECT s.id, s.state, s.current_version, e.to_state, e.version
FROM statements AS s
LEFT JOIN ledger_entries AS e ON e.id = (
    SELECT l.id FROM ledger_entries AS l
    WHERE l.statement_id = s.id AND l.kind IN ('content', 'decision')
    ORDER BY l.id DESC LIMIT 1
)
""")


@pytest.mark.parametrize(("who", "path", "fields"), FORMS, ids=[f"{who} {path}" for who, path, _ in FORMS])
def test_forms_refuse_bad_input_in_the_users_language(app, session, statement_in, who, path, fields):
    draft, in_review = statement_in("draft"), statement_in("in_review")
    case = _open_case(app) if "{case}" in path else None
    target = path.format(draft=draft.id, in_review=in_review.id, case=case)
    client = login(app.test_client(), who) if who else app.test_client()
    token = csrf(client.get("/inbox" if who else "/login"))

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(form=form_for(fields))
    def check(form):
        r = client.post(target, data=form | {"csrf_token": token})
        body = r.get_data(as_text=True)
        assert r.status_code < 500, (form, body)
        assert stays_on_the_site(r), (form, r.headers["Location"])
        if r.status_code >= 400:
            assert r.mimetype == "text/html" and '<html lang="vi">' in body, (form, r.status_code, body[:500])
        adrift = [row for row in session.execute(_LAST_WORD) if row[1:3] != row[3:5]]
        assert not adrift, (form, adrift)

    check()


def stays_on_the_site(r) -> bool:
    """Say whether a response sends the browser nowhere, or to a path on this site."""
    location = r.headers.get("Location")
    return location is None or (location.startswith("/") and not location.startswith(("//", "/\\")))


def _open_case(app) -> int:
    auditor = login(app.test_client(), "auditor")
    r = auditor.post(
        "/disclosures",
        data={
            "text": "Toàn tỉnh đã tiêm 28.450 liều vắc xin sởi, đạt 96,2% kế hoạch.",
            "seen_where": "Facebook",
            "seen_at": dt.datetime.now(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M"),
            "csrf_token": csrf(auditor.get("/disclosures")),
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])


#: (who signs in, the page, the query parameters it reads). `{draft}` is made per test.
PAGES = [
    (None, "/login", ["next"]),
    (None, "/lang/vi", ["next"]),
    (None, "/press", ["q", "page", "unit", "kind"]),
    (None, "/press/feed.atom", ["q", "page", "unit"]),
    ("author", "/inbox", ["page"]),
    ("author", "/statements", ["state", "unit", "kind", "urgency", "sensitive", "q", "page"]),
    ("author", "/statements/{draft}/compare", ["a", "b"]),
    ("author", "/statements/{draft}/export", ["format"]),
    ("auditor", "/audit/ledger", ["statement", "actor", "action", "since", "until", "page"]),
    ("auditor", "/audit/export.csv", ["statement", "actor", "action", "since", "until"]),
    ("auditor", "/disclosures", ["page"]),
    ("auditor", "/violations", ["page"]),
    ("spokesperson", "/notifications", ["page"]),
]
QUERY_VALUE = PLAUSIBLE | TEXT | st.integers(min_value=-(2**70), max_value=2**70).map(str)


@pytest.mark.parametrize(("who", "path", "params"), PAGES, ids=[f"{who} {path}" for who, path, _ in PAGES])
def test_pages_take_any_query_string(app, statement_in, who, path, params):
    target = path.format(draft=statement_in("draft").id)
    client = login(app.test_client(), who) if who else app.test_client()

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(query=st.dictionaries(st.sampled_from(params), QUERY_VALUE | st.lists(QUERY_VALUE, max_size=3)))
    def check(query):
        r = client.get(target, query_string=query)
        assert r.status_code < 500, (query, r.get_data())
        assert stays_on_the_site(r), (query, r.headers["Location"])
        if r.status_code >= 400:
            body = r.get_data(as_text=True)
            assert r.mimetype == "text/html" and '<html lang="vi">' in body, (query, r.status_code, body[:500])

    check()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_nul_in_a_form_is_refused_whole_in_the_users_language(app, session, lang):
    client = login(app.test_client(), "author", lang)
    count = sa.select(sa.func.count()).select_from(sa.table("statements"))
    before = session.scalar(count)
    form = {"unit": "SYT-HN", "title": "Thông cáo\x00", "body": "Toàn tỉnh đã tiêm 28.450 liều vắc xin sởi."}
    token = csrf(client.get("/statements/new"))
    r = client.post("/statements/new", data=form | {"kind": "regular", "urgency": "normal", "csrf_token": token})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and f'<html lang="{lang}">' in page
    assert ("ký tự NUL vô hình" if lang == "vi" else "invisible NUL character") in page
    assert session.scalar(count) == before
    api = app.test_client().post("/api/v1/tokens", data={"username": "author", "password": "\x00"})
    assert api.status_code == 400 and api.is_json and "NUL" in api.json["message"]


def test_a_disclosure_seen_before_the_calendar_began_is_refused_on_the_form(app):
    auditor = login(app.test_client(), "auditor")
    form = {"text": "Toàn tỉnh đã tiêm 28.450 liều vắc xin sởi.", "seen_where": "Zalo", "seen_at": "0001-01-01T00:00"}
    r = auditor.post("/disclosures", data=form | {"csrf_token": csrf(auditor.get("/disclosures"))})
    assert r.status_code == 422 and "Hãy nhập ngày và giờ phát hiện." in r.get_data(as_text=True)


def test_a_body_past_the_limit_is_refused_before_it_is_read(app, api):
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1
    r = api("author").post("/api/v1/statements", data=b"{" + b" " * too_big, content_type="application/json")
    assert r.status_code == 413 and r.json["code"] == 413 and r.json["message"]
    client = login(app.test_client(), "author")
    r = client.post("/statements/new", data={"title": "x" * too_big, "csrf_token": csrf(client.get("/statements/new"))})
    assert r.status_code == 413 and '<html lang="vi">' in r.get_data(as_text=True)
    assert "Quá lớn" in r.get_data(as_text=True)


def test_the_longest_statement_fits_under_the_limit_in_either_form(app, api, session):
    # Every character of the body takes three bytes in UTF-8: nine in a form, six as an escaped JSON string.
    body = "Bệnh viện ghi nhận ca mắc sởi. " + "ệ" * (MAX_BODY - 31)
    fields = {"unit": "SYT-HN", "title": "Thông cáo dài nhất", "body": body, "kind": "regular", "urgency": "normal"}
    r = api("author").post(
        "/api/v1/statements", data=json.dumps(fields, ensure_ascii=True), content_type="application/json"
    )
    assert r.status_code == 201, r.get_data(as_text=True)[:300]
    assert r.json["body"] == body
    client = login(app.test_client(), "author")
    r = client.post("/statements/new", data=fields | {"csrf_token": csrf(client.get("/statements/new"))})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]


@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_a_chunked_body_is_refused_past_the_limit_not_cut_short(app, api, extra):
    # Sent chunked, with no Content-Length, as a streaming client may; gunicorn marks such input terminated.
    limit = app.config["MAX_CONTENT_LENGTH"]
    head, tail = b'{"username": "author", "password": "', b'"}'
    body = head + b"x" * (limit + extra - len(head) - len(tail)) + tail
    r = api(None).post(
        "/api/v1/tokens",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert r.status_code == (413 if extra > 0 else 422), r.get_data(as_text=True)[:300]
