"""The lifecycle as one `transitions` Machine, built once at import and shared by every request.

The table below is the single source of truth: the Machine is built from it, the guards in it
decide both `allowed_actions` and the transitions themselves, and the docs diagram comes from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from transitions import Machine, MachineError
from transitions.core import EventData

from workflow import effects
from workflow.actor import Actor
from workflow.effects import Effect
from workflow.errors import Conflict, Refusal
from workflow.guards import (
    Decidable,
    awaits_emergency_review,
    decider_for_state,
    figures_analysed,
    has_identifying_details,
    is_author,
    is_competent_leader,
    is_scheduled,
    is_sensitive,
    is_spokesperson_or_leader,
    is_unit_drafter,
    is_unit_spokesperson,
    is_urgent,
    not_a_writer,
    not_scheduled,
    not_sensitive,
    not_the_escalator,
    not_the_escalators_own_clearance,
    not_who_cleared,
    not_who_lifted_a_rule,
    not_who_released,
    not_who_signed_off,
    privacy_basis_recorded,
    require_comment,
)
from workflow.states import State

Guard = Callable[[Decidable, Actor], None]


@dataclass(frozen=True)
class Action:
    """One trigger: where it may start, where it leads, who may fire it, whether it needs a reason."""

    name: str
    sources: tuple[State, ...]
    dest: State | None  # None: stays put (an internal transition)
    guards: tuple[Guard, ...]
    comment_required: bool
    #: The role recorded on the ledger when the actor holds several.
    role: Callable[[Decidable, Actor], str]
    #: What the action means, for auditors' exports.
    meaning: str
    #: What it records on the statement beyond its new state, and the data of its ledger entry.
    effect: Effect = effects.nothing
    #: Whether the step starts afresh (its due time by the unit's policy) though the state stays.
    new_step: bool = False


def _spokesperson(statement: Decidable, actor: Actor) -> str:
    return "spokesperson" if actor.has_role("spokesperson", statement.unit_id) else "acting_spokesperson"


def _drafter(statement: Decidable, actor: Actor) -> str:
    return "drafter"


def _leader(statement: Decidable, actor: Actor) -> str:
    return "leader"


def _author(statement: Decidable, actor: Actor) -> str:
    return "drafter" if actor.has_role("drafter", statement.unit_id) else "author"


def _decider(statement: Decidable, actor: Actor) -> str:
    return "leader" if statement.state == State.ESCALATED else _spokesperson(statement, actor)


def _spokesperson_or_leader(statement: Decidable, actor: Actor) -> str:
    return _spokesperson(statement, actor) if actor.speaks_for(statement.unit_id) else "leader"


S = State
#: Who reviews an emergency release: whoever speaks for the unit or leads it, but never its releaser.
_EMERGENCY_REVIEWERS: tuple[Guard, ...] = (is_spokesperson_or_leader, awaits_emergency_review, not_who_released)
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "submit",
            (S.DRAFT, S.CHANGES_REQUESTED),
            S.IN_REVIEW,
            (is_unit_drafter, figures_analysed),
            False,
            _drafter,
            "Drafter submitted the statement for the spokesperson's review",
        ),
        Action(
            "approve",
            (S.IN_REVIEW,),
            S.APPROVED,
            (is_unit_spokesperson, not_a_writer, not_sensitive, not_who_cleared, not_who_lifted_a_rule),
            False,
            _spokesperson,
            "Spokesperson approved the version for release",
            effect=effects.approve("approve"),
        ),
        Action(
            "escalate",
            (S.IN_REVIEW,),
            S.ESCALATED,
            (is_unit_spokesperson,),
            True,
            _spokesperson,
            "Spokesperson escalated the statement to the competent authority (marked sensitive)",
            effect=effects.escalate,
        ),
        Action(
            "sign_off",
            (S.ESCALATED,),
            S.APPROVED,
            (is_competent_leader, not_a_writer, not_the_escalator),
            False,
            _leader,
            "Competent authority (leader) signed off the version for release",
            effect=effects.approve("sign_off"),
        ),
        Action(
            "request_changes",
            (S.IN_REVIEW, S.ESCALATED),
            S.CHANGES_REQUESTED,
            (decider_for_state, not_a_writer),
            True,
            _decider,
            "Reviewer returned the statement to the drafters for changes",
        ),
        Action(
            "reject",
            (S.IN_REVIEW, S.ESCALATED),
            S.REJECTED,
            (decider_for_state, not_a_writer),
            True,
            _decider,
            "Reviewer rejected the statement; it will not be released",
        ),
        Action(
            "release",
            (S.APPROVED,),
            S.RELEASED,
            (is_unit_spokesperson, not_who_signed_off, privacy_basis_recorded),
            False,
            _spokesperson,
            "Spokesperson released the approved version to the press",
            effect=effects.release,
        ),
        Action(
            "schedule_release",
            (S.APPROVED,),
            None,
            (is_unit_spokesperson, not_who_signed_off, privacy_basis_recorded),
            False,
            _spokesperson,
            "Spokesperson scheduled the release of the approved version for data.release_at (embargo until then)",
            effect=effects.schedule_release,
        ),
        Action(
            "cancel_schedule",
            (S.APPROVED,),
            None,
            (is_spokesperson_or_leader, is_scheduled),
            True,
            _spokesperson_or_leader,
            "A scheduled release was cancelled; the statement waits for its release again",
            effect=effects.cancel_schedule,
            new_step=True,
        ),
        Action(
            "emergency_release",
            (S.APPROVED,),
            S.RELEASED,
            (is_competent_leader, is_urgent, not_scheduled, not_who_signed_off, privacy_basis_recorded),
            True,
            _leader,
            "Leader released urgent approved content in an emergency, no spokesperson acting in time; another"
            " person must review it by data.review_due_at",
            effect=effects.emergency_release,
        ),
        Action(
            "emergency_agree",
            (S.RELEASED, S.RETRACTED),
            None,
            _EMERGENCY_REVIEWERS,
            False,
            _spokesperson_or_leader,
            "Another person reviewed the emergency release and agrees with it",
            effect=effects.review_emergency("agrees"),
        ),
        Action(
            "emergency_finding",
            (S.RELEASED, S.RETRACTED),
            None,
            _EMERGENCY_REVIEWERS,
            True,
            _spokesperson_or_leader,
            "Another person reviewed the emergency release and recorded a finding (the comment)",
            effect=effects.review_emergency("finding"),
        ),
        Action(
            "reopen",
            (S.APPROVED,),
            S.DRAFT,
            (is_spokesperson_or_leader,),
            True,
            _spokesperson_or_leader,
            "Approval voided; the statement went back to draft",
            effect=effects.reopen,
        ),
        Action(
            "withdraw",
            (S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED),
            S.WITHDRAWN,
            (is_author,),
            False,
            _author,
            "Author withdrew the statement",
        ),
        Action(
            "retract",
            (S.RELEASED,),
            S.RETRACTED,
            (is_spokesperson_or_leader,),
            True,
            _spokesperson_or_leader,
            "Released statement retracted (thu hồi)",
            effect=effects.retract,
        ),
        Action(
            "clear_sensitivity",
            (S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.ESCALATED),
            None,
            (is_competent_leader, not_a_writer, is_sensitive, not_the_escalators_own_clearance),
            True,
            _leader,
            "Leader cleared the sensitivity of this exact content, with a reason",
            effect=effects.clear_sensitivity,
        ),
        *(
            Action(
                f"record_{basis}",
                (S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.ESCALATED, S.APPROVED),
                None,
                (is_competent_leader, not_a_writer, has_identifying_details),
                True,
                _leader,
                meaning,
                effect=effects.privacy_basis(basis),
            )
            for basis, meaning in (
                (
                    "consent",
                    "Leader recorded the consent of the people this exact content identifies (the comment: whose,"
                    " given how), so it may be released",
                ),
                (
                    "legal_duty",
                    "Leader recorded the legal duty to publish the identifying details of this exact content (the"
                    " comment: which law), so it may be released",
                ),
            )
        ),
    )
}


#: What `transitions` calls before a transition: it goes ahead when this returns True.
Condition = Callable[[EventData], bool | None]


def _condition(guard: Guard) -> Condition:
    def condition(event: EventData) -> bool:
        # transitions types the model as object; it hands back the statement `fire` was given.
        guard(cast("Decidable", event.model), event.kwargs["actor"])
        return True

    condition.__name__ = guard.__name__
    return condition


def _comment_condition(event: EventData) -> bool:
    require_comment(event.kwargs.get("comment"))
    return True


def _build() -> Machine:
    machine = Machine(
        model=None,
        states=[s.value for s in State],
        initial=State.DRAFT.value,
        auto_transitions=False,
        send_event=True,
        model_attribute="state",
        ignore_invalid_triggers=False,
    )
    for action in ACTIONS.values():
        conditions: list[str | Condition] = [_condition(g) for g in action.guards]
        if action.comment_required:
            conditions.append(_comment_condition)
        machine.add_transition(
            action.name,
            [s.value for s in action.sources],
            action.dest.value if action.dest else None,
            conditions=conditions,
        )
    return machine


MACHINE = _build()


def fire(statement: Decidable, action: str, actor: Actor, comment: str | None = None) -> None:
    """Fire an action on the shared machine: 409 when the state does not allow it, guards' refusal otherwise."""
    event = MACHINE.events.get(action)
    if event is None:
        raise KeyError(action)
    try:
        done = event.trigger(statement, actor=actor, comment=comment)
    except MachineError as err:
        raise Conflict("state", f"A statement in state '{statement.state}' does not allow '{action}'.") from err
    if not done:  # conditions raise rather than return False; be loud if that ever changes
        raise Conflict("state", f"'{action}' could not be applied.")


def may(statement: Decidable, action: str, actor: Actor) -> bool:
    """Say whether the actor may fire this action now (a comment aside)."""
    spec = ACTIONS[action]
    return statement.state in spec.sources and _guards_pass(spec, statement, actor)


def _guards_pass(spec: Action, statement: Decidable, actor: Actor) -> bool:
    try:
        for guard in spec.guards:
            guard(statement, actor)
    except Refusal:
        return False
    return True


#: The actions each state allows, in table order: a list of 100 statements asks each of them only these.
_FROM_STATE: dict[str, tuple[Action, ...]] = {
    state.value: tuple(a for a in ACTIONS.values() if state in a.sources) for state in State
}


def allowed_actions(statement: Decidable, actor: Actor | None) -> list[str]:
    """List what the actor may do to the statement now, in table order."""
    if actor is None:
        return []
    return [spec.name for spec in _FROM_STATE.get(statement.state, ()) if _guards_pass(spec, statement, actor)]


def mermaid() -> str:
    """Return the lifecycle as a Mermaid state diagram for the docs and the API."""
    lines = ["stateDiagram-v2", "    [*] --> draft"]
    for action in ACTIONS.values():
        for source in action.sources:
            dest = (action.dest or source).value
            lines.append(f"    {source.value} --> {dest}: {action.name}")
    for state in (S.REJECTED, S.WITHDRAWN, S.RETRACTED):
        lines.append(f"    {state.value} --> [*]")
    return "\n".join(lines)
