"""The lifecycle's API schemas: statements, versions, actions, diffs and their ledger entries."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from statements.lifecycle.queries import EVENTS
from statements.schemas import Flag, Lenient, PageArgs, required_text, unit_code
from workflow.db import MAX_ID
from workflow.machine import ACTIONS
from workflow.states import Channel, Kind, State, Urgency, values


class StatementListArgs(PageArgs):
    """Filters of the statement list."""

    state = fields.String(validate=validate.OneOf(values(State)))
    unit = fields.String()
    awaiting_me = fields.Boolean(load_default=False)
    q = fields.String(validate=validate.Length(max=200))
    kind = fields.String(validate=validate.OneOf(values(Kind)))
    urgency = fields.String(validate=validate.OneOf(values(Urgency)))
    sensitive = fields.Boolean()
    overdue = fields.Boolean(load_default=False)
    #: A username: only the overdue steps that wait on them.
    late = fields.String(validate=validate.Length(max=64))
    #: Something that happened to the statements, from `since` to `until` (days in Vietnam, both kept).
    event = fields.String(validate=validate.OneOf(EVENTS))
    since = fields.Date()
    until = fields.Date()
    scheduled = fields.Boolean()
    review_pending = fields.Boolean(load_default=False)
    #: Only the units the caller leads, and those below them.
    led = fields.Boolean(load_default=False)

    @ma.validates_schema
    def _period(self, data: dict, **kwargs) -> None:
        if ("since" in data or "until" in data) and "event" not in data:
            raise ma.ValidationError("A period needs the event it is about.", "event")
        if "since" in data and "until" in data and data["since"] > data["until"]:
            raise ma.ValidationError("The period ends before it begins.", "until")


class ContentIn(Lenient):
    """The content of a version; on a new version, what is left out stays as it was."""

    title = fields.String(validate=validate.Length(max=500))
    body = fields.String(validate=validate.Length(max=100_000))
    kind = fields.String(validate=validate.OneOf(values(Kind)))
    urgency = fields.String(validate=validate.OneOf(values(Urgency)))
    sensitive = Flag()
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=20))
    #: Checked by the service (workflow.figures.clean), the one check for the API, the forms and the CLI.
    figures = fields.Dict(
        allow_none=True,
        metadata={
            "description": "The figures block (letter 6006 §2): subject, period {start, end}, area, measures"
            " [{measure, value, previous, source}] and analysis; {} leaves it out, none keeps the previous version's"
        },
    )


class StatementIn(ContentIn):
    """A new statement."""

    unit = unit_code(required=True)
    # The same words as the service's own check, so the forms, the API and the CLI say the same.
    title = required_text(500, blank="A title is required.")
    body = required_text(100_000, blank="The body may not be empty.")
    kind = fields.String(load_default=Kind.REGULAR.value, validate=validate.OneOf(values(Kind)))
    urgency = fields.String(load_default=Urgency.NORMAL.value, validate=validate.OneOf(values(Urgency)))
    sensitive = Flag(load_default=False)
    topics = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)), load_default=list, validate=validate.Length(max=20)
    )
    corrects = fields.Integer(
        allow_none=True, load_default=None, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )


class VersionIn(ContentIn):
    """A new version; `version` (optional) is the one the drafter read."""

    version = fields.Integer(strict=True)


class ActionIn(Lenient):
    """A lifecycle action on the version the actor read."""

    # Listed for clients; an unknown action is answered 400 by the view, as the contract says.
    action = fields.String(required=True, metadata={"enum": list(ACTIONS)})
    version = fields.Integer(required=True, strict=True)
    comment = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))
    channels = fields.List(fields.String(validate=validate.OneOf(values(Channel))), allow_none=True, load_default=None)
    #: For `schedule_release`: when the worker releases the approved content (RFC 3339, with an offset).
    release_at = fields.AwareDateTime(allow_none=True, load_default=None, default_timezone=None)


class ReasonOut(ma.Schema):
    source = fields.String(metadata={"description": "drafter, escalation or rule"})
    rule = fields.String()
    label = fields.String()
    matched = fields.String(metadata={"description": "The words that made the rule match"})
    detector = fields.String(metadata={"description": "The detector that found them (none for a keyword or topic)"})


class StatementOut(ma.Schema):
    id = fields.Integer()
    unit = fields.String()
    unit_name = fields.String()
    state = fields.String()
    version = fields.Integer()
    title = fields.String()
    body = fields.String()
    kind = fields.String()
    urgency = fields.String()
    topics = fields.List(fields.String())
    sensitive = fields.Boolean()
    sensitivity_reasons = fields.List(fields.Nested(ReasonOut))
    sensitivity_cleared = fields.Dict(allow_none=True)
    #: Whether the current content identifies people (`identifies_people`), whether that holds its release
    #: (`release_blocked`), and the legal basis a leader recorded (`basis`: consent or legal_duty, for the
    #: content hash it names).
    privacy = fields.Dict()
    #: The current version's figures block (none without one).
    figures = fields.Dict(allow_none=True)
    #: For the spokesperson: the analysis's words and the words asked, and the share of the body's words that
    #: are numbers (`raw`: at or above the unit's share, the body reads as raw figures). None without figures.
    figures_check = fields.Dict(allow_none=True)
    author = fields.String()
    content_hash = fields.String()
    allowed_actions = fields.List(fields.String())
    created_at = fields.String()
    updated_at = fields.String()
    corrects = fields.Integer(allow_none=True)
    due_at = fields.String(allow_none=True)
    overdue = fields.Boolean()
    escalated_by = fields.String(allow_none=True)
    approved = fields.Dict(allow_none=True)
    released = fields.Dict(allow_none=True)
    #: A leader's emergency release: who released it, until when it awaits another person's review, and the
    #: review (`outcome` "agrees" or "finding", with its note); None unless released in an emergency.
    emergency = fields.Dict(allow_none=True)
    #: When the worker releases it (embargo), on which channels, scheduled by whom; None unless scheduled.
    scheduled_release = fields.Dict(allow_none=True)
    retracted = fields.Dict(allow_none=True)


class FindingOut(ma.Schema):
    kind = fields.String(
        metadata={"description": "person, citizen_id, insurance_id, phone, home_address or bed_with_name"}
    )
    text = fields.String(metadata={"description": "The words found, as written"})
    part = fields.String(
        metadata={"description": "title, body or figures (their subject, area, sources and analysis, a line each)"}
    )
    start = fields.Integer(metadata={"description": "Where they start in that part (characters)"})
    end = fields.Integer()


class RedactedOut(ma.Schema):
    title = fields.String()
    body = fields.String()


class PrivacyOut(ma.Schema):
    privacy = fields.Dict(metadata={"description": "As in the statement: identifies_people, release_blocked, basis"})
    findings = fields.List(fields.Nested(FindingOut))
    redacted = fields.Nested(
        RedactedOut, metadata={"description": "The customary form: names as initials, numbers and homes left out"}
    )


class VersionOut(ma.Schema):
    statement = fields.Integer()
    number = fields.Integer()
    title = fields.String()
    body = fields.String()
    kind = fields.String()
    urgency = fields.String()
    topics = fields.List(fields.String())
    sensitive = fields.Boolean()
    figures = fields.Dict(allow_none=True)
    content_hash = fields.String()
    author = fields.String()
    created_at = fields.String()


class FiguresReviewOut(ma.Schema):
    figures = fields.Dict(allow_none=True)
    changes = fields.List(
        fields.Dict(), metadata={"description": "Each measure with its change from the previous period and percent"}
    )
    check = fields.Dict(allow_none=True, metadata={"description": "As the statement's figures_check"})
    compared_with = fields.Dict(
        allow_none=True,
        metadata={
            "description": "The unit's last released statement with figures counting the same subject in the same"
            " period and area"
        },
    )
    disagreements = fields.List(
        fields.Dict(),
        metadata={"description": "Measures whose figure differs from that release: measure, value, released"},
    )


class FiguresPolicyIn(Lenient):
    min_analysis_words = fields.Integer(required=True, strict=True)
    raw_share_percent = fields.Integer(required=True, strict=True)


class FiguresPolicyOut(ma.Schema):
    unit = fields.String()
    min_analysis_words = fields.Integer()
    raw_share_percent = fields.Integer()
    set_by_unit = fields.Boolean()
    source = fields.String()


class DiffOut(ma.Schema):
    statement = fields.Integer()
    source = fields.Integer(data_key="from")
    target = fields.Integer(data_key="to")
    changed = fields.Boolean()
    fields_changed = fields.List(fields.String())
    title = fields.List(fields.Dict())
    body = fields.List(fields.Dict())
    unified = fields.String()


class LedgerEntryOut(ma.Schema):
    #: Null, with prev_hash and hash, until the entry is sealed into the chain (PostgreSQL: moments after commit).
    seq = fields.Integer(allow_none=True)
    at = fields.String()
    kind = fields.String()
    action = fields.String()
    statement = fields.Integer(allow_none=True)
    version = fields.Integer(allow_none=True)
    content_hash = fields.String(allow_none=True)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    data = fields.Dict()
    prev_hash = fields.String(allow_none=True)
    hash = fields.String(allow_none=True)
