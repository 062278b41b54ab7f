"""One database session per request; the boundary commits, teardown closes."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from sqlalchemy.orm import Session


def db() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["pressgate"]["sessionmaker"]()
    return g.db_session


def commit() -> None:
    """Commit this request's work (the decision and its ledger entry together)."""
    if "db_session" in g:
        g.db_session.commit()


def rollback_session() -> None:
    """Throw away this request's uncommitted work."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def init_app(app: Flask) -> None:
    """Close the session at the end of every request; what was not committed is rolled back."""

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def page_arg() -> int:
    """Return the `page` query argument of a page, from 1; anything unreadable is page 1."""
    try:
        return max(1, min(int(request.args.get("page", 1)), 10_000_000))
    except ValueError:
        return 1


def page_count(total: int, per_page: int) -> int:
    """Return how many pages `total` items fill, at least one (an empty list is one empty page)."""
    return max(1, -(-total // per_page))
