"""Statements read for answers: plain objects built from Core rows, with no identity map or unit of work.

Reads are most of the traffic, and what an answer needs of a statement is fixed: its columns, the names of
the people it records, its unit's code and name, and its versions. Loading ORM objects for that cost more
than the rest of a read together (the identity map, three entities a row, attribute instrumentation).
`StatementView` and `VersionView` carry the same attributes under the ORM's names, so the serialisers,
the guards and access logging take either; they are read-only by convention and never flushed.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from auth.models import Unit
from statements.models import PEOPLE, Statement, StatementVersion, username_of

_S = Statement.__table__
_V = StatementVersion.__table__
_U = Unit.__table__


class UnitView(SimpleNamespace):
    """A statement's unit as answers name it: id, code and name."""


class VersionView(SimpleNamespace):
    """A version as answers read it: its columns and `author_name`."""


class StatementView(SimpleNamespace):
    """A statement as answers and guards read it: its columns, `*_name`s, `unit` and `versions`."""

    @property
    def current(self) -> VersionView:
        """The newest version."""
        return next(v for v in reversed(self.versions) if v.number == self.current_version)

    @property
    def writer_ids(self) -> set[int]:
        """Everyone who authored the statement or wrote one of its versions (for four-eyes)."""
        return {self.author_id, *(v.author_id for v in self.versions)}


#: What a statement's answer reads, in this order: its columns (not the search key), who it names, its unit.
STATEMENT_COLUMNS: tuple[sa.ColumnElement, ...] = (
    *(c for c in _S.c if c.key != "search_text"),
    *(username_of(_S.c[f"{name}_id"]).label(f"{name}_name") for name in PEOPLE),
    _U.c.code.label("unit_code"),
    _U.c.name.label("unit_name"),
)
_STATEMENT_KEYS = tuple(c.key for c in STATEMENT_COLUMNS)
_ID = _STATEMENT_KEYS.index("id")
#: A version's columns and its author's name.
_VERSION_COLUMNS: tuple[sa.ColumnElement, ...] = (*_V.c, username_of(_V.c.author_id).label("author_name"))
_VERSION_KEYS = tuple(c.key for c in _VERSION_COLUMNS)
#: The FROM every statement query here reads: a statement always has its unit.
WITH_UNIT = _S.join(_U, _U.c.id == _S.c.unit_id)

_ONE = (
    sa.select(*STATEMENT_COLUMNS, *_VERSION_COLUMNS)
    .select_from(WITH_UNIT.join(_V, _V.c.statement_id == _S.c.id))
    .where(_S.c.id == sa.bindparam("id"))
    .order_by(_V.c.number)
)


def statement_view(values: Iterable, versions: list[VersionView]) -> StatementView:
    """Build a statement from the values of STATEMENT_COLUMNS, in order, and its versions."""
    fields = dict(zip(_STATEMENT_KEYS, values, strict=False))
    fields["unit"] = UnitView(id=fields["unit_id"], code=fields.pop("unit_code"), name=fields.pop("unit_name"))
    return StatementView(**fields, versions=versions)


def one(session: Session, statement_id: int) -> StatementView | None:
    """Return one statement with its versions (one query), or None."""
    rows = session.execute(_ONE, {"id": statement_id}).all()
    if not rows:
        return None
    width = len(_STATEMENT_KEYS)
    versions = [VersionView(**dict(zip(_VERSION_KEYS, row[width:], strict=True))) for row in rows]
    return statement_view(rows[0][:width], versions)


def versions_of(session: Session, ids: list[int]) -> dict[int, list[VersionView]]:
    """Return the versions of several statements, oldest first, from one query whose text is the same for any page."""
    found: dict[int, list[VersionView]] = {i: [] for i in ids}
    if not ids:
        return found
    # IN (...) would have one parameter per statement: a new SQL text for every page size, which
    # psycopg converts afresh and PostgreSQL never prepares. An array parameter keeps one text.
    if session.get_bind().dialect.name == "postgresql":
        among = _V.c.statement_id == sa.any_(sa.bindparam("ids", ids, type_=ARRAY(sa.Integer)))
    else:
        among = _V.c.statement_id.in_(ids)
    query = sa.select(*_VERSION_COLUMNS).where(among).order_by(_V.c.statement_id, _V.c.number)
    for row in session.execute(query):
        version = VersionView(**dict(zip(_VERSION_KEYS, row, strict=True)))
        found[version.statement_id].append(version)
    return found


def page_of(session: Session, rows: list[Iterable]) -> list[StatementView]:
    """Build statements from rows that start with STATEMENT_COLUMNS, each with its versions."""
    width = len(_STATEMENT_KEYS)
    values = [tuple(row)[:width] for row in rows]
    found = versions_of(session, [v[_ID] for v in values])
    return [statement_view(v, found[v[_ID]]) for v in values]
