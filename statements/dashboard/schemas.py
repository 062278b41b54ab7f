"""The dashboard's answer: each figure with the statement list's query arguments that show what it counts."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


class Figure(ma.Schema):
    count = fields.Integer()
    #: The statement list's query arguments that show the statements counted, and that list's address.
    filters = fields.Dict(keys=fields.String(), values=fields.String())
    statements = fields.String()


class Person(ma.Schema):
    username = fields.String()
    full_name = fields.String()
    #: "author", "spokesperson", "acting_spokesperson" or "leader".
    role = fields.String()


class WaitingRow(ma.Schema):
    unit = fields.String()
    unit_name = fields.String()
    state = fields.String()
    step = fields.String()
    count = fields.Integer()
    overdue = fields.Integer()
    waiting_since = fields.String(allow_none=True)
    waits_on = fields.List(fields.Nested(Person))
    filters = fields.Dict(keys=fields.String(), values=fields.String())
    statements = fields.String()
    overdue_statements = fields.String()


class UnitOverdue(Figure):
    unit = fields.String()
    unit_name = fields.String()
    overdue = fields.Integer()


class PersonOverdue(Figure):
    username = fields.String()
    full_name = fields.String()
    overdue = fields.Integer()
    due_since = fields.String()


class ReleaseTimes(Figure):
    median_hours = fields.Float(allow_none=True)
    p90_hours = fields.Float(allow_none=True)


class Escalations(ma.Schema):
    sign_off = fields.Nested(Figure)
    deadline = fields.Nested(Figure)


class AwaitingReview(Figure):
    overdue = fields.Integer()


class EmergencyReleases(ma.Schema):
    this_week = fields.Nested(Figure)
    last_week = fields.Nested(Figure)
    awaiting_review = fields.Nested(AwaitingReview)


class PressQuestions(ma.Schema):
    unit = fields.String()
    unit_name = fields.String()
    waiting = fields.Integer(metadata={"description": "Questions from the press awaiting an answer"})
    overdue = fields.Integer(metadata={"description": "Of them, past their deadline"})


class SeenOutside(ma.Schema):
    unit = fields.String()
    unit_name = fields.String()
    unjudged = fields.Integer(metadata={"description": "Items seen outside not judged yet"})
    uncorrected = fields.Integer(metadata={"description": "Judged false or misleading, no released correction"})
    reported_to_unit = fields.Integer(metadata={"description": "Items other units reported up to this one"})


class DashboardOut(ma.Schema):
    as_of = fields.String()
    units = fields.List(fields.String())
    weeks = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.String()))
    waiting = fields.List(fields.Nested(WaitingRow))
    overdue_by_unit = fields.List(fields.Nested(UnitOverdue))
    overdue_by_person = fields.List(fields.Nested(PersonOverdue))
    draft_to_release = fields.Dict(keys=fields.String(), values=fields.Nested(ReleaseTimes))
    escalations = fields.Dict(keys=fields.String(), values=fields.Nested(Escalations))
    emergency_releases = fields.Nested(EmergencyReleases)
    scheduled_releases = fields.Nested(
        Figure, metadata={"description": "Approved statements a spokesperson scheduled; the worker releases them"}
    )
    press_questions = fields.List(fields.Nested(PressQuestions))
    seen_outside = fields.List(fields.Nested(SeenOutside))
