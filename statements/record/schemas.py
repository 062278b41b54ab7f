"""What recording a commendation takes, and what the register gives: one contract for the API and the pages."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from statements.record.service import MAX_DESCRIPTION, MAX_STATEMENTS
from statements.schemas import Lenient, PageArgs, required_text


class CommendationIn(Lenient):
    unit = fields.String(required=True, validate=validate.Length(min=1, max=64))
    person = fields.String(required=True, validate=validate.Length(min=1, max=64))
    description = required_text(MAX_DESCRIPTION, blank="Say what for.")
    statements = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)),
        load_default=list,
        validate=validate.Length(max=MAX_STATEMENTS),
    )


class CommendationListArgs(PageArgs):
    pass


class CommendationOut(ma.Schema):
    id = fields.Integer()
    unit = fields.String()
    person = fields.String()
    full_name = fields.String()
    description = fields.String()
    statements = fields.List(fields.Integer())
    recorded_at = fields.String()
    recorded_by = fields.String()
    recorded_by_name = fields.String()
