"""What issuing and cancelling a letter, and setting a letterhead, take: one contract for the API and the pages."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from statements.letters.service import MAX_LINES, MAX_NUMBER, MAX_REASON, MAX_SIGNERS, SYMBOL, SYMBOL_MESSAGE
from statements.schemas import Lenient, required_text

_LINE = fields.String(validate=validate.Length(min=1, max=300))


class LetterIn(Lenient):
    subject = required_text(300, blank="Say what the letter is about.")
    recipients = fields.List(_LINE, load_default=None, allow_none=True, validate=validate.Length(max=MAX_LINES))
    copies_to = fields.List(_LINE, load_default=None, allow_none=True, validate=validate.Length(max=MAX_LINES))
    signer = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=MAX_SIGNERS - 1))


class CancelIn(Lenient):
    reason = required_text(MAX_REASON, blank="Say why.")


class DocumentArgs(Lenient):
    format = fields.String(load_default="pdf", validate=validate.OneOf(["docx", "pdf"]))


class SignerSchema(Lenient):
    mark = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class LetterheadIn(Lenient):
    full_name = required_text(300, blank="Give the unit's full name.")
    parent_name = fields.String(load_default="", validate=validate.Length(max=300))
    symbol = fields.String(
        required=True,
        validate=[validate.Regexp(rf"^(?:{SYMBOL.pattern})$", error=SYMBOL_MESSAGE), validate.Length(max=40)],
    )
    place = required_text(100, blank="Give the place the letters are issued at.")
    recipients = fields.List(_LINE, load_default=list, validate=validate.Length(max=MAX_LINES))
    copies_to = fields.List(_LINE, load_default=list, validate=validate.Length(max=MAX_LINES))
    archive = fields.String(load_default="", validate=validate.Length(max=40))
    signers = fields.List(fields.Nested(SignerSchema), required=True, validate=validate.Length(min=1, max=MAX_SIGNERS))


class LetterheadOut(ma.Schema):
    unit = fields.String()
    full_name = fields.String()
    parent_name = fields.String()
    symbol = fields.String()
    place = fields.String()
    recipients = fields.List(fields.String())
    copies_to = fields.List(fields.String())
    archive = fields.String()
    signers = fields.List(fields.Nested(SignerSchema))
    set_by_unit = fields.Boolean()


class CancelledOut(ma.Schema):
    at = fields.String()
    by = fields.String(allow_none=True)
    reason = fields.String()


class LetterOut(ma.Schema):
    id = fields.Integer()
    unit = fields.String()
    number = fields.Integer()
    year = fields.Integer()
    symbol = fields.String()
    number_text = fields.String()
    statement = fields.Integer()
    version = fields.Integer()
    content_hash = fields.String()
    subject = fields.String()
    place = fields.String()
    unit_full_name = fields.String()
    parent_name = fields.String()
    recipients = fields.List(fields.String())
    copies_to = fields.List(fields.String())
    archive = fields.String()
    signing_mark = fields.String()
    signer_name = fields.String()
    issued_at = fields.String()
    issued_by = fields.String(allow_none=True)
    cancelled = fields.Nested(CancelledOut, allow_none=True)


class NumberingIn(Lenient):
    last = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=MAX_NUMBER),
        metadata={"description": "The last number the unit has already given this year, outside PressGate."},
    )
    reason = required_text(MAX_REASON, blank="Say why.")


class NumberingOut(ma.Schema):
    unit = fields.String()
    year = fields.Integer()
    last = fields.Integer(
        metadata={"description": "The last number given this year; the next document takes the next."}
    )
