"""What an action records on the statement beyond its new state, and what its ledger entry says of it.

Each action's row in `machine.ACTIONS` names its effect, so adding an action is one edit there. An
effect runs after the guards let the action through, in the deciding transaction: it writes the
statement's decision columns and returns the data its ledger entry carries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from workflow import figures
from workflow.actor import Actor
from workflow.db import isoformat
from workflow.errors import Conflict, Invalid
from workflow.guards import Decidable
from workflow.sensitivity import match_rules
from workflow.states import Channel

#: The labels of the two reasons a statement is sensitive without a rule (stored with it, in the
#: unit's language: they are part of the record, like a rule's own label).
DRAFTER_FLAG = "Người soạn thảo đánh dấu nhạy cảm"
ESCALATED = "Người phát ngôn đã xin ý kiến cấp có thẩm quyền"


class Assessed(Decidable, Protocol):
    """A statement whose sensitivity is worked out (its reasons are the guards' too)."""


class Recorded(Assessed, Protocol):
    """What the effects write of a statement (beside what the guards read)."""

    current_version: int
    escalated_at: dt.datetime | None
    sensitivity_cleared_at: dt.datetime | None
    sensitivity_cleared_reason: str | None
    approved_version: int | None
    approved_hash: str | None
    approved_at: dt.datetime | None
    released_version: int | None
    released_hash: str | None
    released_by_id: int | None
    released_at: dt.datetime | None
    channels: list[str]
    release_at: dt.datetime | None
    release_channels: list[str] | None
    release_scheduled_by_id: int | None
    release_scheduled_hash: str | None
    due_at: dt.datetime | None
    next_check_at: dt.datetime | None
    released_via: str | None
    emergency_review_due_at: dt.datetime | None
    emergency_reviewed_by_id: int | None
    emergency_reviewed_at: dt.datetime | None
    emergency_review_outcome: str | None
    emergency_review_note: str | None
    retracted_by_id: int | None
    retracted_at: dt.datetime | None
    retraction_reason: str | None
    privacy_basis: str | None
    privacy_basis_by_id: int | None
    privacy_basis_reason: str | None
    privacy_basis_at: dt.datetime | None

    @property
    def versions(self) -> Iterable[Any]: ...

    @property
    def rules(self) -> Iterable[Any]: ...


#: An action's effect: (statement, actor, reason, channels, now, the time it names) -> the ledger entry's data.
Effect = Callable[[Recorded, Actor, str | None, list[str] | None, dt.datetime, dt.datetime | None], dict[str, Any]]


def refresh_sensitivity(statement: Assessed, rules: Iterable[Any]) -> None:
    """Recompute `sensitive` and its reasons from the drafter's flag, escalation and the unit's rules."""
    current = statement.current
    reasons: list[dict[str, Any]] = []
    if current.sensitive_flag:
        reasons.append({"source": "drafter", "label": DRAFTER_FLAG})
    if statement.escalated_by_id is not None:
        reasons.append({"source": "escalation", "label": ESCALATED})
    # The figures' own words (analysis, subject, sources) are released with the body: the rules read them too.
    body = f"{current.body}\n{figures.own_words(current.figures)}"
    reasons.extend(m.as_reason() for m in match_rules(rules, current.title, body, current.topics))
    cleared = statement.sensitivity_cleared_hash == current.content_hash
    statement.sensitivity_reasons = reasons
    statement.sensitive = bool(reasons) and not cleared


def nothing(
    statement: Recorded,
    actor: Actor,
    comment: str | None,
    channels: list[str] | None,
    now: dt.datetime,
    when: dt.datetime | None,
) -> dict[str, Any]:
    """Record nothing beyond the new state."""
    return {}


def approve(via: str) -> Effect:
    """Return the effect of an approval given `via` the spokesperson's approve or a leader's sign-off."""

    def approved(
        statement: Recorded,
        actor: Actor,
        comment: str | None,
        channels: list[str] | None,
        now: dt.datetime,
        when: dt.datetime | None,
    ) -> dict[str, Any]:
        current = statement.current
        statement.approved_version = current.number
        statement.approved_hash = current.content_hash
        statement.approved_by_id = actor.user_id
        statement.approved_at = now
        statement.approved_via = via
        return {"approved_hash": current.content_hash}

    approved.__name__ = f"approve_via_{via}"
    return approved


def escalate(
    statement: Recorded,
    actor: Actor,
    comment: str | None,
    channels: list[str] | None,
    now: dt.datetime,
    when: dt.datetime | None,
) -> dict[str, Any]:
    """Mark the statement escalated: sensitive from now on, whatever the rules say."""
    statement.escalated_by_id, statement.escalated_at = actor.user_id, now
    refresh_sensitivity(statement, statement.rules)
    return {"sensitive": True}


def _checked_channels(channels: list[str] | None) -> list[str]:
    channels = [] if channels is None else channels
    allowed = set(Channel.__members__.values())
    if not isinstance(channels, list) or not all(isinstance(c, str) and c in allowed for c in channels):
        raise Invalid(
            "channels",
            f"Channels must be a list of: {', '.join(Channel)}.",
            errors={"channels": [f"Choose from: {', '.join(Channel)}."]},
        )
    return list(dict.fromkeys(channels))


def _approved_version(statement: Recorded) -> Any:
    """Return the approved version, refusing when the stored content no longer hashes as it was approved."""
    version = next(v for v in statement.versions if v.number == statement.approved_version)
    if version.recompute_hash() != statement.approved_hash or statement.current_version != statement.approved_version:
        raise Conflict("approved_content_changed", "The content differs from what was approved; it cannot be released.")
    return version


def unschedule(statement: Recorded) -> str | None:
    """Drop the statement's scheduled release, if any; return when it was to be (ISO), for the entry."""
    was = isoformat(statement.release_at)
    statement.release_at = statement.release_channels = None
    statement.release_scheduled_by_id = statement.release_scheduled_hash = None
    return was


def release(
    statement: Recorded,
    actor: Actor,
    comment: str | None,
    channels: list[str] | None,
    now: dt.datetime,
    when: dt.datetime | None,
) -> dict[str, Any]:
    """Release exactly the approved content, on the channels named."""
    channels = _checked_channels(channels)
    # Release only what was approved, as it was approved: the stored content must still hash the same.
    version = _approved_version(statement)
    unschedule(statement)  # released by hand before its time: the schedule is spent
    statement.released_version = version.number
    statement.released_hash = statement.approved_hash
    statement.released_by_id = actor.user_id
    statement.released_at = now
    statement.channels = channels
    statement.released_via = "release"
    return {"channels": statement.channels, "released_hash": statement.released_hash}


#: How long another person has to review an emergency release.
EMERGENCY_REVIEW = dt.timedelta(hours=24)


def emergency_release(
    statement: Recorded,
    actor: Actor,
    comment: str | None,
    channels: list[str] | None,
    now: dt.datetime,
    when: dt.datetime | None,
) -> dict[str, Any]:
    """Release the approved content as a leader, no spokesperson acting in time; another person must review it."""
    data = release(statement, actor, comment, channels, now, when)
    statement.released_via = "emergency"
    statement.emergency_review_due_at = now + EMERGENCY_REVIEW
    # The deadline sweep looks again when the review is due (statements.lifecycle.timeliness).
    statement.next_check_at = statement.emergency_review_due_at
    return data | {"emergency": True, "review_due_at": isoformat(statement.emergency_review_due_at)}


def review_emergency(outcome: str) -> Effect:
    """Return the effect of reviewing an emergency release: it `agrees`, or records a `finding`."""

    def reviewed(
        statement: Recorded,
        actor: Actor,
        comment: str | None,
        channels: list[str] | None,
        now: dt.datetime,
        when: dt.datetime | None,
    ) -> dict[str, Any]:
        statement.emergency_review_due_at = statement.next_check_at = None
        statement.emergency_reviewed_by_id, statement.emergency_reviewed_at = actor.user_id, now
        statement.emergency_review_outcome, statement.emergency_review_note = outcome, comment
        return {"outcome": outcome}

    reviewed.__name__ = f"review_emergency_{outcome}"
    return reviewed


#: How far ahead a release may be scheduled.
MAX_SCHEDULE = dt.timedelta(days=30)


def schedule_release(
    statement: Recorded,
    actor: Actor,
    comment: str | None,
    channels: list[str] | None,
    now: dt.datetime,
    when: dt.datetime | None,
) -> dict[str, Any]:
    """Set (or move) the time the worker releases exactly the approved content, on the channels named."""
    if when is None:
        raise Invalid(
            "release_at", "Give the time of the release.", errors={"release_at": ["Missing data for required field."]}
        )
    if when <= now or when > now + MAX_SCHEDULE:
        raise Invalid(
            "release_at",
            "A release is scheduled for a time to come, at most 30 days ahead.",
            errors={"release_at": ["A time to come, at most 30 days ahead."]},
        )
    channels = _checked_channels(channels)
    _approved_version(statement)
    previous = unschedule(statement)
    statement.release_at, statement.release_channels = when, channels
    statement.release_scheduled_by_id, statement.release_scheduled_hash = actor.user_id, statement.approved_hash
    # Nothing waits on anyone until then: the worker releases it, or someone cancels it.
    statement.due_at = statement.next_check_at = None
    return {"release_at": isoformat(when), "channels": channels, "moved_from": previous}


def cancel_schedule(
    statement: Recorded,
    actor: Actor,
    comment: str | None,
    channels: list[str] | None,
    now: dt.datetime,
    when: dt.datetime | None,
) -> dict[str, Any]:
    """Cancel the scheduled release: the statement waits for its release again."""
    return {"cancelled_release_at": unschedule(statement)}


def reopen(
    statement: Recorded,
    actor: Actor,
    comment: str | None,
    channels: list[str] | None,
    now: dt.datetime,
    when: dt.datetime | None,
) -> dict[str, Any]:
    """Void the approval (and any scheduled release of it): the statement goes back to draft, to start afresh."""
    voided = statement.approved_hash
    statement.approved_version = statement.approved_hash = statement.approved_by_id = None
    statement.approved_at = statement.approved_via = None
    cancelled = unschedule(statement)
    return {"voided_approval_hash": voided} | ({"cancelled_release_at": cancelled} if cancelled else {})


def retract(
    statement: Recorded,
    actor: Actor,
    comment: str | None,
    channels: list[str] | None,
    now: dt.datetime,
    when: dt.datetime | None,
) -> dict[str, Any]:
    """Record who retracted the released statement, when and why."""
    statement.retracted_by_id, statement.retracted_at, statement.retraction_reason = actor.user_id, now, comment
    return {}


def clear_sensitivity(
    statement: Recorded,
    actor: Actor,
    comment: str | None,
    channels: list[str] | None,
    now: dt.datetime,
    when: dt.datetime | None,
) -> dict[str, Any]:
    """Clear the sensitivity of exactly this content, with the leader's reason."""
    statement.sensitivity_cleared_hash = statement.current.content_hash
    statement.sensitivity_cleared_by_id, statement.sensitivity_cleared_at = actor.user_id, now
    statement.sensitivity_cleared_reason = comment
    refresh_sensitivity(statement, statement.rules)
    return {"cleared_hash": statement.sensitivity_cleared_hash}


def privacy_basis(basis: str) -> Effect:
    """Return the effect of a leader recording `basis` for publishing this exact content's identifying details."""

    def recorded(
        statement: Recorded,
        actor: Actor,
        comment: str | None,
        channels: list[str] | None,
        now: dt.datetime,
        when: dt.datetime | None,
    ) -> dict[str, Any]:
        statement.privacy_basis, statement.privacy_basis_hash = basis, statement.current.content_hash
        statement.privacy_basis_by_id, statement.privacy_basis_at = actor.user_id, now
        statement.privacy_basis_reason = comment
        return {"basis": basis, "basis_hash": statement.privacy_basis_hash}

    recorded.__name__ = f"privacy_basis_{basis}"
    return recorded
