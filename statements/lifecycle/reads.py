"""Reading statements: each read loads, checks and records itself, for the API, the pages and the CLI alike.

Every read of unreleased content is a ledger entry in the same chain as decisions (an `access`
entry: who read which version, how). The functions here are the only way a view reaches a
statement's text, so no view can show it and forget the record; the URL-map test in
tests/test_access_log.py is the second net.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from statements.lifecycle import queries
from statements.lifecycle.snapshots import AnyStatement, AnyVersion, StatementView
from workflow import ledger
from workflow.actor import Actor


def is_released(statement: AnyStatement, number: int) -> bool:
    """Say whether this version is the one the statement released (public since, even if retracted later)."""
    # A release the ledger does not record is no release: its reads are logged, its copies fingerprinted.
    return statement.released_at is not None and statement.released_version == number and statement.release_recorded


def show(session: Session, statement_id: int, actor: Actor | None, how: str) -> StatementView:
    """Return the statement at its current version for the actor (404 if not visible), recording the read."""
    statement = queries.read_statement(session, statement_id, actor)
    log_reads(session, actor, statement, [statement.current], how)
    return statement


def versions(
    session: Session, statement_id: int, actor: Actor | None, how: str, *, page: int, per_page: int
) -> tuple[list[AnyVersion], int]:
    """Return a page of the versions the actor may read, oldest first, and how many there are; record the reads."""
    statement = queries.read_statement(session, statement_id, actor)
    readable = queries.readable_versions(statement, actor)
    shown = readable[(page - 1) * per_page : page * per_page]
    log_reads(session, actor, statement, shown, how)
    return shown, len(readable)


def version(session: Session, statement_id: int, number: int, actor: Actor | None, how: str) -> AnyVersion:
    """Return one version the actor may read (404 otherwise), recording the read."""
    statement = queries.read_statement(session, statement_id, actor)
    found = queries.get_version(session, statement, number, actor)
    log_reads(session, actor, statement, [found], how)
    return found


def diff(
    session: Session, statement_id: int, a: int, b: int, actor: Actor | None, how: str
) -> tuple[StatementView, AnyVersion, AnyVersion]:
    """Return the statement and the two versions to compare (404 unless the actor may read both); record the reads."""
    statement = queries.read_statement(session, statement_id, actor)
    old, new = queries.get_version(session, statement, a, actor), queries.get_version(session, statement, b, actor)
    log_reads(session, actor, statement, [old, new], how)
    return statement, old, new


def listing(
    session: Session,
    actor: Actor,
    filters: queries.Filters,
    *,
    page: int,
    per_page: int,
    how: str,
    count_up_to: int | None = None,
) -> tuple[list[StatementView], int]:
    """List statements as `queries.list_statements` does and record every unreleased text the list shows.

    One rule for the API and the pages: a list shows titles, and a search finds statements by their
    body, so what it returns of unreleased statements is read like the statement itself.
    """
    items, total = queries.list_statements(
        session, actor, filters, page=page, per_page=per_page, count_up_to=count_up_to
    )
    log_many_reads(session, actor, [(s, [s.current]) for s in items], how)
    return items, total


def log_reads(
    session: Session, actor: Actor | None, statement: AnyStatement, shown: Iterable[AnyVersion], how: str
) -> int:
    """Append one `access` entry per unreleased version shown to the actor; return how many."""
    return log_many_reads(session, actor, [(statement, shown)], how)


def log_many_reads(
    session: Session,
    actor: Actor | None,
    shown: Iterable[tuple[AnyStatement, Iterable[AnyVersion]]],
    how: str,
) -> int:
    """Log every unreleased version of several statements shown at once (one lock, one insert)."""
    if actor is None:
        return 0  # anonymous readers only ever get released content
    entries = [
        {
            "kind": ledger.EntryKind.ACCESS,
            "action": "read",
            "statement_id": statement.id,
            "version": v.number,
            "content_hash": v.content_hash,
            "actor_id": actor.user_id,
            "actor": actor.username,
            "unit": statement.unit.code,
            "data": {"how": how, "via": actor.via},
        }
        for statement, versions_shown in shown
        for v in {v.number: v for v in versions_shown}.values()
        if not is_released(statement, v.number)
    ]
    ledger.append_many(session, entries)
    return len(entries)
