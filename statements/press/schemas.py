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
    figures = fields.Dict(allow_none=True)
    released_at = fields.String()
    channels = fields.List(fields.String())
    content_hash = fields.String()
    version = fields.Integer()
    corrects = fields.Integer(allow_none=True)
    retracted = fields.Boolean()
    retraction = fields.Dict(allow_none=True)


class VerifyIn(ma.Schema):
    """A text someone received, to hold to what the authority released."""

    text = fields.String(required=True, validate=validate.Length(min=1, max=100_000))


class DifferenceOut(ma.Schema):
    before = fields.String(metadata={"description": "The released words just before the change"})
    released = fields.String(metadata={"description": "What was released here (empty: the text adds words)"})
    text = fields.String(metadata={"description": "What the text says instead (empty: it leaves words out)"})
    after = fields.String()


class ReleaseEntryOut(ma.Schema):
    seq = fields.Integer(allow_none=True, metadata={"description": "Its place in the chain (null until sealed)"})
    hash = fields.String(allow_none=True)
    prev_hash = fields.String(allow_none=True)
    at = fields.String()
    action = fields.String()
    content_hash = fields.String()
    proof = fields.Dict(
        allow_none=True,
        metadata={
            "description": "pressgate.inclusion/1: the entry's fields, its Merkle path and the signed checkpoint"
            " holding it; null until a checkpoint signed after the release (pressgate ledger verify-release)"
        },
    )


class VerdictOut(ma.Schema):
    verdict = fields.String(
        metadata={
            "description": "genuine, altered, retracted or not_issued for a text; released, retracted or not_issued"
            " for a content hash (a link says which statement was released, not what a copy in hand says)"
        }
    )
    whole = fields.Boolean(
        metadata={"description": "A genuine text is the whole statement (true) or a part of it, word for word (false)"}
    )
    statement = fields.Nested(PublicStatementOut, allow_none=True)
    similarity = fields.Float(metadata={"description": "The share of the text's word triples the release holds"})
    differences = fields.List(fields.Nested(DifferenceOut))
    release = fields.Nested(ReleaseEntryOut, allow_none=True, metadata={"description": "The release's ledger entry"})
    contact = fields.String(metadata={"description": "Whom to call about a text the authority did not issue"})
