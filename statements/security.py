"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)
_NAMES = frozenset(name.lower() for name, _ in HEADERS)


def _headers(response: Response) -> Response:
    # A view may set one of them itself (it wins); one pass over the headers instead of one per name.
    present = {name.lower() for name, _ in response.headers} & _NAMES
    response.headers.extend([(name, value) for name, value in HEADERS if name.lower() not in present])
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response."""
    app.after_request(_headers)
