"""Service functions: one per action, each checking, changing and writing its ledger entry in the caller's transaction.

The caller (API, form or CLI) commits, so a decision and its entry land together or not at all.
Creating and revising go through the ORM; a decision, the hot path, reads a locked snapshot and
writes back only what it changed (`statements.lifecycle.snapshots`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import User
from auth.service import get_unit
from statements.lifecycle import snapshots
from statements.lifecycle.matching import index_version
from statements.lifecycle.models import PEOPLE, Statement, StatementVersion, content_hash
from statements.lifecycle.queries import get_statement, load, read_statement
from statements.lifecycle.schemas import ActionIn
from statements.lifecycle.snapshots import AnyStatement, StatementView
from statements.schemas import load_input
from workflow import effects, ledger
from workflow import figures as figures_block
from workflow.actor import Actor
from workflow.db import isoformat, utcnow
from workflow.deadlines import Policy
from workflow.errors import BadRequest, Conflict, Invalid
from workflow.guards import check_comment, require_draft_in, require_read_rules, require_revise
from workflow.machine import ACTIONS, fire
from workflow.sensitivity import SensitivityRule, match_rules, rules_before_changes_by
from workflow.states import OPEN_STATES, PUBLIC_STATES, Kind, Role, State, Urgency
from workflow.text import search_key

MAX_TITLE = 500
#: The actions that take channels.
RELEASING = ("release", "schedule_release", "emergency_release")
#: Who the ledger names for what the worker does by itself.
SYSTEM = "system"
MAX_BODY = 100_000
MAX_TOPICS = 20
MAX_TOPIC = 100


# --- content validation ----------------------------------------------------------------------


#: Checks that say a statement's kind is fixed by what it is linked to (an answer to a question from the press,
#: a correction of an item seen outside): each returns why, or None. The registers add theirs
#: (statements.pressdesk, statements.rumours): they know the links, the lifecycle does not.
KIND_HOLDERS: list[Callable[[Session, int], str | None]] = []


def holds_kind(check: Callable[[Session, int], str | None]) -> Callable[[Session, int], str | None]:
    """Register a check that says why a statement's kind is fixed (None: it is not)."""
    KIND_HOLDERS.append(check)
    return check


def _clean_content(fields: dict, previous: StatementVersion | None) -> dict:
    """Validate a version's fields, defaulting what is left out to the previous version's values."""
    errors: dict[str, list[str]] = {}
    figures: dict | None

    def pick(name: str, default: object) -> object:
        value = fields.get(name)
        return default if value is None else value

    title = pick("title", previous.title if previous else None)
    body = pick("body", previous.body if previous else None)
    kind = pick("kind", previous.kind if previous else Kind.REGULAR.value)
    urgency = pick("urgency", previous.urgency if previous else Urgency.NORMAL.value)
    topics = pick("topics", previous.topics if previous else [])
    sensitive = pick("sensitive", previous.sensitive_flag if previous else False)
    try:
        # None keeps the previous version's figures; an empty block ({}) leaves them out.
        figures = figures_block.clean(pick("figures", previous.figures if previous else None))
    except Invalid as invalid:
        figures, errors = None, dict(invalid.errors or {})

    if not isinstance(title, str) or not title.strip():
        errors["title"] = ["A title is required."]
    elif len(title) > MAX_TITLE:
        errors["title"] = [f"Longer than maximum length {MAX_TITLE}."]
    if not isinstance(body, str) or not body.strip():
        errors["body"] = ["The body may not be empty."]
    elif len(body) > MAX_BODY:
        errors["body"] = [f"Longer than maximum length {MAX_BODY}."]
    if kind not in Kind.__members__.values():
        errors["kind"] = [f"Must be one of: {', '.join(Kind)}."]
    if urgency not in Urgency.__members__.values():
        errors["urgency"] = [f"Must be one of: {', '.join(Urgency)}."]
    if not isinstance(topics, list) or not all(isinstance(t, str) and 0 < len(t.strip()) <= MAX_TOPIC for t in topics):
        errors["topics"] = [f"A list of non-empty texts of at most {MAX_TOPIC} characters."]
    elif len(topics) > MAX_TOPICS:
        errors["topics"] = [f"At most {MAX_TOPICS} topics."]
    if not isinstance(sensitive, bool):
        errors["sensitive"] = ["Not a valid boolean."]
    if errors:
        raise Invalid("content", "The statement's content is not valid.", errors=errors)
    topics = list(dict.fromkeys(t.strip() for t in topics))
    return {
        "title": title.strip(),
        "body": body,
        "kind": kind,
        "urgency": urgency,
        "topics": topics,
        "sensitive_flag": sensitive,
        "figures": figures,
    }


def _write_version(
    session: Session, statement: Statement, actor: Actor, number: int, content: dict
) -> StatementVersion:
    version = StatementVersion(
        statement_id=statement.id,
        number=number,
        author_id=actor.user_id,
        content_hash=content_hash(
            content["title"], content["body"], content["kind"], content["topics"], content["figures"]
        ),
        **content,
    )
    session.add(version)
    statement.current_version = number
    statement.kind = content["kind"]
    statement.urgency = content["urgency"]
    # Found by its figures too, as its copies and the press room write them.
    statement.search_text = search_key(
        content["title"], figures_block.with_figures(content["body"], content["figures"])
    )
    statement.updated_at = utcnow()
    session.flush()
    # Indexed in the same transaction, so every version can be traced from the moment it exists.
    index_version(session, version.id, version.title, version.body)
    session.expire(statement, ["versions"])
    return version


# --- sensitivity ---------------------------------------------------------------------------


_RULES = SensitivityRule.__table__.c
#: What matching reads of a unit's active rules, as plain rows: every decision on an open statement reads them.
_ACTIVE_RULES = (
    sa.select(_RULES.code, _RULES.label, _RULES.keywords, _RULES.topics, _RULES.detectors, _RULES.active)
    .where(_RULES.unit_id == sa.bindparam("unit_id"), _RULES.active)
    .order_by(_RULES.id)
)


def unit_rules(session: Session, unit_id: int) -> list[sa.Row]:
    """Return a unit's active sensitivity rules, as rows of what matching reads."""
    return list(session.execute(_ACTIVE_RULES, {"unit_id": unit_id}))


def refresh_sensitivity(session: Session | None, statement: AnyStatement, rules: Iterable | None = None) -> None:
    """Recompute `sensitive` and its reasons (workflow.effects), reading the unit's active rules unless given."""
    if rules is None:
        if session is None:
            raise TypeError("refresh_sensitivity needs the unit's rules, or a session to read them")
        rules = unit_rules(session, statement.unit_id)
    effects.refresh_sensitivity(statement, rules)


def preview_sensitivity(
    session: Session, actor: Actor | None, unit_code: str, title: str, body: str, topics: list[str]
) -> list[dict]:
    """Return the rules of a unit that a draft would match, before it is written (`actor` None: the operator's CLI)."""
    unit = get_unit(session, unit_code)
    if actor is not None:  # what a draft matches tells the rules: whoever may read them may ask
        require_read_rules(actor, unit.id)
    return [m.as_reason() for m in match_rules(unit_rules(session, unit.id), title, body, topics)]


# --- creating and revising -----------------------------------------------------------------


def create_statement(session: Session, actor: Actor, unit_code: str, fields: dict) -> Statement:
    """Create a statement in `draft` with its version 1; only drafters of the unit may."""
    unit = get_unit(session, unit_code, "unit")
    require_draft_in(actor, unit.id)
    content = _clean_content(fields, None)
    corrects_id = fields.get("corrects")
    if corrects_id is not None:
        target = (
            load(session, corrects_id) if isinstance(corrects_id, int) and not isinstance(corrects_id, bool) else None
        )
        if target is None or target.state not in PUBLIC_STATES:
            raise Invalid(
                "corrects",
                "A correction must name a released statement.",
                errors={"corrects": ["Not a released statement."]},
            )
    statement = Statement(
        unit_id=unit.id,
        state=State.DRAFT.value,
        kind=content["kind"],
        urgency=content["urgency"],
        author_id=actor.user_id,
        corrects_id=corrects_id,
        current_version=1,
    )
    session.add(statement)
    session.flush()
    version = _write_version(session, statement, actor, 1, content)
    refresh_sensitivity(session, statement)
    ledger.append(
        session,
        kind=ledger.EntryKind.CONTENT,
        action="create",
        statement_id=statement.id,
        version=1,
        content_hash=version.content_hash,
        to_state=statement.state,
        actor_id=actor.user_id,
        actor=actor.username,
        role=Role.DRAFTER.value,
        unit=unit.code,
        data={"sensitive": statement.sensitive, "via": actor.via},
    )
    return statement


def add_version(
    session: Session, statement_id: int, actor: Actor, fields: dict, *, version: int | None = None
) -> Statement:
    """Write the next version; only drafters of the unit, only in draft or changes_requested."""
    statement = get_statement(session, statement_id, actor, for_update=True)
    require_revise(statement, actor)
    if version is not None:
        _check_read_version(statement, version)
    content = _clean_content(fields, statement.current)
    if content["kind"] != statement.kind:
        reasons = [reason for held in KIND_HOLDERS if (reason := held(session, statement.id))]
        if reasons:
            raise Invalid("kind", "The statement's kind is fixed.", errors={"kind": reasons})
    number = statement.current_version + 1
    written = _write_version(session, statement, actor, number, content)
    refresh_sensitivity(session, statement)
    ledger.append(
        session,
        kind=ledger.EntryKind.CONTENT,
        action="revise",
        statement_id=statement.id,
        version=number,
        content_hash=written.content_hash,
        from_state=statement.state,
        to_state=statement.state,
        actor_id=actor.user_id,
        actor=actor.username,
        role=Role.DRAFTER.value,
        unit=statement.unit.code,
        data={"sensitive": statement.sensitive, "via": actor.via},
    )
    return statement


# --- decisions -----------------------------------------------------------------------------


def _check_read_version(statement: AnyStatement, version: int) -> None:
    """Refuse a change made on a version other than the current one, saying which is current."""
    current = statement.current_version
    if version < current:
        raise Conflict("stale_version", f"You read version {version}, but version {current} is newer; read it again.")
    if version > current:  # never written: a client's mistake, answered like a stale read, told truthfully
        raise Conflict("stale_version", f"There is no version {version}: the current one is {current}; read it again.")


def decide_input(session: Session, statement_id: int, actor: Actor, given: Mapping[str, Any]) -> StatementView:
    """Check a decision's input against the API's contract (`ActionIn`), then decide: for the forms and the CLI.

    The API's views are given input the contract already checked; the forms and the CLI come through
    here, so the same bad input is refused alike everywhere (422 with the same fields and messages).
    """
    checked = load_input(ActionIn(), given)
    return decide(
        session,
        statement_id,
        actor,
        checked["action"],
        version=checked["version"],
        comment=checked["comment"],
        channels=checked["channels"],
        release_at=checked["release_at"],
    )


def decide(
    session: Session,
    statement_id: int,
    actor: Actor,
    action: str,
    *,
    version: int | None,
    comment: str | None = None,
    channels: list[str] | None = None,
    release_at: dt.datetime | None = None,
    on_schedule: bool = False,
) -> StatementView:
    """Fire a lifecycle action: lock, refuse stale versions, let the guards decide, record on the ledger.

    `on_schedule`: the worker takes the action at the time `actor` scheduled it, on their authority
    (statements.lifecycle.scheduled); the guards hold for `actor`, and the entry names the system.
    """
    if action not in ACTIONS:
        # One answer for the API, the forms and the CLI alike (the API's contract: 400).
        raise BadRequest(
            "unknown_action",
            f"Unknown action '{action}'. Known: {', '.join(ACTIONS)}.",
            errors={"action": ["Unknown action."]},
        )
    # The statement is read as plain rows and written back with one UPDATE (snapshots: the ORM's load
    # and flush were most of a decision's cost); what this session has not written yet goes first.
    session.flush()
    statement = read_statement(session, statement_id, actor, for_update=True)
    comment = check_comment(comment)
    if version is None or isinstance(version, bool) or not isinstance(version, int):
        raise Invalid(
            "version_required",
            "Send the version you read as 'version'.",
            errors={"version": ["Missing data for required field."]},
        )
    _check_read_version(statement, version)
    if channels and action not in RELEASING:  # an empty list names no channel
        raise Invalid("channels", "Only a release takes channels.", errors={"channels": ["Only for release."]})
    if release_at is not None and action != "schedule_release":
        raise Invalid(
            "release_at",
            "Only 'schedule_release' takes a time.",
            errors={"release_at": ["Only for a scheduled release."]},
        )
    before = {key: getattr(statement, key) for key in snapshots.WRITABLE}
    if action == "approve":  # what the approver's own changes to the rules no longer hold (four-eyes)
        statement.rules_before_actor = rules_before_changes_by(
            session, statement.unit_id, statement.unit.code, actor.user_id
        )
    if statement.state in OPEN_STATES:
        refresh_sensitivity(session, statement, statement.rules)  # rules may have changed since the last version
    role = ACTIONS[action].role(statement, actor) if statement.state in ACTIONS[action].sources else None
    fire(statement, action, actor, comment)
    if action == "submit" and not statement.reviewable:
        # Submitting into nobody's inbox would leave the statement stuck without anyone being told.
        raise Conflict(
            "no_reviewer",
            "Nobody can review this unit's statements: it has no spokesperson and no leader, nor has any unit"
            " above it. Ask an administrator to designate a spokesperson.",
        )
    now = utcnow()
    data = ACTIONS[action].effect(statement, actor, comment, channels, now, release_at)
    data["via"] = actor.via
    if before["state"] in OPEN_STATES:
        # The verdict this decision was taken on, refreshed from the unit's rules of the moment: the ledger
        # says it, so that verify can hold the row's `sensitive` to it whatever the rules or the code became.
        data["sensitive"] = statement.sensitive
    if on_schedule:
        data |= {
            "on_authority_of": actor.username,
            "on_authority_of_id": actor.user_id,
            "scheduled_for": isoformat(before["release_at"]),
        }
    if role == "acting_spokesperson" and (appointment := actor.appointment_in(statement.unit_id)) is not None:
        data["acting_under"] = appointment  # on whose authority: the appointment's own entry says who and why
    statement.updated_at = now
    if statement.state != before["state"] or ACTIONS[action].new_step:
        data |= start_step(statement, now)
    entry = {
        "kind": ledger.EntryKind.DECISION,
        "action": action,
        "statement_id": statement.id,
        "version": statement.current_version,
        "content_hash": statement.current.content_hash,
        "from_state": before["state"],
        "to_state": statement.state,
        "actor_id": None if on_schedule else actor.user_id,
        "actor": SYSTEM if on_schedule else actor.username,
        "role": SYSTEM if on_schedule else role,
        "unit": statement.unit.code,
        "comment": comment,
        "data": data,
    }
    # The decision and its entry, in one statement; whom it concerns is told from the entry (notifications.fanout).
    snapshots.write_back(session, statement, before, entry)
    for name in PEOPLE:  # the answer names whom the decision recorded: the actor, or nobody any more
        if (person := getattr(statement, f"{name}_id")) != before[f"{name}_id"]:
            setattr(statement, f"{name}_name", _username(session, actor, person))
    return statement


def start_step(statement: StatementView, now: dt.datetime) -> dict[str, str]:
    """Start the statement's open step afresh: its due time by the unit's policy; return it for the entry."""
    policy = statement.deadlines or Policy()
    statement.due_at = policy.due(statement.state, statement.kind, statement.urgency, now)
    # The sweep (statements.lifecycle.timeliness) looks again at the reminder's time.
    reminder = policy.reminder(statement.state, statement.kind, statement.urgency, now)
    # With no step, an emergency release's review keeps the check its release set (or the sweep cleared).
    if reminder is not None or statement.emergency_review_due_at is None:
        statement.next_check_at = reminder
    statement.due_stage = 0
    return {"due_at": isoformat(statement.due_at)} if statement.due_at is not None else {}


def _username(session: Session, actor: Actor, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    if user_id == actor.user_id:  # every decision so far records its own actor
        return actor.username
    return session.scalar(sa.select(User.username).where(User.id == user_id))
