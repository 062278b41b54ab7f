"""What every API schema shares: lenient parsing that refuses NUL, paging, unit codes (features have the rest)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from auth.service import CODE_RE
from workflow.errors import Invalid

MAX_PER_PAGE = 100


#: What the OpenAPI document says of every text the API takes (JSON Schema has no other way to say
#: it), so that a request valid by the document is one the API accepts.
NO_NUL = r"^[^\x00]*$"
#: What no text holds: NUL (no database stores it in text) and a lone half of a surrogate pair (not a
#: character at all: nothing can encode it, so it would fail deep in the database driver or the hash).
#: The document names NUL only: a JSON Schema pattern cannot name half a pair (generators drop it), and
#: no conforming JSON encoder writes one.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def _nul_paths(value: object, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "value"] if _NOT_TEXT.search(value) else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nul_paths(v, str(k) if not path else f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nul_paths(v, path or str(i))]
    return []


def _holds_text(field: fields.Field) -> bool:
    # A nested schema checks its own fields (and ignores what it does not know, NUL or not).
    inner = field.inner if isinstance(field, fields.List) else field
    return not isinstance(inner, fields.Nested)


class Lenient(ma.Schema):
    """Input schema that ignores fields it does not know (clients may send more than we read)."""

    class Meta:
        unknown = ma.EXCLUDE

    @ma.pre_load
    def refuse_nul(self, data: object, **kwargs) -> object:
        """Refuse NUL characters in the fields it reads: no database stores them in text, and no statement needs one."""
        if not hasattr(data, "items"):
            return data
        paths = _nul_paths({key: value for key, value in data.items() if key in self._text_keys})
        if paths:
            said = ["Contains a NUL character or half a character."]
            raise ma.ValidationError({p.split(".")[0]: said for p in paths})
        return data

    @functools.cached_property
    def _text_keys(self) -> frozenset[str]:
        # Asked on every request: the API's schema instances live as long as the app.
        return frozenset(f.data_key or name for name, f in self.load_fields.items() if _holds_text(f))


def no_nul_pattern(converter: object, field: fields.Field, **kwargs: object) -> dict:
    """Document that a text field of an input schema refuses NUL characters (an apispec attribute function)."""
    ret = kwargs.get("ret", {})
    if not isinstance(field, fields.String) or "enum" in ret or "pattern" in ret:  # either excludes NUL already
        return {}
    owner = field.parent
    while isinstance(owner, fields.Field):  # the inner field of a List
        owner = owner.parent
    return {"pattern": NO_NUL} if isinstance(owner, Lenient) else {}


def unit_code(**kwargs: object) -> fields.String:
    """Return a field naming a unit by its code, documented with the pattern unit codes follow."""
    return fields.String(validate=validate.Length(min=1, max=64), metadata={"pattern": CODE_RE.pattern}, **kwargs)


class Flag(fields.Boolean):
    """A boolean in a JSON body: true or false only, as the document says (not 0, 1 or "yes")."""

    def _deserialize(self, value: object, attr: str | None, data: object, **kwargs: object) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class PageArgs(Lenient):
    """Pagination: page from 1; per_page capped at 100 rather than refused."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1))

    @ma.post_load
    def cap(self, data: dict, **kwargs) -> dict:
        """Cap per_page at the maximum."""
        data["per_page"] = min(data["per_page"], MAX_PER_PAGE)
        return data


# --- output ---------------------------------------------------------------------------------


@functools.cache
def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """Return the `{"items": [...], "total": N}` schema of a list."""
    return type(
        f"{item_schema.__name__.removesuffix('Out')}Page",
        (ma.Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
        },
    )


def required_text(max_length: int, blank: str = "Missing data for required field.") -> fields.String:
    """Return a required text field that refuses blank text in the service's words (so every edge says the same)."""
    # A Predicate tells apispec nothing: the document still says minLength 1 for it.
    return fields.String(
        required=True,
        validate=[validate.Predicate("strip", error=blank), validate.Length(max=max_length)],
        metadata={"minLength": 1},
    )


def load_input(schema: ma.Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    """Check a form's or a command's input with the API's own schema: the same bad input, the same refusal.

    Raises `Invalid` (422) with the schema's messages by field, as the API answers them.
    """
    try:
        return schema.load(data)
    except ma.ValidationError as err:
        errors = {str(name): _messages(found) for name, found in err.normalized_messages().items()}
        fields_named = ", ".join(sorted(errors))
        raise Invalid("invalid_fields", f"The request has invalid fields: {fields_named}.", errors=errors) from None


def _messages(found: object) -> list[str]:
    # A list's items have their messages by index ({0: [...]}): the field's messages are all of them.
    if isinstance(found, dict):
        return [message for value in found.values() for message in _messages(value)]
    if isinstance(found, list):
        return [message for item in found for message in _messages(item)]
    return [str(found)]
