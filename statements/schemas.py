"""Marshmallow schemas: what the API takes and what it answers (the OpenAPI document comes from these)."""

from __future__ import annotations

import functools

import marshmallow as ma
from marshmallow import fields, validate

from auth.service import CODE_RE, MIN_PASSWORD, USERNAME_RE
from statements.rules import RULE_CODE_RE
from workflow.db import MAX_ID
from workflow.machine import ACTIONS
from workflow.sensitivity import DETECTORS
from workflow.states import Channel, Kind, Role, State, Urgency, values

MAX_PER_PAGE = 100


#: What the OpenAPI document says of every text the API takes (JSON Schema has no other way to say
#: it), so that a request valid by the document is one the API accepts.
NO_NUL = r"^[^\x00]*$"


def _nul_paths(value: object, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "value"] if "\x00" in value else []
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
            raise ma.ValidationError({p.split(".")[0]: ["Contains a NUL character."] for p in paths})
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


class PublicListArgs(PageArgs):
    """The press room's search: words the released statements hold, with or without diacritics."""

    q = fields.String(validate=validate.Length(max=200))


class StatementListArgs(PageArgs):
    """Filters of the statement list."""

    state = fields.String(validate=validate.OneOf(values(State)))
    unit = fields.String()
    awaiting_me = fields.Boolean(load_default=False)
    q = fields.String(validate=validate.Length(max=200))
    kind = fields.String(validate=validate.OneOf(values(Kind)))
    urgency = fields.String(validate=validate.OneOf(values(Urgency)))
    sensitive = fields.Boolean()


class LedgerArgs(PageArgs):
    """Filters of the ledger browser."""

    statement = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    actor = fields.String()
    kind = fields.String()
    action = fields.String()
    since = fields.AwareDateTime(default_timezone=None)
    until = fields.AwareDateTime(default_timezone=None)


class TokenIn(Lenient):
    """Credentials for a bearer token."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class RoleIn(Lenient):
    """A role in a unit."""

    unit = unit_code(required=True)
    role = fields.String(required=True, validate=validate.OneOf(values(Role)))


class UnitIn(Lenient):
    """A new unit."""

    code = unit_code(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    parent_code = fields.String(allow_none=True, load_default=None)


class UserIn(Lenient):
    """A new user with roles."""

    # The service decides (for the CLI too); the document says what it will take.
    username = fields.String(
        required=True, validate=validate.Length(min=2, max=64), metadata={"pattern": USERNAME_RE.pattern}
    )
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=1024), metadata={"minLength": MIN_PASSWORD}
    )
    email = fields.Email(allow_none=True, load_default=None)
    roles = fields.List(fields.Nested(RoleIn), load_default=list)


class DesignationIn(Lenient):
    """Who becomes the unit's spokesperson."""

    username = fields.String(required=True, metadata={"pattern": USERNAME_RE.pattern})


class RuleChangeIn(Lenient):
    """A change to a rule: what is sent changes; its code names it in the address and does not change."""

    label = fields.String(validate=validate.Length(min=1, max=200))
    keywords = fields.List(fields.String(validate=validate.Length(min=1, max=200)))
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=100)))
    detectors = fields.List(fields.String(metadata={"enum": sorted(DETECTORS)}))
    source = fields.String(allow_none=True)
    active = Flag()


class RuleIn(RuleChangeIn):
    """A new sensitivity rule (it also needs keywords, topics or a detector: the service says so)."""

    code = fields.String(
        required=True, validate=validate.Length(min=1, max=64), metadata={"pattern": RULE_CODE_RE.pattern}
    )
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ContentIn(Lenient):
    """The content of a version; on a new version, what is left out stays as it was."""

    title = fields.String(validate=validate.Length(max=500))
    body = fields.String(validate=validate.Length(max=100_000))
    kind = fields.String(validate=validate.OneOf(values(Kind)))
    urgency = fields.String(validate=validate.OneOf(values(Urgency)))
    sensitive = Flag()
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=20))


class StatementIn(ContentIn):
    """A new statement."""

    unit = unit_code(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    body = fields.String(required=True, validate=validate.Length(min=1, max=100_000))
    kind = fields.String(load_default=Kind.REGULAR.value, validate=validate.OneOf(values(Kind)))
    urgency = fields.String(load_default=Urgency.NORMAL.value, validate=validate.OneOf(values(Urgency)))
    sensitive = Flag(load_default=False)
    topics = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)), load_default=list, validate=validate.Length(max=20)
    )
    corrects = fields.Integer(
        allow_none=True, load_default=None, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )


class VersionIn(ContentIn):
    """A new version; `version` (optional) is the one the drafter read."""

    version = fields.Integer(strict=True)


class ActionIn(Lenient):
    """A lifecycle action on the version the actor read."""

    # Listed for clients; an unknown action is answered 400 by the view, as the contract says.
    action = fields.String(required=True, metadata={"enum": list(ACTIONS)})
    version = fields.Integer(required=True, strict=True)
    comment = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))
    channels = fields.List(fields.String(validate=validate.OneOf(values(Channel))), allow_none=True, load_default=None)


class SensitivityPreviewIn(Lenient):
    """Text to test against a unit's rules before it is written."""

    title = fields.String(load_default="")
    body = fields.String(load_default="")
    topics = fields.List(fields.String(), load_default=list)


# --- output ---------------------------------------------------------------------------------


class RoleOut(ma.Schema):
    unit = fields.String()
    role = fields.String()


class UserOut(ma.Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    active = fields.Boolean()
    roles = fields.List(fields.Nested(RoleOut))


class TokenOut(ma.Schema):
    token = fields.String()
    expires_at = fields.String()
    user = fields.Nested(UserOut)


class UnitOut(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    parent_code = fields.String(allow_none=True)
    spokesperson = fields.String(allow_none=True)


class RuleOut(ma.Schema):
    code = fields.String()
    label = fields.String()
    keywords = fields.List(fields.String())
    topics = fields.List(fields.String())
    detectors = fields.List(fields.String())
    source = fields.String()
    active = fields.Boolean()


class ReasonOut(ma.Schema):
    source = fields.String(metadata={"description": "drafter, escalation or rule"})
    rule = fields.String()
    label = fields.String()
    matched = fields.String(metadata={"description": "The words that made the rule match"})


class StatementOut(ma.Schema):
    id = fields.Integer()
    unit = fields.String()
    unit_name = fields.String()
    state = fields.String()
    version = fields.Integer()
    title = fields.String()
    body = fields.String()
    kind = fields.String()
    urgency = fields.String()
    topics = fields.List(fields.String())
    sensitive = fields.Boolean()
    sensitivity_reasons = fields.List(fields.Nested(ReasonOut))
    sensitivity_cleared = fields.Dict(allow_none=True)
    author = fields.String()
    content_hash = fields.String()
    allowed_actions = fields.List(fields.String())
    created_at = fields.String()
    updated_at = fields.String()
    corrects = fields.Integer(allow_none=True)
    escalated_by = fields.String(allow_none=True)
    approved = fields.Dict(allow_none=True)
    released = fields.Dict(allow_none=True)
    retracted = fields.Dict(allow_none=True)


class VersionOut(ma.Schema):
    statement = fields.Integer()
    number = fields.Integer()
    title = fields.String()
    body = fields.String()
    kind = fields.String()
    urgency = fields.String()
    topics = fields.List(fields.String())
    sensitive = fields.Boolean()
    content_hash = fields.String()
    author = fields.String()
    created_at = fields.String()


class DiffOut(ma.Schema):
    statement = fields.Integer()
    source = fields.Integer(data_key="from")
    target = fields.Integer(data_key="to")
    changed = fields.Boolean()
    fields_changed = fields.List(fields.String())
    title = fields.List(fields.Dict())
    body = fields.List(fields.Dict())
    unified = fields.String()


class LedgerEntryOut(ma.Schema):
    #: Null, with prev_hash and hash, until the entry is sealed into the chain (PostgreSQL: moments after commit).
    seq = fields.Integer(allow_none=True)
    at = fields.String()
    kind = fields.String()
    action = fields.String()
    statement = fields.Integer(allow_none=True)
    version = fields.Integer(allow_none=True)
    content_hash = fields.String(allow_none=True)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    data = fields.Dict()
    prev_hash = fields.String(allow_none=True)
    hash = fields.String(allow_none=True)


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


class LedgerPageOut(page_of(LedgerEntryOut)):
    """A page of sealed entries; `unsealed`: entries written but not yet given their place (only when some are)."""

    unsealed = fields.Integer()
