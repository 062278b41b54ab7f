"""The public API's schemas: released statements only."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from statements.schemas import PageArgs


class PublicListArgs(PageArgs):
    """The press room's search: words the released statements hold, with or without diacritics."""

    q = fields.String(validate=validate.Length(max=200))


class PublicStatementOut(ma.Schema):
    id = fields.Integer()
    unit = fields.String()
    unit_name = fields.String()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    topics = fields.List(fields.String())
    released_at = fields.String()
    channels = fields.List(fields.String())
    content_hash = fields.String()
    version = fields.Integer()
    corrects = fields.Integer(allow_none=True)
    retracted = fields.Boolean()
    retraction = fields.Dict(allow_none=True)
