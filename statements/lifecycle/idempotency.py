"""Create once: a request repeated with the same key (a retried API call, a form sent twice) makes nothing new.

The API takes the `Idempotency-Key` header (IETF draft-ietf-httpapi-idempotency-key-header); the
browser's new-statement form carries a one-time token of its own. A key belongs to the person who sent
it, for a day; the same key with the same request answers with what the first one created, with another
request it is refused (422), so a mistaken key never hides a different statement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from statements.lifecycle.models import RequestKey, Statement
from statements.lifecycle.queries import load
from statements.lifecycle.service import create_statement
from workflow.actor import Actor
from workflow.db import utcnow
from workflow.errors import Conflict, Invalid
from workflow.ledger.canonical import json_text

#: Printable ASCII without spaces, as the header's examples and UUIDs are; at most the column's length.
KEY_RE = re.compile(r"[!-~]{1,255}")
KEPT_FOR = dt.timedelta(days=1)
HEADER = "Idempotency-Key"


def _fingerprint(unit_code: str, fields: dict) -> str:
    return hashlib.sha256(json_text({"unit": unit_code, "fields": fields}).encode("utf-8")).hexdigest()


def _find(session: Session, actor: Actor, key: str) -> RequestKey | None:
    return session.scalar(sa.select(RequestKey).where(RequestKey.user_id == actor.user_id, RequestKey.key == key))


def _replayed(session: Session, record: RequestKey, fingerprint: str) -> Statement:
    if record.request_hash != fingerprint:
        raise Invalid(
            "idempotency_key_reused",
            "This idempotency key was already used for a different request; use a new key for a new statement.",
            errors={HEADER: ["Already used for a different request."]},
        )
    statement = load(session, record.statement_id) if record.statement_id else None
    if statement is None:  # the first request is still being written (its key is not committed with a statement)
        raise Conflict("idempotency_in_progress", "A request with this idempotency key is still being processed.")
    return statement


def create_once(
    session: Session, actor: Actor, unit_code: str, fields: dict, key: str | None
) -> tuple[Statement, bool]:
    """Create a statement, or return the one this person's earlier request with `key` created; say which."""
    if key is None:
        return create_statement(session, actor, unit_code, fields), False
    if not KEY_RE.fullmatch(key):
        raise Invalid(
            "idempotency_key",
            "An idempotency key is 1 to 255 printable ASCII characters without spaces.",
            errors={HEADER: ["1 to 255 printable ASCII characters without spaces."]},
        )
    fingerprint = _fingerprint(unit_code, fields)
    session.execute(sa.delete(RequestKey).where(RequestKey.created_at < utcnow() - KEPT_FOR))
    if (record := _find(session, actor, key)) is not None:
        return _replayed(session, record, fingerprint), True
    try:
        # The key first: a second request with it, at the same moment, waits on the unique index until
        # this one commits, then finds the statement it made instead of making another.
        with session.begin_nested():
            record = RequestKey(user_id=actor.user_id, key=key, request_hash=fingerprint)
            session.add(record)
    except IntegrityError:
        found = _find(session, actor, key)
        if found is None:
            raise
        return _replayed(session, found, fingerprint), True
    statement = create_statement(session, actor, unit_code, fields)
    record.statement_id = statement.id
    session.flush()
    return statement, False
