"""The JSON API's shell, v1 (flask-smorest): each feature has its resources in its own `api.py`."""

from __future__ import annotations

from flask import Response, current_app


def as_documented(data: dict, status: int = 200) -> Response:
    """Answer with JSON already in the shape its response schema documents, without dumping it again."""
    # flask-smorest returns a Response as is. A statement's answer (alone, in a page, after a decision)
    # is built field by field to its schema; a second pass through marshmallow cost a sixth of a 100-row page.
    # tests/test_api_statements.py holds each such answer equal to what its schema dumps of it.
    response = current_app.json.response(data)
    response.status_code = status  # flask-smorest leaves a returned Response's status as it is
    return response
