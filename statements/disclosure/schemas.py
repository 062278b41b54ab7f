"""What opening a case and recording its finding take: one contract for the API and the pages."""

from __future__ import annotations

from marshmallow import fields, validate

from statements.disclosure import service
from statements.disclosure.models import Outcome
from statements.schemas import Lenient


class DisclosureIn(Lenient):
    text = fields.String(required=True, validate=validate.Length(min=1, max=service.MAX_TEXT))
    seen_where = fields.String(required=True, validate=validate.Length(min=1, max=500))
    seen_at = fields.AwareDateTime(required=True, default_timezone=None)


class FindingIn(Lenient):
    outcome = fields.String(required=True, validate=validate.OneOf(Outcome.ALL))
    finding = fields.String(required=True, validate=validate.Length(min=1, max=10_000))
    violators = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list)
