"""What a report is asked with, and what it gives: one contract for the API, the pages and the CLI."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from statements.reports.documents import FORMATS
from statements.reports.periods import PERIOD_MESSAGE
from statements.reports.service import MAX_REMARK
from statements.schemas import Lenient

#: Whose figures: the unit and every unit below it, or the unit alone.
SCOPES = ("subtree", "unit")


def _period() -> fields.String:
    return fields.String(
        required=True, validate=validate.Length(min=4, max=30), metadata={"description": PERIOD_MESSAGE}
    )


class ReportArgs(Lenient):
    period = _period()
    scope = fields.String(load_default="subtree", validate=validate.OneOf(SCOPES))


class ReportFileArgs(ReportArgs):
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))


class _Spread(ma.Schema):
    count = fields.Integer()
    median_hours = fields.Float(allow_none=True)
    p90_hours = fields.Float(allow_none=True)


class _Week(_Spread):
    week = fields.String(metadata={"description": "The week's Monday (Vietnam's days)."})


class _Step(_Spread):
    step = fields.String(metadata={"description": "review, sign_off, release or revision"})


def _counted(name: str) -> type[ma.Schema]:
    return ma.Schema.from_dict({name: fields.String(), "count": fields.Integer()}, name=f"Report{name.title()}Count")


_OUTCOME, _CHANNEL, _GROUND, _ASSESSMENT = (_counted(n) for n in ("outcome", "channel", "ground", "assessment"))


class _Kind(ma.Schema):
    kind = fields.String()
    drafted = fields.Integer()
    released = fields.Integer()


class _Emergency(ma.Schema):
    releases = fields.Integer()
    reviewed = fields.Dict(keys=fields.String(), values=fields.Integer())
    awaiting_review = fields.Integer()
    review_overdue = fields.Integer()


class _Escalations(ma.Schema):
    sign_off = fields.Integer()
    deadline = fields.Integer()


class _Statements(ma.Schema):
    drafted = fields.Integer()
    released = fields.Integer()
    by_kind = fields.List(fields.Nested(_Kind))
    outcomes = fields.List(fields.Nested(_OUTCOME))
    by_channel = fields.List(fields.Nested(_CHANNEL))
    draft_to_release = fields.Nested(_Spread)
    weekly = fields.List(fields.Nested(_Week))
    steps = fields.List(fields.Nested(_Step))
    overdue_steps = fields.Integer()
    escalations = fields.Nested(_Escalations)
    emergency = fields.Nested(_Emergency)
    corrections_released = fields.Integer()


class _Press(ma.Schema):
    received = fields.Integer()
    answered_on_time = fields.Integer()
    answered_late = fields.Integer()
    refused = fields.Integer()
    open = fields.Integer()
    open_overdue = fields.Integer()
    refused_by_ground = fields.List(fields.Nested(_GROUND))


class _Watch(ma.Schema):
    recorded = fields.Integer()
    by_assessment = fields.List(fields.Nested(_ASSESSMENT))
    with_correction = fields.Integer()


class _Disclosure(ma.Schema):
    opened = fields.Integer()
    closed = fields.Integer()
    by_outcome = fields.List(fields.Nested(_OUTCOME))


class _Record(ma.Schema):
    violations = fields.Integer()
    commendations = fields.Integer()


class _Unit(ma.Schema):
    unit = fields.String()
    name = fields.String()
    drafted = fields.Integer()
    released = fields.Integer()
    overdue = fields.Integer()
    press_received = fields.Integer()
    press_late = fields.Integer()
    rumours = fields.Integer()
    violations = fields.Integer()
    commendations = fields.Integer()


class _Period(ma.Schema):
    key = fields.String()
    title = fields.String(metadata={"description": "As a Vietnamese report names it: quý I năm 2026."})


class _Signer(ma.Schema):
    mark = fields.String()
    name = fields.String()


class _Letterhead(ma.Schema):
    full_name = fields.String()
    parent_name = fields.String()
    symbol = fields.String()
    place = fields.String()
    archive = fields.String()
    signers = fields.List(fields.Nested(_Signer))


class ReportOut(ma.Schema):
    unit = fields.String()
    unit_name = fields.String()
    parent_unit_name = fields.String(metadata={"description": "The body above it, to which the report goes."})
    rolled_up = fields.Boolean()
    units = fields.List(fields.String(), metadata={"description": "The units counted: the unit first."})
    period = fields.Nested(_Period)
    since = fields.String()
    until = fields.String()
    as_of = fields.String()
    letterhead = fields.Nested(_Letterhead)
    statements = fields.Nested(_Statements)
    press = fields.Nested(_Press)
    watch = fields.Nested(_Watch)
    disclosure = fields.Nested(_Disclosure)
    record = fields.Nested(_Record)
    by_unit = fields.List(fields.Nested(_Unit))


class RemarksIn(Lenient):
    assessment = fields.String(validate=validate.Length(max=MAX_REMARK))
    shortcomings = fields.String(validate=validate.Length(max=MAX_REMARK))
    plans = fields.String(validate=validate.Length(max=MAX_REMARK))
    proposals = fields.String(validate=validate.Length(max=MAX_REMARK))


class IssueIn(ReportArgs):
    remarks = fields.Nested(RemarksIn, load_default=dict, metadata={"description": "The unit's own words, by part."})
    signer = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=99))


class IssuedFileArgs(Lenient):
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))


class IssuedReportOut(ma.Schema):
    id = fields.Integer()
    unit = fields.String()
    number = fields.Integer()
    year = fields.Integer()
    symbol = fields.String()
    number_text = fields.String(metadata={"description": "As the report prints it: 05/BC-SYT-NV."})
    period = fields.String()
    period_title = fields.String(metadata={"description": "As a Vietnamese report names it: quý I năm 2026."})
    rolled_up = fields.Boolean()
    figures_hash = fields.String(metadata={"description": "SHA-256 of the report's figures as issued (RFC 8785)."})
    signing_mark = fields.String()
    signer_name = fields.String()
    issued_at = fields.String()
    issued_by = fields.String()
    issued_by_name = fields.String()
