"""OpenAPI links: which answer gives the values another operation needs.

The statement's id and the version a decision must name, the unit a new statement is written in, a new
rule's code. Clients and tools that follow links (schemathesis's stateful phase among them) can then
walk the lifecycle: read your roles, write a statement in one of your units, decide on the version you
read.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin

PREFIX = "/api/v1"


def _ref(path: str, method: str) -> str:
    # A JSON pointer into the document's paths (RFC 6901: "~" and "/" escaped).
    return "#/paths/" + (PREFIX + path).replace("~", "~0").replace("/", "~1") + "/" + method


def _link(path: str, method: str, description: str, parameters: dict, body: dict | None = None) -> dict:
    link = {"operationRef": _ref(path, method), "description": description, "parameters": parameters}
    if body is not None:
        link["requestBody"] = body
    return link


def _statement(where: str) -> dict:
    """Return the links from an answer holding a statement at the JSON pointer `where`."""
    statement_id = {"statement_id": f"$response.body#{where}/id"}
    version = {"version": f"$response.body#{where}/version"}
    return {
        "decide": _link(
            "/statements/{statement_id}/actions",
            "post",
            "Take an action on the version just read.",
            statement_id,
            version,
        ),
        "write_version": _link(
            "/statements/{statement_id}/versions", "post", "Write the next version of it.", statement_id, version
        ),
        "history": _link("/statements/{statement_id}/history", "get", "Its ledger entries.", statement_id),
    }


#: (path under /api/v1, method, status) -> the links of that answer.
LINKS: dict[tuple[str, str, str], dict] = {
    ("/me", "get", "200"): {
        "write_statement": _link(
            "/statements",
            "post",
            "Write a statement in the unit of one of your roles.",
            {},
            {"unit": "$response.body#/roles/0/unit"},
        ),
    },
    ("/statements", "post", "201"): _statement(""),
    ("/statements/{statement_id}", "get", "200"): _statement(""),
    ("/statements/{statement_id}/versions", "post", "201"): _statement(""),
    ("/statements/{statement_id}/actions", "post", "200"): _statement(""),
    ("/units/{code}/rules", "post", "201"): {
        "change_rule": _link(
            "/units/{code}/rules/{rule_code}",
            "patch",
            "Change the rule just written.",
            {"code": "$request.path.code", "rule_code": "$response.body#/code"},
        ),
    },
}


class Links(BasePlugin):
    """Add LINKS to the operations' answers (an apispec plugin)."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        """Add each answer's links, for the operations of `path`."""
        if not path or not path.startswith(PREFIX):
            return
        for method, operation in (operations or {}).items():
            for status, response in operation.get("responses", {}).items():
                links = LINKS.get((path[len(PREFIX) :], method, str(status)))
                if links:
                    response.setdefault("links", {}).update(links)
