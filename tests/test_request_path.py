"""The request path's shortcuts answer exactly as the Flask, marshmallow and JSON code they stand in for."""

from __future__ import annotations

import json

from flask import Flask, Response, session
from hypothesis import given
from hypothesis import strategies as st

from statements import create_app
from workflow.ledger.canonical import json_text, json_value

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(value=_json)
def test_a_json_column_reads_back_what_was_stored(value):
    stored = json_text(value)
    assert json_value(stored) == value == json.loads(stored)
    assert json_value(stored.encode("utf-8")) == value  # psycopg hands over bytes


def test_an_empty_list_read_twice_is_two_lists():
    first, second = json_value(b"[]"), json_value("[]")
    first.append("Hà Nội")
    assert second == [] and json_value(b"[]") == []


def _app(tmp_path) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "SECRET_KEY": "a"})


def test_a_views_own_security_header_is_kept_and_the_others_added(tmp_path):
    app = _app(tmp_path)

    @app.get("/framed")
    def framed() -> Response:
        return Response("ok", headers={"x-frame-options": "SAMEORIGIN"})

    r = app.test_client().get("/framed")
    assert r.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors" in r.headers["Content-Security-Policy"]


def test_the_session_cookie_follows_the_secret_key_and_its_fallbacks(tmp_path):
    app = _app(tmp_path)

    @app.get("/remember")  # a GET: a POST outside the API would need the form's CSRF token
    def remember() -> str:
        session["unit"] = "SYT-AH"
        return "ok"

    @app.get("/recall")
    def recall() -> str:
        return session.get("unit", "-")

    client = app.test_client()
    client.get("/remember")
    assert client.get("/recall").text == "SYT-AH"
    app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = "b", ["a"]  # rotated: the old key still reads
    assert client.get("/recall").text == "SYT-AH"
    app.config["SECRET_KEY_FALLBACKS"] = []  # retired: cookies signed with it are not trusted
    assert client.get("/recall").text == "-"
