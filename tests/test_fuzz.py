"""Bad input of any shape gets a 4xx with a JSON message, never a 500 and never a half-done change."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(["\x00", "tử vong\x00", ""])


def body_for(fields: list[str]):
    """Objects that mostly have the right field names with values of any shape, or anything at all."""
    return st.one_of(JSON, st.fixed_dictionaries({}, optional={f: JSON | TEXT for f in fields}))


ENDPOINTS = [
    ("post", "/api/v1/statements", ["unit", "title", "body", "kind", "urgency", "sensitive", "topics", "corrects"]),
    ("post", "/api/v1/statements/{sid}/actions", ["action", "version", "comment", "channels"]),
    ("post", "/api/v1/statements/{sid}/versions", ["title", "body", "kind", "topics", "sensitive", "version"]),
    ("post", "/api/v1/units", ["code", "name", "parent_code"]),
    ("post", "/api/v1/users", ["username", "full_name", "password", "email", "roles"]),
    ("put", "/api/v1/units/SYT-HN/spokesperson", ["username"]),
    ("post", "/api/v1/units/SYT-HN/rules", ["code", "label", "keywords", "topics", "detectors", "active"]),
    ("post", "/api/v1/tokens", ["username", "password"]),
    ("patch", "/api/v1/notifications/settings", ["language", "modes"]),
    ("post", "/api/v1/notifications/read", ["id"]),
]


@pytest.mark.parametrize(("method", "path", "fields"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_json_bodies(api, make_statement, session, method, path, fields):
    statement = make_statement()
    caller = api("admin" if "units" in path or "users" in path else "author")

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=body_for(fields))
    def check(body):
        r = getattr(caller, method)(path.format(sid=statement.id), json=body)
        assert r.status_code < 500, (body, r.get_data(as_text=True))
        if r.status_code >= 400:
            assert r.is_json and r.json["code"] == r.status_code and r.json["message"]
        session.rollback()

    check()


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "state",
                "unit",
                "awaiting_me",
                "q",
                "page",
                "per_page",
                "kind",
                "urgency",
                "sensitive",
                "statement",
                "actor",
                "since",
                "until",
            ]
        ),
        TEXT | st.integers(min_value=-(2**70), max_value=2**70).map(str),
        max_size=5,
    ),
    path=st.sampled_from(
        ["/api/v1/statements", "/api/v1/ledger", "/api/v1/public/statements", "/api/v1/units", "/api/v1/users"]
    ),
)
def test_query_strings(api, params, path):
    r = api("auditor").get(path, query_string=params)
    assert r.status_code < 500, (params, r.get_data(as_text=True))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/statements/99999999999999999999",
        "/api/v1/statements/2147483648/history",
        "/api/v1/statements/1/versions/99999999999999999999",
        "/api/v1/units/%00",
        "/api/v1/users/a%00b",
        "/api/v1/public/statements/99999999999999999999",
        "/press/99999999999999999999",
        "/api/v1/statements/1/versions/1/diff/99999999999999999999",
    ],
)
def test_odd_paths(api, path):
    r = api("auditor").get(path)
    assert 400 <= r.status_code < 500, r.get_data(as_text=True)
