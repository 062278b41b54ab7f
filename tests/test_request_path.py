"""The request path's shortcuts answer exactly as the Flask, marshmallow and JSON code they stand in for."""

from __future__ import annotations

import json

import marshmallow as ma
from flask import Flask, Response, session
from hypothesis import given
from hypothesis import strategies as st

from statements import create_app
from statements.extensions import Api, Blueprint
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


def test_handlers_are_asked_once_and_methods_by_their_function(tmp_path, monkeypatch):
    app = _app(tmp_path)

    def plain() -> str:
        return "plain"

    class View:
        def get(self) -> str:
            return "method"

    before = len(app._plain)
    assert app.ensure_sync(plain) is plain and app.ensure_sync(plain) is plain
    methods = [View().get for _ in range(50)]  # a MethodView is bound to a new instance per request
    assert all(app.ensure_sync(m) is m for m in methods)
    assert len(app._plain) == before + 2

    async def coroutine() -> str:
        return "async"

    monkeypatch.setattr(app, "async_to_sync", lambda func: ("wrapped", func))
    assert app.ensure_sync(coroutine) == ("wrapped", coroutine)
    assert app.ensure_sync(coroutine) == ("wrapped", coroutine)  # remembered as not plain


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


class _Counted(ma.Schema):
    made = 0
    name = ma.fields.String(required=True)

    def __init__(self, *args, **kwargs) -> None:
        type(self).made += 1
        super().__init__(*args, **kwargs)


def test_an_argument_schema_is_built_once_and_still_validates():
    app = Flask("t")
    app.config.update(API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.0.3")
    api = Api(app)
    bp = Blueprint("t", __name__, url_prefix="/api/t")

    @bp.post("/echo")
    @bp.arguments(_Counted)
    def echo(data: dict) -> dict:
        return data

    api.register_blueprint(bp)
    client = app.test_client()
    answers = [client.post("/api/t/echo", json={"name": f"Sở Y tế {i}"}) for i in range(3)]
    assert [a.get_json() for a in answers] == [{"name": f"Sở Y tế {i}"} for i in range(3)]
    assert client.post("/api/t/echo", json={}).status_code == 422
    assert _Counted.made == 1
