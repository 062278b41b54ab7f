"""The lifecycle's guards: plain predicates over (statement, actor) that raise a named refusal.

The state machine (`workflow.machine`) runs them as an action's conditions, and `allowed_actions` runs
them to list the buttons and API actions a person has.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from workflow import figures
from workflow.actor import Actor
from workflow.errors import Conflict, Forbidden, Invalid
from workflow.sensitivity import match_rules
from workflow.states import Role, Urgency

MAX_COMMENT = 4000


class Decidable(Protocol):
    """What the guards read of a statement."""

    unit_id: int
    state: str
    sensitive: bool
    author_id: int
    escalated_by_id: int | None
    sensitivity_cleared_by_id: int | None
    sensitivity_cleared_hash: str | None
    sensitivity_reasons: list[dict[str, Any]]
    #: The content a leader recorded the legal basis for publishing its identifying details of.
    privacy_basis_hash: str | None
    approved_by_id: int | None
    approved_via: str | None
    #: Whether the ledger holds the release of the released content: only then is it public.
    release_recorded: bool
    #: When a scheduled release is due (None: none is scheduled).
    release_at: dt.datetime | None
    urgency: str
    released_by_id: int | None
    #: Until when an emergency release awaits its review (None: none awaited).
    emergency_review_due_at: dt.datetime | None
    #: The words the unit asks of a figures analysis (None: the default of workflow.figures).
    analysis_min_words: int | None

    @property
    def current(self) -> Any: ...

    @property
    def writer_ids(self) -> set[int]: ...


def is_unit_drafter(statement: Decidable, actor: Actor) -> None:
    """Only a drafter of the statement's unit."""
    if not actor.has_role(Role.DRAFTER, statement.unit_id):
        raise Forbidden("drafter_of_unit", "Only a drafter of the statement's unit may do this.")


def is_unit_spokesperson(statement: Decidable, actor: Actor) -> None:
    """Only the unit's spokesperson: the designated one, or with none its nearest leader (ND 09/2017 Art. 2)."""
    if not actor.speaks_for(statement.unit_id):
        raise Forbidden("spokesperson_of_unit", "Only the unit's designated spokesperson may do this.")


def is_competent_leader(statement: Decidable, actor: Actor) -> None:
    """Only a leader of the unit or of a unit above it."""
    if not actor.is_competent_leader(statement.unit_id):
        raise Forbidden("competent_leader", "Only a leader of the unit or of a parent unit may do this.")


def is_spokesperson_or_leader(statement: Decidable, actor: Actor) -> None:
    """Require the unit's spokesperson or a competent leader."""
    if not (actor.speaks_for(statement.unit_id) or actor.is_competent_leader(statement.unit_id)):
        raise Forbidden("spokesperson_or_leader", "Only the unit's spokesperson or a competent leader may do this.")


def is_author(statement: Decidable, actor: Actor) -> None:
    """Only the statement's author."""
    if statement.author_id != actor.user_id:
        raise Forbidden("author", "Only the statement's author may do this.")


def not_a_writer(statement: Decidable, actor: Actor) -> None:
    """Four-eyes: nobody decides on a statement they authored or wrote a version of."""
    if actor.user_id in statement.writer_ids:
        raise Forbidden(
            "four_eyes",
            "Four-eyes rule: you wrote this statement or one of its versions, so you may not decide on it"
            " (a spokesperson who wrote it may only escalate it).",
        )


def not_the_escalator(statement: Decidable, actor: Actor) -> None:
    """Four-eyes: the leader who signs off is not the spokesperson who escalated."""
    if statement.escalated_by_id == actor.user_id:
        raise Forbidden(
            "four_eyes_escalation", "Four-eyes rule: you escalated this statement, so you may not sign it off."
        )


# Four-eyes between people, not role names: one person may be a unit's leader and its spokesperson (the
# head of an agency is its spokesperson unless another is designated), so whoever vouches for sensitive
# content (clears it, escalates it, signs it off) is never the one who then approves or releases it alone.


def not_the_escalators_own_clearance(statement: Decidable, actor: Actor) -> None:
    """Four-eyes: who escalated a statement does not clear its sensitivity as a leader."""
    if statement.escalated_by_id == actor.user_id:
        raise Forbidden(
            "four_eyes_own_escalation",
            "Four-eyes rule: you escalated this statement, so another leader must decide on its sensitivity.",
        )


def not_who_cleared(statement: Decidable, actor: Actor) -> None:
    """Four-eyes: who cleared this content's sensitivity does not approve it too."""
    if (
        statement.sensitivity_cleared_by_id == actor.user_id
        and statement.sensitivity_cleared_hash == statement.current.content_hash
    ):
        raise Forbidden(
            "four_eyes_clearance",
            "Four-eyes rule: you cleared the sensitivity of this content, so you may not approve it as well;"
            " escalate it for another leader's sign-off.",
        )


def not_who_lifted_a_rule(statement: Decidable, actor: Actor) -> None:
    """Four-eyes: who changed a unit's rule so that it no longer holds this content does not approve it."""
    # Loaded for an approval only (statements.lifecycle.service): the rules as they stood before each change
    # this person made, which no later hand on the rules table can hide from the ledger.
    before = getattr(statement, "rules_before_actor", None)
    if not before:
        return
    current = statement.current
    body = f"{current.body}\n{figures.own_words(current.figures)}"
    held_now = {m.code for m in match_rules(getattr(statement, "rules", None) or (), current.title, body,
                                            current.topics)}  # fmt: skip
    lifted = [m for m in match_rules(before, current.title, body, current.topics) if m.code not in held_now]
    if lifted:
        raise Forbidden(
            "four_eyes_rule_change",
            f"Four-eyes rule: you changed this unit's rule '{lifted[0].label}' so that it no longer holds this"
            " statement for a leader; another reviewer must approve it, or escalate it.",
        )


def not_who_signed_off(statement: Decidable, actor: Actor) -> None:
    """Four-eyes: the leader who signed the approval off does not release it too."""
    if statement.approved_via == "sign_off" and statement.approved_by_id == actor.user_id:
        raise Forbidden(
            "four_eyes_release",
            "Four-eyes rule: you signed this statement off as a leader, so another person must release it.",
        )


def not_sensitive(statement: Decidable, actor: Actor) -> None:
    """Refuse approving a sensitive statement: it reaches `approved` only through sign-off."""
    if statement.sensitive:
        raise Conflict(
            "sensitive_requires_sign_off",
            "This statement is sensitive: escalate it to the competent authority (a leader) for sign-off"
            " instead of approving it.",
        )


def is_sensitive(statement: Decidable, actor: Actor) -> None:
    """Only a sensitive statement can have its sensitivity cleared."""
    if not statement.sensitive:
        raise Conflict("not_sensitive", "This statement is not sensitive; there is nothing to clear.")


#: The detector whose findings identify people (workflow.privacy), as a rule's reason names it.
IDENTIFYING = "patient_identity"


def identifies_people(statement: Decidable) -> bool:
    """Say whether the unit's rules found details that identify a person in the current content."""
    return any(reason.get("detector") == IDENTIFYING for reason in statement.sensitivity_reasons)


def has_identifying_details(statement: Decidable, actor: Actor) -> None:
    """Only content that identifies people needs a legal basis recorded for it."""
    if not identifies_people(statement):
        raise Conflict("no_identifying_details", "This statement identifies nobody; there is no basis to record.")


def privacy_basis_recorded(statement: Decidable, actor: Actor) -> None:
    """Refuse releasing content that identifies people until a leader records the legal basis for it."""
    if identifies_people(statement) and statement.privacy_basis_hash != statement.current.content_hash:
        raise Conflict(
            "privacy_basis_required",
            "This statement identifies people (a name with age or address, an ID, insurance or phone number, a"
            " home address or a hospital bed): a leader must record the legal basis (the person's consent or a"
            " legal duty) for this exact content, or the drafter must redact it (Luật Khám bệnh, chữa bệnh 2023"
            " Art. 10; Law 91/2025/QH15).",
        )


def figures_analysed(statement: Decidable, actor: Actor) -> None:
    """Refuse submitting figures without the analysis that says what they mean (letter 6006/BYT-TT-KT §2)."""
    block = statement.current.figures
    if not block:
        return
    needed = figures.words_needed(statement.analysis_min_words)
    if figures.analysis_words(block) < needed:
        raise Conflict(
            "analysis_required",
            f"This statement carries figures: it needs an analysis of at least {needed} words (what the figures"
            " mean and why they changed) before it is submitted; figures are never given raw (letter"
            " 6006/BYT-TT-KT §2).",
        )


def is_scheduled(statement: Decidable, actor: Actor) -> None:
    """Only a scheduled release can be cancelled."""
    if statement.release_at is None:
        raise Conflict("not_scheduled", "This statement has no scheduled release to cancel.")


def not_scheduled(statement: Decidable, actor: Actor) -> None:
    """Refuse an emergency release over the spokesperson's embargo: the schedule is cancelled first."""
    if statement.release_at is not None:
        raise Conflict(
            "release_scheduled",
            "This statement is scheduled for release; cancel the schedule first if it must go out now.",
        )


def is_urgent(statement: Decidable, actor: Actor) -> None:
    """Only an urgent statement may be released in an emergency."""
    if statement.urgency != Urgency.URGENT:
        raise Conflict(
            "not_urgent",
            "Only an urgent statement may be released in an emergency; this one waits for its spokesperson.",
        )


def awaits_emergency_review(statement: Decidable, actor: Actor) -> None:
    """Only an emergency release awaiting its review can be reviewed."""
    if statement.emergency_review_due_at is None:
        raise Conflict("no_emergency_review", "This statement has no emergency release awaiting review.")


def not_who_released(statement: Decidable, actor: Actor) -> None:
    """Four-eyes: whoever released in an emergency does not review that release."""
    if statement.released_by_id == actor.user_id:
        raise Forbidden(
            "four_eyes_emergency_review",
            "Four-eyes rule: you released this statement in an emergency, so another person must review it.",
        )


def decider_for_state(statement: Decidable, actor: Actor) -> None:
    """In review the spokesperson decides; once escalated, a competent leader."""
    if statement.state == "escalated":
        is_competent_leader(statement, actor)
    else:
        is_unit_spokesperson(statement, actor)


def require_comment(comment: str | None) -> str:
    """Return the stripped comment, or refuse (422) when it is missing."""
    text = (comment or "").strip()
    if not text:
        raise Invalid(
            "comment_required",
            "A comment giving the reason is required for this action.",
            errors={"comment": ["A reason is required for this action."]},
        )
    return text


def check_comment(comment: str | None) -> str | None:
    """Refuse a comment that is too long; return it stripped or None."""
    if comment is None:
        return None
    if not isinstance(comment, str):
        raise Invalid("comment_type", "The comment must be text.", errors={"comment": ["Not a valid string."]})
    if len(comment) > MAX_COMMENT:
        raise Invalid(
            "comment_too_long",
            f"The comment is longer than {MAX_COMMENT} characters.",
            errors={"comment": [f"Longer than maximum length {MAX_COMMENT}."]},
        )
    return comment.strip() or None
