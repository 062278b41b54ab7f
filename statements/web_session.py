"""One database session per request, and the one place a request's work is committed.

Views and service functions never commit. What a view returns is committed here, after it, as one
transaction: a decision and its ledger entry, a read and the record of it (a form given back with a
422 after the refused change was rolled back keeps the record of the text it showed). What a raised
refusal or error leaves behind, its error handler rolls back (errors.py, extensions.py), and a 5xx
answer never commits. Failing to commit is answered by the error handlers like any other database
error (503 while the database is away, 409 on a conflict).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from sqlalchemy.orm import Session


def db() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["pressgate"]["sessionmaker"]()
    return g.db_session


def rollback_session() -> None:
    """Throw away this request's uncommitted work."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def init_app(app: Flask) -> None:
    """Commit each successful request's work after its view; close the session at the end of every request."""

    @app.after_request
    def _commit(response: Response) -> Response:
        session = g.get("db_session")
        if session is None or response.status_code >= 500:
            return response  # teardown's close rolls back whatever a failed request wrote
        try:
            session.commit()
        except Exception as error:
            return current_app.make_response(current_app.handle_user_exception(error))
        return response

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


#: How far past a page a long list is counted: counting a whole table costs a scan of it (312 ms at p95 for
#: a search at 100,000 statements, measured on 2026-12-04), so past this a page says "more than". Counting
#: 1,000 ahead still cost a search of two short words 110 ms there; 200 ahead, 5 ms.
COUNT_AHEAD = 200


def count_limit(page: int, per_page: int) -> int:
    """Return how many items a long list counts up to, seen from this page: COUNT_AHEAD past its end."""
    return page * per_page + COUNT_AHEAD


def paged(total: int, page: int, per_page: int, limit: int) -> dict[str, int | bool]:
    """Return what a page's template shows of a total counted up to `limit`: total, more, page, pages."""
    more = total > limit
    shown = min(total, limit)
    return {"total": shown, "more": more, "page": page, "pages": page_count(shown, per_page)}


def page_count(total: int, per_page: int) -> int:
    """Return how many pages `total` items fill, at least one (an empty list is one empty page)."""
    return max(1, -(-total // per_page))
