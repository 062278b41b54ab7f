"""Turn models into the JSON the API, the press room and the exports share."""

from __future__ import annotations

import difflib
import re

from statements.lifecycle.figures import check_dict as figures_check
from statements.lifecycle.snapshots import AnyStatement, AnyVersion
from workflow import figures, privacy, redaction
from workflow.actor import Actor
from workflow.db import isoformat
from workflow.deadlines import is_overdue
from workflow.guards import identifies_people
from workflow.ledger import LedgerEntry
from workflow.machine import allowed_actions


def statement_dict(statement: AnyStatement, actor: Actor | None) -> dict:
    """Return a statement at its current version, with what the actor may do now."""
    current = statement.current
    return {
        "id": statement.id,
        "unit": statement.unit.code,
        "unit_name": statement.unit.name,
        "state": statement.state,
        "version": statement.current_version,
        "title": current.title,
        "body": current.body,
        "kind": current.kind,
        "urgency": current.urgency,
        "topics": current.topics,
        "sensitive": statement.sensitive,
        "sensitivity_reasons": statement.sensitivity_reasons,
        "sensitivity_cleared": {
            "by": statement.sensitivity_cleared_by_name,
            "reason": statement.sensitivity_cleared_reason,
            "at": isoformat(statement.sensitivity_cleared_at),
            "content_hash": statement.sensitivity_cleared_hash,
        }
        if statement.sensitivity_cleared_hash
        else None,
        "privacy": privacy_dict(statement),
        "figures": current.figures,
        "figures_check": figures_check(statement),
        "author": statement.author_name,
        "content_hash": current.content_hash,
        "allowed_actions": allowed_actions(statement, actor),
        "created_at": isoformat(statement.created_at),
        "updated_at": isoformat(statement.updated_at),
        "corrects": statement.corrects_id,
        "due_at": isoformat(statement.due_at),
        "overdue": is_overdue(statement),
        "escalated_by": statement.escalated_by_name,
        "approved": {
            "version": statement.approved_version,
            "content_hash": statement.approved_hash,
            "by": statement.approved_by_name,
            "at": isoformat(statement.approved_at),
            "via": statement.approved_via,
        }
        if statement.approved_hash
        else None,
        "released": {
            "version": statement.released_version,
            "content_hash": statement.released_hash,
            "by": statement.released_by_name,
            "at": isoformat(statement.released_at),
            "channels": statement.channels,
        }
        if statement.released_at
        else None,
        "emergency": {
            "released_by": statement.released_by_name,
            "review_due_at": isoformat(statement.emergency_review_due_at),
            "reviewed_by": statement.emergency_reviewed_by_name,
            "reviewed_at": isoformat(statement.emergency_reviewed_at),
            "outcome": statement.emergency_review_outcome,
            "note": statement.emergency_review_note,
        }
        if statement.released_via == "emergency"
        else None,
        "scheduled_release": {
            "at": isoformat(statement.release_at),
            "channels": statement.release_channels or [],
            "by": statement.release_scheduled_by_name,
        }
        if statement.release_at
        else None,
        "retracted": {
            "by": statement.retracted_by_name,
            "at": isoformat(statement.retracted_at),
            "reason": statement.retraction_reason,
        }
        if statement.retracted_at
        else None,
    }


def version_dict(version: AnyVersion) -> dict:
    """Return one version."""
    return {
        "statement": version.statement_id,
        "number": version.number,
        "title": version.title,
        "body": version.body,
        "kind": version.kind,
        "urgency": version.urgency,
        "topics": version.topics,
        "sensitive": version.sensitive_flag,
        "figures": version.figures,
        "content_hash": version.content_hash,
        "author": version.author_name,
        "created_at": isoformat(version.created_at),
    }


def public_dict(statement: AnyStatement) -> dict:
    """Return a released (or retracted) statement as the public sees it: the released version only."""
    version = next(v for v in statement.versions if v.number == statement.released_version)
    return {
        "id": statement.id,
        "unit": statement.unit.code,
        "unit_name": statement.unit.name,
        "kind": version.kind,
        "title": version.title,
        "body": version.body,
        "topics": version.topics,
        "figures": version.figures,
        "released_at": isoformat(statement.released_at),
        "channels": statement.channels,
        "content_hash": statement.released_hash,
        "version": version.number,
        "corrects": statement.corrects_id,
        "retracted": statement.retracted_at is not None,
        "retraction": {"reason": statement.retraction_reason, "at": isoformat(statement.retracted_at)}
        if statement.retracted_at
        else None,
    }


def entry_dict(entry: LedgerEntry) -> dict:
    """Return a ledger entry with the contract's field names."""
    return {
        "seq": entry.seq,
        "at": isoformat(entry.at),
        "kind": entry.kind,
        "action": entry.action,
        "statement": entry.statement_id,
        "version": entry.version,
        "content_hash": entry.content_hash,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "actor": entry.actor,
        "role": entry.role,
        "unit": entry.unit,
        "comment": entry.comment,
        "data": entry.data or {},
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


_WORDS = re.compile(r"\s+|[^\s]+")


def word_diff(a: str, b: str) -> list[dict]:
    """Return word-level operations turning a into b (whitespace kept, so the text reassembles)."""
    left, right = _WORDS.findall(a), _WORDS.findall(b)
    ops = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, left, right, autojunk=False).get_opcodes():
        ops.append({"op": tag, "from": "".join(left[i1:i2]), "to": "".join(right[j1:j2])})
    return ops


def diff_dict(a: AnyVersion, b: AnyVersion) -> dict:
    """Return the difference between two versions, word by word and as a unified diff."""
    changed = [
        name
        for name in ("title", "body", "kind", "urgency", "topics", "sensitive_flag")
        if getattr(a, name) != getattr(b, name)
    ]
    unified = "".join(
        difflib.unified_diff(
            (a.title + "\n\n" + a.body).splitlines(keepends=True),
            (b.title + "\n\n" + b.body).splitlines(keepends=True),
            fromfile=f"v{a.number}",
            tofile=f"v{b.number}",
        )
    )
    return {
        "statement": a.statement_id,
        "source": a.number,
        "target": b.number,
        "changed": bool(changed),
        "fields_changed": [n.removesuffix("_flag") for n in changed],
        "title": word_diff(a.title, b.title),
        "body": word_diff(a.body, b.body),
        "unified": unified,
    }


def privacy_dict(statement: AnyStatement) -> dict:
    """Return whether the current content identifies people and the legal basis recorded for it, if any."""
    identifying = identifies_people(statement)
    basis = statement.privacy_basis_hash == statement.current.content_hash
    return {
        "identifies_people": identifying,
        "release_blocked": identifying and not basis,
        "basis": {
            "basis": statement.privacy_basis,
            "by": statement.privacy_basis_by_name,
            "reason": statement.privacy_basis_reason,
            "at": isoformat(statement.privacy_basis_at),
            "content_hash": statement.privacy_basis_hash,
        }
        if statement.privacy_basis_hash
        else None,
    }


def privacy_findings(statement: AnyStatement) -> dict:
    """Return where the current content identifies people, and the customary redaction of it."""
    current = statement.current
    # The figures' own words are released with the text: found there too, by place among them.
    shown = figures.own_words(current.figures)
    found = [
        {"kind": f.kind, "text": f.text, "part": part, "start": f.start, "end": f.end}
        for part, text in (("title", current.title), ("body", current.body), ("figures", shown))
        for f in privacy.find(text)
    ]
    return {
        "privacy": privacy_dict(statement),
        "findings": found,
        "redacted": {"title": redaction.redact(current.title), "body": redaction.redact(current.body)},
    }
