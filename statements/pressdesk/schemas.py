"""What registering, assigning, answering and refusing a question take: one contract for the API and the pages."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from statements.pressdesk.models import GROUNDS, MAX_DAYS
from statements.pressdesk.service import MAX_QUESTION, MAX_REASON, STATUSES
from statements.schemas import Lenient, PageArgs, required_text


class PressRequestIn(Lenient):
    unit = required_text(32, blank="Choose the unit.")
    # Blank text (spaces only) is refused in words, as an empty field is: a question from nobody is no question.
    outlet = required_text(200, blank="Name the press outlet.")
    journalist = required_text(200, blank="Name the journalist.")
    contact = required_text(200, blank="Give the journalist's contact.")
    question = required_text(MAX_QUESTION, blank="Write the question as it was asked.")
    received_at = fields.AwareDateTime(required=True, default_timezone=None)
    urgent = fields.Boolean(load_default=False)
    assignee = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class AssignIn(Lenient):
    assignee = fields.String(required=True, validate=validate.Length(min=1, max=64))


class AnswerIn(Lenient):
    statement = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))


class RefusalIn(Lenient):
    ground = fields.String(required=True, validate=validate.OneOf(GROUNDS))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_REASON))


class PressPolicyIn(Lenient):
    normal_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_DAYS))
    urgent_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_DAYS))


class PressListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    unit = fields.String(validate=validate.Length(min=1, max=32))


class AnswerOut(ma.Schema):
    statement = fields.Integer()
    state = fields.String()
    released_at = fields.String(allow_none=True)


class RefusalOut(ma.Schema):
    ground = fields.String()
    reason = fields.String()
    at = fields.String()
    by = fields.String(allow_none=True)


class PressRequestOut(ma.Schema):
    id = fields.Integer()
    unit = fields.String()
    outlet = fields.String()
    journalist = fields.String()
    contact = fields.String()
    question = fields.String()
    received_at = fields.String()
    urgent = fields.Boolean()
    due_at = fields.String()
    status = fields.String(
        metadata={"description": "open, answering, overdue, answered (its answer released), refused"}
    )
    assigned_to = fields.String(allow_none=True)
    answer = fields.Nested(AnswerOut, allow_none=True)
    refusal = fields.Nested(RefusalOut, allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.String()


class PressPolicyOut(ma.Schema):
    unit = fields.String()
    normal_days = fields.Integer()
    urgent_days = fields.Integer()
    set_by_unit = fields.Boolean()
