"""The ledger's API schemas: its filters, its pages and its verification."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from statements.lifecycle.schemas import LedgerEntryOut
from statements.schemas import PageArgs, page_of
from workflow.db import MAX_ID


class LedgerArgs(PageArgs):
    """Filters of the ledger browser."""

    statement = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    actor = fields.String()
    kind = fields.String()
    action = fields.String()
    since = fields.AwareDateTime(default_timezone=None)
    until = fields.AwareDateTime(default_timezone=None)


class VerifyOut(ma.Schema):
    ok = fields.Boolean()
    entries = fields.Integer()
    head = fields.Dict()
    first_bad_seq = fields.Integer()
    reason = fields.String()
    checkpoints = fields.Integer()
    #: Entries written but not yet sealed; only those older than a few seconds make `ok` false.
    unsealed = fields.Integer()
    #: The working tables held to the ledger's replay: `ok`, and each disagreement with its statement and entry.
    tables = fields.Dict()


class LedgerPageOut(page_of(LedgerEntryOut)):
    """A page of sealed entries; `unsealed`: entries written but not yet given their place (only when some are)."""

    unsealed = fields.Integer()
