"""The OpenAPI document's links: each names a real operation and real fields, and following them works."""

from __future__ import annotations

import re

import pytest

from statements.openapi_links import LINKS

EXPRESSION = re.compile(r"^\$(response\.body#(?P<pointer>(/[^/]+)*)|request\.path\.(?P<path>\w+))$")


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json


def _resolve(document: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _schema(document: dict, node: dict) -> dict:
    while "$ref" in node:
        node = _resolve(document, node["$ref"])
    return node


def _field(document: dict, schema: dict, pointer: str) -> dict:
    """Follow a JSON pointer through a schema's properties and array items."""
    for part in [p for p in pointer.split("/") if p]:
        schema = _schema(document, schema)
        schema = schema["items"] if part.isdigit() else schema["properties"][part]
    return _schema(document, schema)


def _links(document: dict):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own parameters, not an operation
                continue
            for status, response in operation.get("responses", {}).items():
                for name, link in response.get("links", {}).items():
                    yield path, method, status, response, name, link


def test_every_link_table_entry_reaches_the_document(document):
    found = {(path.removeprefix("/api/v1"), method, status) for path, method, status, *_ in _links(document)}
    assert found == set(LINKS)


def test_links_name_real_operations_parameters_and_fields(document):
    checked = 0
    for path, method, _status, response, name, link in _links(document):
        target = _resolve(document, link["operationRef"])
        source_schema = _schema(document, response["content"]["application/json"]["schema"])
        source_params = {p["name"] for p in document["paths"][path][method].get("parameters", [])}
        source_params |= {p["name"] for p in document["paths"][path].get("parameters", [])}
        target_path = link["operationRef"].split("/")[2].replace("~1", "/").replace("~0", "~")
        target_params = {p["name"] for p in target.get("parameters", [])}
        target_params |= {p["name"] for p in document["paths"][target_path].get("parameters", [])}
        values = dict(link.get("parameters", {}))
        if "requestBody" in link:
            body = _schema(document, target["requestBody"]["content"]["application/json"]["schema"])
            for field in link["requestBody"]:
                assert field in body["properties"], (path, name, field)
            values |= {f"body:{k}": v for k, v in link["requestBody"].items()}
        for key, expression in values.items():
            if not key.startswith("body:"):
                assert key in target_params, (path, name, key)
            found = EXPRESSION.match(expression)
            assert found, (path, name, expression)
            if found["pointer"] is not None:
                assert _field(document, source_schema, found["pointer"]).get("type"), (path, name, expression)
            else:
                assert found["path"] in source_params, (path, name, expression)
            checked += 1
    assert checked >= 15


def _follow(answer: dict, link: dict, request_path: dict | None = None) -> tuple[dict, dict]:
    """Evaluate a link's expressions against an answer: (path parameters, body fields)."""

    def value(expression: str):
        found = EXPRESSION.match(expression)
        if found["path"] is not None:
            return request_path[found["path"]]
        node = answer
        for part in [p for p in found["pointer"].split("/") if p]:
            node = node[int(part)] if part.isdigit() else node[part]
        return node

    parameters = {k: value(v) for k, v in link.get("parameters", {}).items()}
    return parameters, {k: value(v) for k, v in link.get("requestBody", {}).items()}


def test_following_the_links_walks_a_statement_to_release(api):
    me = api("author").get("/api/v1/me").json
    _, body = _follow(me, LINKS[("/me", "get", "200")]["write_statement"])
    fields = {"title": "Bản tin tuần 47", "body": "Ghi nhận 1.102 ca cúm mùa, giảm 11%.", "kind": "regular"}
    r = api("author").post("/api/v1/statements", json=fields | body)
    assert r.status_code == 201, r.json
    answer, source = r.json, ("/statements", "post", "201")
    for who, action in (("author", "submit"), ("spokesperson", "approve"), ("spokesperson", "release")):
        params, body = _follow(answer, LINKS[source]["decide"])
        extra = {"channels": ["website"]} if action == "release" else {}
        path = f"/api/v1/statements/{params['statement_id']}/actions"
        r = api(who).post(path, json={"action": action} | body | extra)
        assert r.status_code == 200, r.json
        answer, source = r.json, ("/statements/{statement_id}/actions", "post", "200")
    assert answer["state"] == "released"
    params, _ = _follow(answer, LINKS[source]["history"])
    history = api("auditor").get(f"/api/v1/statements/{params['statement_id']}/history").json
    assert [e["action"] for e in history["items"] if e["kind"] == "decision"] == ["submit", "approve", "release"]
