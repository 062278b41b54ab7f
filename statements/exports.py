"""Copies of a statement: released copies as published, unreleased copies marked and logged."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate
from sqlalchemy.orm import Session

from statements.queries import get_statement
from workflow import ledger
from workflow.actor import Actor
from workflow.db import isoformat, utcnow
from workflow.states import PUBLIC_STATES

#: Formats this build writes; DOCX and PDF come with the disclosure-tracing work.
FORMATS = ("txt",)


class ExportArgs(ma.Schema):
    """Which format to export."""

    class Meta:
        unknown = ma.EXCLUDE

    format = fields.String(load_default="txt", validate=validate.OneOf(FORMATS))


def export_text(session: Session, statement_id: int, actor: Actor, fmt: str) -> tuple[str, str]:
    """Return a text copy and its file name; an unreleased copy is logged on the ledger (kind access)."""
    statement = get_statement(session, statement_id, actor)
    released = statement.state in PUBLIC_STATES
    version = next(
        v
        for v in statement.versions
        if v.number == (statement.released_version if released else statement.current_version)
    )
    lines = []
    if not released:
        lines += [
            f"BẢN CHƯA PHÁT HÀNH — KHÔNG CUNG CẤP CHO BÁO CHÍ. Người nhận: {actor.username}."
            f" Thời điểm: {isoformat(utcnow())}.",
            "",
        ]
    lines += [version.title, "", version.body, "", f"Mã băm nội dung (SHA-256): {version.content_hash}"]
    if not released:
        ledger.append(
            session,
            kind=ledger.EntryKind.ACCESS,
            action="export",
            statement_id=statement.id,
            version=version.number,
            content_hash=version.content_hash,
            actor_id=actor.user_id,
            actor=actor.username,
            unit=statement.unit.code,
            data={"format": fmt, "via": actor.via},
        )
    return "\n".join(lines) + "\n", f"pressgate-{statement.id}-v{version.number}.{fmt}"
