"""The notifications' input and output, for the API and the settings form alike."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from statements.notifications.models import Kind, Mode
from statements.schemas import Lenient, PageArgs
from workflow.db import MAX_ID


class NotificationListArgs(PageArgs):
    unread = fields.Boolean(load_default=False)


class MarkReadIn(Lenient):
    """One notification to mark read, or none: all of them."""

    id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class SettingsIn(Lenient):
    """The language of one's email, and email per kind of notification."""

    language = fields.String(validate=validate.OneOf(["vi", "en"]))
    modes = fields.Dict(
        keys=fields.String(validate=validate.OneOf(Kind.ALL)), values=fields.String(validate=validate.OneOf(Mode.ALL))
    )


class MailOut(ma.Schema):
    state = fields.String()
    sent_at = fields.String(allow_none=True)
    attempts = fields.Integer()


class NotificationOut(ma.Schema):
    id = fields.Integer()
    kind = fields.String()
    text = fields.String()
    #: A deadline's: when the step was due and, escalated, whom it waits for.
    details = fields.List(fields.String())
    statement = fields.Integer(allow_none=True)
    #: The disclosure case a `disclosure_opened` notification is about (None for the others).
    case = fields.Integer(allow_none=True)
    #: The question from the press a `press_question`/`press_assigned` notification is about.
    press_request = fields.Integer(allow_none=True)
    #: The item seen outside a `watch_*` notification is about.
    rumour = fields.Integer(allow_none=True)
    unit = fields.String()
    actor = fields.String()
    actor_name = fields.String()
    urgent = fields.Boolean()
    created_at = fields.String()
    read_at = fields.String(allow_none=True)
    mail = fields.Nested(MailOut)


class MarkedOut(ma.Schema):
    marked = fields.Integer()
    unread = fields.Integer()


class SettingsOut(ma.Schema):
    language = fields.String()
    modes = fields.Dict(keys=fields.String(), values=fields.String())
    mandatory = fields.List(fields.String())
    #: Per kind, the person's units whose policy emails it at once whatever they chose here.
    mandatory_in = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
