"""The organisation's API schemas: units, people, designations, tokens and sensitivity rules."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from auth.service import MIN_PASSWORD, USERNAME_RE
from statements.notifications.models import Kind as NotificationKind
from statements.org.acting import MAX_REASON
from statements.org.rules import RULE_CODE_RE
from statements.schemas import Flag, Lenient, required_text, unit_code
from workflow.deadlines import MAX_HOURS
from workflow.sensitivity import DETECTORS, RULE_CODE_MAX, RULE_LABEL_MAX
from workflow.states import Role, Urgency, values


class TokenIn(Lenient):
    """Credentials for a bearer token."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class RoleIn(Lenient):
    """A role in a unit."""

    unit = unit_code(required=True)
    role = fields.String(required=True, validate=validate.OneOf(values(Role)))


class UnitIn(Lenient):
    """A new unit."""

    code = unit_code(required=True)
    name = required_text(300)
    parent_code = fields.String(allow_none=True, load_default=None)


class UserIn(Lenient):
    """A new user with roles."""

    # The service decides (for the CLI too); the document says what it will take.
    username = fields.String(
        required=True, validate=validate.Length(min=2, max=64), metadata={"pattern": USERNAME_RE.pattern}
    )
    full_name = required_text(200)
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=1024), metadata={"minLength": MIN_PASSWORD}
    )
    email = fields.Email(allow_none=True, load_default=None)
    roles = fields.List(fields.Nested(RoleIn), load_default=list)


class DesignationIn(Lenient):
    """Who becomes the unit's spokesperson."""

    username = fields.String(required=True, metadata={"pattern": USERNAME_RE.pattern})


class RuleChangeIn(Lenient):
    """A change to a rule: what is sent changes; its code names it in the address and does not change."""

    label = fields.String(validate=validate.Length(min=1, max=RULE_LABEL_MAX))
    keywords = fields.List(fields.String(validate=validate.Length(min=1, max=200)))
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=100)))
    detectors = fields.List(fields.String(metadata={"enum": sorted(DETECTORS)}))
    source = fields.String(allow_none=True)
    active = Flag()


class RuleIn(RuleChangeIn):
    """A new sensitivity rule (it also needs keywords, topics or a detector: the service says so)."""

    code = fields.String(
        required=True, validate=validate.Length(min=1, max=RULE_CODE_MAX), metadata={"pattern": RULE_CODE_RE.pattern}
    )
    label = fields.String(required=True, validate=validate.Length(min=1, max=RULE_LABEL_MAX))


class SensitivityPreviewIn(Lenient):
    """Text to test against a unit's rules before it is written."""

    title = fields.String(load_default="")
    body = fields.String(load_default="")
    topics = fields.List(fields.String(), load_default=list)


class RoleOut(ma.Schema):
    unit = fields.String()
    role = fields.String()


class UserOut(ma.Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    active = fields.Boolean()
    roles = fields.List(fields.Nested(RoleOut))


class TokenOut(ma.Schema):
    token = fields.String()
    expires_at = fields.String()
    user = fields.Nested(UserOut)


class UnitOut(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    parent_code = fields.String(allow_none=True)
    spokesperson = fields.String(allow_none=True)


class RuleOut(ma.Schema):
    code = fields.String()
    label = fields.String()
    keywords = fields.List(fields.String())
    topics = fields.List(fields.String())
    detectors = fields.List(fields.String())
    source = fields.String()
    active = fields.Boolean()


class DeadlinesIn(Lenient):
    """What a unit sets over the default deadlines ({urgency: {step: {kind: hours}}}) and its own days off."""

    hours = fields.Dict(load_default=dict)
    days_off = fields.List(fields.Date(), load_default=list)
    #: When whoever must act is reminded, as a percentage of the step's time (left out: unchanged).
    remind_percent = fields.Integer(validate=validate.Range(min=10, max=90))
    #: Minutes past the due time before escalation, by urgency (left out: unchanged).
    grace_minutes = fields.Dict(
        keys=fields.String(validate=validate.OneOf(values(Urgency))),
        values=fields.Integer(validate=validate.Range(min=0, max=MAX_HOURS * 60)),
    )
    #: The kinds of notification the unit's people are always emailed at once (left out: unchanged).
    mandatory_mail = fields.List(
        fields.String(validate=validate.OneOf(NotificationKind.ALL)), validate=validate.Length(max=50)
    )


class DeadlinesOut(ma.Schema):
    unit = fields.String()
    hours = fields.Dict()
    set_by_unit = fields.Dict()
    days_off = fields.List(fields.String())
    remind_percent = fields.Integer()
    grace_minutes = fields.Dict(keys=fields.String(), values=fields.Integer())
    mandatory_mail = fields.List(fields.String())
    mandatory_everywhere = fields.List(fields.String())
    source = fields.String()
    updated_at = fields.String(allow_none=True)


class ActingIn(Lenient):
    """An acting spokesperson's appointment: who, until when (from now unless `starts_at`), and why."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason = required_text(MAX_REASON)
    starts_at = fields.AwareDateTime(default_timezone=None)
    ends_at = fields.AwareDateTime(required=True, default_timezone=None)


class ActingEndIn(Lenient):
    """Why an appointment ends before its time."""

    reason = required_text(MAX_REASON)


class ActingOut(ma.Schema):
    id = fields.Integer()
    unit = fields.String()
    username = fields.String()
    full_name = fields.String()
    appointed_by = fields.String()
    reason = fields.String()
    starts_at = fields.String()
    ends_at = fields.String()
    ended_at = fields.String(allow_none=True)
    ended_by = fields.String(allow_none=True)
    end_reason = fields.String(allow_none=True)
    #: "planned", "active", "ended" or "cancelled".
    status = fields.String()


class ActingListOut(ma.Schema):
    items = fields.List(fields.Nested(ActingOut))
