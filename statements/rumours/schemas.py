"""What recording, judging, linking and reporting an item seen outside take: one contract for the API and the pages."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from statements.rumours.models import ASSESSMENTS
from statements.rumours.service import MAX_NOTE, MAX_TEXT
from statements.schemas import Lenient, PageArgs, required_text

_ID = validate.Range(min=1, max=2**31 - 1)


class RumourIn(Lenient):
    unit = required_text(32, blank="Choose the unit.")
    platform = required_text(100, blank="Name where it was seen.")
    address = required_text(1000, blank="Give its address (the link), or where it can be found.")
    first_seen_at = fields.AwareDateTime(required=True, default_timezone=None)
    summary = required_text(MAX_NOTE, blank="Say in a sentence what it claims.")
    # Bounded so that no typed number overflows the column (a 500): more than everyone on Earth is a typo.
    reach = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0, max=10_000_000_000)
    )
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_TEXT))


class AssessmentIn(Lenient):
    assessment = fields.String(required=True, validate=validate.OneOf([a for a in ASSESSMENTS if a != "unassessed"]))
    note = fields.String(required=True, validate=validate.Length(min=1, max=MAX_NOTE))


class LinkIn(Lenient):
    concerns = fields.Integer(load_default=None, allow_none=True, strict=True, validate=_ID)
    correction = fields.Integer(load_default=None, allow_none=True, strict=True, validate=_ID)


class ReportIn(Lenient):
    note = fields.String(required=True, validate=validate.Length(min=1, max=MAX_NOTE))


class RumourListArgs(PageArgs):
    assessment = fields.String(validate=validate.OneOf(ASSESSMENTS))


class StatementRefOut(ma.Schema):
    statement = fields.Integer()
    state = fields.String(allow_none=True)


class RumourOut(ma.Schema):
    id = fields.Integer()
    unit = fields.String()
    platform = fields.String()
    address = fields.String()
    first_seen_at = fields.String()
    summary = fields.String()
    reach = fields.Integer(allow_none=True)
    text = fields.String(allow_none=True)
    matched = fields.Dict(
        allow_none=True,
        metadata={"description": "verdict (genuine, altered, retracted, not_issued, too_short), statement, title,"
                  " released_at, similarity, differences, as the public verification answers"},
    )  # fmt: skip
    assessment = fields.String(metadata={"description": "unassessed, true, misleading, false, beyond_authority"})
    assessment_note = fields.String(allow_none=True)
    assessed_by = fields.String(allow_none=True)
    assessed_at = fields.String(allow_none=True)
    concerns = fields.Nested(StatementRefOut, allow_none=True)
    correction = fields.Nested(StatementRefOut, allow_none=True)
    reported_to = fields.String(allow_none=True)
    reported_at = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.String()


class FocalIn(Lenient):
    """Who keeps the unit's watch: a username of its press desk, or null for nobody."""

    username = fields.String(required=True, allow_none=True, validate=validate.Length(max=64))


class FocalOut(ma.Schema):
    unit = fields.String()
    focal = fields.Dict(allow_none=True, metadata={"description": "username, name and since, or null"})
