"""Access logging: every read of unreleased content is a ledger entry in the same chain as decisions."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from statements.snapshots import AnyStatement, AnyVersion
from workflow import ledger
from workflow.actor import Actor


def is_released(statement: AnyStatement, number: int) -> bool:
    """Say whether this version is the one the statement released (public since, even if retracted later)."""
    # A release the ledger does not record is no release: its reads are logged, its copies fingerprinted.
    return statement.released_at is not None and statement.released_version == number and statement.release_recorded


def log_reads(
    session: Session, actor: Actor | None, statement: AnyStatement, versions: Iterable[AnyVersion], how: str
) -> int:
    """Append one `access` entry per unreleased version shown to the actor; return how many."""
    return log_many_reads(session, actor, [(statement, versions)], how)


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
            "version": version.number,
            "content_hash": version.content_hash,
            "actor_id": actor.user_id,
            "actor": actor.username,
            "unit": statement.unit.code,
            "data": {"how": how, "via": actor.via},
        }
        for statement, versions in shown
        for version in {v.number: v for v in versions}.values()
        if not is_released(statement, version.number)
    ]
    ledger.append_many(session, entries)
    return len(entries)
