"""Refusals: why an actor may not do something, with the HTTP status the boundary answers."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A request refused by a named rule; nothing it tried to change is kept."""

    status = 400

    def __init__(self, rule: str, message: str, *, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.errors = errors

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON error body for this refusal."""
        body: dict[str, Any] = {"code": self.status, "message": self.message, "rule": self.rule}
        if self.errors:
            body["errors"] = self.errors
        return body


class BadRequest(Refusal):
    """The request names something that does not exist in the vocabulary (400), such as an unknown action."""

    status = 400


class Forbidden(Refusal):
    """The actor may not do this (403)."""

    status = 403


class NotFound(Refusal):
    """No such object, or the actor may not know it exists (404)."""

    status = 404


class Conflict(Refusal):
    """The object's state or version does not allow this now (409)."""

    status = 409


class Invalid(Refusal):
    """Well-formed but invalid input (422)."""

    status = 422
