"""Every other permission: a `require_<verb>` that raises its refusal, and a `can_<verb>` twin answering yes or no.

Reading internals, rules, deadlines and the ledger; managing the organisation; editing rules and
deadlines; appointing acting spokespersons; investigating; revising. Menus, buttons and forms receive
the `can_` answers and never re-derive them.
"""

from __future__ import annotations

from collections.abc import Callable

from workflow.actor import Actor
from workflow.errors import Conflict, Forbidden, Refusal
from workflow.guards.lifecycle import Decidable, is_unit_drafter
from workflow.states import EDITABLE_STATES, PUBLIC_STATES, Role


def can_read(statement: Decidable, actor: Actor | None) -> bool:
    """Say whether the actor may read the statement: public once released, else its unit's people."""
    if statement.state in PUBLIC_STATES and statement.release_recorded:
        return True
    return actor is not None and actor.can_read_unit(statement.unit_id)


def require_read_internals(statement: Decidable, actor: Actor | None) -> None:
    """Earlier versions, diffs and the decision history are the unit's, even once the statement is released."""
    if actor is None or not actor.can_read_unit(statement.unit_id):
        raise Forbidden(
            "unit_internal",
            "Earlier versions and the decision history are internal to the unit; only the released text is public.",
        )


def _reads_unit_policy(actor: Actor | None, unit_id: int) -> bool:
    """Say whether the actor may read a unit's own policies: its people, the leaders above, auditors, admins."""
    return actor is not None and (actor.can_read_unit(unit_id) or actor.is_admin)


def require_read_rules(actor: Actor | None, unit_id: int) -> None:
    """Refuse anyone but the unit's people, the leaders above it, auditors and admins: a unit's rules are its own."""
    if not _reads_unit_policy(actor, unit_id):
        raise Forbidden(
            "rules_reader",
            "A unit's sensitivity rules are internal to it: only its own people, the leaders above it,"
            " auditors and administrators may read them.",
        )


def require_read_deadlines(actor: Actor | None, unit_id: int) -> None:
    """Refuse anyone but the unit's people, the leaders above it, auditors and admins: its policy is internal."""
    if not _reads_unit_policy(actor, unit_id):
        raise Forbidden(
            "deadlines_reader",
            "A unit's deadlines are internal to it: only its own people, the leaders above it, auditors and"
            " administrators may read them.",
        )


def require_read_letterhead(actor: Actor | None, unit_id: int) -> None:
    """Refuse anyone but the unit's people, the leaders above it, auditors and admins: its letterhead and numbers."""
    if not _reads_unit_policy(actor, unit_id):
        raise Forbidden(
            "letterhead_reader",
            "Only the unit's own people, the leaders above it, auditors and administrators read its letterhead.",
        )


def require_edit_deadlines(actor: Actor | None, unit_id: int) -> None:
    """Only a competent leader of the unit (or above it) or an admin sets its deadlines."""
    if actor is None or not (actor.is_competent_leader(unit_id) or actor.is_admin):
        raise Forbidden("deadlines_editor", "Only a leader of the unit (or above) or an admin may set its deadlines.")


def require_read_press(actor: Actor | None, unit_id: int) -> None:
    """Refuse anyone but the unit's people, the leaders above it and auditors: its press questions are its own."""
    if actor is None or not actor.can_read_unit(unit_id):
        raise Forbidden("press_internal", "A unit's questions from the press are internal to the unit.")


#: The roles of a unit's press desk: they register the press's questions and keep the watch.
DESK_ROLES = (Role.DRAFTER, Role.SPOKESPERSON, Role.LEADER)


def require_handle_press(actor: Actor | None, unit_id: int) -> None:
    """Refuse anyone but the unit's drafters, spokesperson and leaders: they register and answer press questions."""
    if actor is None or not (
        actor.has_role(Role.DRAFTER, unit_id) or actor.speaks_for(unit_id) or actor.is_competent_leader(unit_id)
    ):
        raise Forbidden("press_desk", "Only the unit's drafters, spokesperson and leaders handle its press questions.")


def require_draft_in(actor: Actor | None, unit_id: int) -> None:
    """Refuse anyone but a drafter of the unit: only they write its statements (an answer to the press too)."""
    if actor is None or not actor.has_role(Role.DRAFTER, unit_id):
        raise Forbidden("drafter_of_unit", "Only a drafter of the unit may write its statements.")


def require_refuse_press(actor: Actor | None, unit_id: int) -> None:
    """Only the unit's spokesperson or a leader refuses the press (Decree 09/2017: they speak for the unit)."""
    if actor is None or not (actor.speaks_for(unit_id) or actor.is_competent_leader(unit_id)):
        raise Forbidden("press_refusal", "Only the unit's spokesperson or a leader may refuse a question.")


def require_commend(actor: Actor | None, unit_id: int) -> None:
    """Only a competent leader of the unit (or above it) records a commendation of its people (letter 6006)."""
    if actor is None or not actor.is_competent_leader(unit_id):
        raise Forbidden("commender", "Only a leader of the unit (or above) records commendations of its people.")


def require_issue_letter(actor: Actor | None, unit_id: int) -> None:
    """Only the unit's own spokesperson or leaders issue or cancel its letters: its head signs (ND 30 Art. 13)."""
    if actor is None or not (actor.speaks_for(unit_id) or actor.has_role(Role.LEADER, unit_id)):
        raise Forbidden("letter_issuer", "Only the unit's spokesperson or a leader may issue its official letters.")


def require_keep_watch(actor: Actor | None, unit_id: int) -> None:
    """Refuse anyone but the unit's drafters, spokesperson and leaders: they record what is said outside about it."""
    if actor is None or not (
        actor.has_role(Role.DRAFTER, unit_id) or actor.speaks_for(unit_id) or actor.is_competent_leader(unit_id)
    ):
        raise Forbidden("watch_keeper", "Only the unit's drafters, spokesperson and leaders record what is seen.")


def require_judge_watch(actor: Actor | None, unit_id: int, focal_id: int | None = None) -> None:
    """Refuse all but the unit's spokesperson, a leader or its focal officer: they judge what is seen, report it up.

    `focal_id` is the unit's focal officer for the watch, if it named one (statements.rumours).
    """
    if actor is None or not (
        actor.speaks_for(unit_id) or actor.is_competent_leader(unit_id) or actor.user_id == focal_id
    ):
        raise Forbidden(
            "watch_judge",
            "Only the unit's spokesperson, a leader or its focal officer for the watch judges an item or reports"
            " it up.",
        )


def require_name_focal(actor: Actor | None, unit_id: int) -> None:
    """Refuse anyone but a competent leader of the unit or an admin: they name its focal officer for the watch."""
    if actor is None or not (actor.is_competent_leader(unit_id) or actor.is_admin):
        raise Forbidden("focal_appointer", "Only a leader of the unit (or above) or an admin names its focal officer.")


def require_read_acting(actor: Actor | None, unit_id: int) -> None:
    """Refuse anyone but the unit's people, the leaders above it, auditors and admins: who stands in is internal."""
    if not _reads_unit_policy(actor, unit_id):
        raise Forbidden(
            "acting_reader",
            "A unit's acting spokespersons are internal to it: only its own people, the leaders above it,"
            " auditors and administrators may read them.",
        )


def require_appoint_acting(actor: Actor | None, unit_id: int) -> None:
    """Only a competent leader of the unit (or above it) or an admin appoints, or ends, its acting spokesperson."""
    if actor is None or not (actor.is_competent_leader(unit_id) or actor.is_admin):
        raise Forbidden(
            "acting_appointer",
            "Only a leader of the unit (or above) or an admin may appoint its acting spokesperson.",
        )


def require_read_ledger(actor: Actor | None) -> None:
    """Auditors read the ledger; admins read it too; nobody changes it."""
    if actor is None or not (actor.is_auditor or actor.is_admin):
        raise Forbidden("auditor_only", "Only auditors and administrators may read the ledger.")


def require_view_dashboard(actor: Actor | None) -> None:
    """Leaders see their units' dashboard, auditors everyone's: who waits, who is late, how fast work goes out."""
    if actor is None or not (actor.leader_scope or actor.is_auditor):
        raise Forbidden("dashboard_viewer", "Only leaders (for the units they lead) and auditors see the dashboard.")


def require_manage_org(actor: Actor | None) -> None:
    """Only admins change units, users, roles and designations."""
    if actor is None or not actor.is_admin:
        raise Forbidden("admin_only", "Only an administrator may change the organisation.")


def require_edit_rules(actor: Actor | None, unit_id: int) -> None:
    """Only a competent leader of the unit or an admin edits its rules, and never who reviews its statements."""
    if actor is None or not (actor.is_competent_leader(unit_id) or actor.is_admin):
        raise Forbidden("rules_editor", "Only a leader of the unit (or above) or an admin may edit its rules.")
    if actor.speaks_for(unit_id):
        # Switching off the rule that holds a statement, then approving it, would be four-eyes with one pair.
        raise Forbidden(
            "four_eyes_rules",
            "Four-eyes rule: you review this unit's statements as its spokesperson, so you may not change the"
            " rules that decide which of them need a leader's sign-off.",
        )


def require_investigate(actor: Actor | None) -> Actor:
    """Investigating disclosures is for auditors (everywhere) and leaders (in their units); return the actor."""
    if actor is None or not (actor.is_auditor or actor.leader_scope):
        raise Forbidden("investigators_only", "Only auditors and leaders investigate disclosures.")
    return actor


def require_see_variants(statement: Decidable, actor: Actor | None) -> Actor:
    """Where each copy may write its text differently is shown to the unit's drafters and to auditors.

    Knowing the places a copy differs helps whoever means to scrub a copy before leaking it, so it is
    shown to those who write the text and vet that no choice changes what it says, not to every reader.
    """
    if actor is None or not (actor.is_auditor or actor.has_role(Role.DRAFTER, statement.unit_id)):
        raise Forbidden("drafter_of_unit", "Only a drafter of the statement's unit or an auditor may see this.")
    return actor


def require_revise(statement: Decidable, actor: Actor) -> None:
    """Only a drafter of the unit writes a new version, and only while the statement is open to changes."""
    is_unit_drafter(statement, actor)
    if statement.state not in EDITABLE_STATES:
        raise Conflict("state", f"A statement in state '{statement.state}' cannot get a new version.")


def require_read_report(actor: Actor | None, unit_id: int) -> None:
    """Only the unit's leaders (and those above it), its spokesperson and auditors read its periodic report."""
    if actor is None or not (actor.is_auditor or actor.is_competent_leader(unit_id) or actor.speaks_for(unit_id)):
        raise Forbidden("report_reader", "Only the unit's leaders, its spokesperson and auditors read its reports.")


# --- the same answers as yes or no, for buttons, menus and forms --------------------------------


def _allowed(require: Callable[..., object], *args: object) -> bool:
    try:
        require(*args)
    except Refusal:
        return False
    return True


def units_allowed(require: Callable[[Actor | None, int], None], actor: Actor) -> list[int]:
    """Return the units, of all the actor has a part in, where the guard lets them through (for lists and inboxes)."""
    candidates = {u for u, _role in actor.memberships} | actor.acting_for | actor.leader_scope
    return sorted(u for u in candidates if _allowed(require, actor, u))


def can_read_internals(statement: Decidable, actor: Actor | None) -> bool:
    """Say whether `require_read_internals` lets the actor through."""
    return _allowed(require_read_internals, statement, actor)


def can_read_rules(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_read_rules` lets the actor through."""
    return _allowed(require_read_rules, actor, unit_id)


def can_read_ledger(actor: Actor | None) -> bool:
    """Say whether `require_read_ledger` lets the actor through."""
    return _allowed(require_read_ledger, actor)


def can_view_dashboard(actor: Actor | None) -> bool:
    """Say whether `require_view_dashboard` lets the actor through."""
    return _allowed(require_view_dashboard, actor)


def can_manage_org(actor: Actor | None) -> bool:
    """Say whether `require_manage_org` lets the actor through."""
    return _allowed(require_manage_org, actor)


def can_edit_rules(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_edit_rules` lets the actor through."""
    return _allowed(require_edit_rules, actor, unit_id)


def can_edit_deadlines(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_edit_deadlines` lets the actor through."""
    return _allowed(require_edit_deadlines, actor, unit_id)


def can_handle_press(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_handle_press` lets the actor through."""
    return _allowed(require_handle_press, actor, unit_id)


def can_draft_in(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_draft_in` lets the actor through."""
    return _allowed(require_draft_in, actor, unit_id)


def can_commend(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_commend` lets the actor through."""
    return _allowed(require_commend, actor, unit_id)


def can_read_report(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_read_report` lets the actor through."""
    return _allowed(require_read_report, actor, unit_id)


def can_issue_letter(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_issue_letter` lets the actor through."""
    return _allowed(require_issue_letter, actor, unit_id)


def can_refuse_press(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_refuse_press` lets the actor through."""
    return _allowed(require_refuse_press, actor, unit_id)


def can_keep_watch(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_keep_watch` lets the actor through."""
    return _allowed(require_keep_watch, actor, unit_id)


def can_judge_watch(actor: Actor | None, unit_id: int, focal_id: int | None = None) -> bool:
    """Say whether `require_judge_watch` lets the actor through."""
    return _allowed(require_judge_watch, actor, unit_id, focal_id)


def can_name_focal(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_name_focal` lets the actor through."""
    return _allowed(require_name_focal, actor, unit_id)


def can_appoint_acting(actor: Actor | None, unit_id: int) -> bool:
    """Say whether `require_appoint_acting` lets the actor through."""
    return _allowed(require_appoint_acting, actor, unit_id)


def can_investigate(actor: Actor | None) -> bool:
    """Say whether `require_investigate` lets the actor through."""
    return _allowed(require_investigate, actor)


def can_see_variants(statement: Decidable, actor: Actor | None) -> bool:
    """Say whether `require_see_variants` lets the actor through."""
    return _allowed(require_see_variants, statement, actor)


def can_revise(statement: Decidable, actor: Actor) -> bool:
    """Say whether `require_revise` lets the actor through."""
    return _allowed(require_revise, statement, actor)
