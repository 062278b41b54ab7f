"""Statements read for answers: plain objects built from Core rows, with no identity map or unit of work.

Reads are most of the traffic, and what an answer needs of a statement is fixed: its columns, the names of
the people it records, its unit's code and name, and its versions. Loading ORM objects for that cost more
than the rest of a read together (the identity map, three entities a row, attribute instrumentation).
`StatementView` and `VersionView` carry the same attributes under the ORM's names, so the serialisers,
the guards, the state machine and access logging take either. A decision changes a view it loaded
locked and writes what it changed back in one UPDATE, which on PostgreSQL also appends the decision's ledger
entry (`write_back`); nothing else writes them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.acting import reviewer_exists
from auth.models import Unit
from statements.lifecycle.models import (
    PEOPLE,
    FiguresPolicy,
    Statement,
    StatementVersion,
    WithVersions,
    content_hash,
    release_recorded,
    username_of,
)
from workflow import ledger
from workflow.db import MAX_ID, among, utcnow
from workflow.deadlines import Policy, UnitDeadlines
from workflow.sensitivity import SensitivityRule

_S = Statement.__table__
_V = StatementVersion.__table__
_U = Unit.__table__
_R = SensitivityRule.__table__
#: The unit's own figures policy, if it set one: joined once rather than read by a subquery per row.
_FP = FiguresPolicy.__table__


class UnitView(SimpleNamespace):
    """A statement's unit as answers name it: id, code and name."""


class VersionView(SimpleNamespace):
    """A version as answers read it: its columns and `author_name`."""

    def recompute_hash(self) -> str:
        """Return the content hash recomputed from the stored columns."""
        return content_hash(self.title, self.body, self.kind, self.topics, self.figures)


class StatementView(WithVersions, SimpleNamespace):
    """A statement as answers and guards read it: its columns, `*_name`s, `unit` and `versions`."""

    #: Its unit's active sensitivity rules, and whether anyone reviews its unit, when loaded for a decision
    #: (`one(..., for_update=True)`).
    rules: list | None = None
    reviewable: bool | None = None
    #: Its unit's deadline policy, when loaded for a decision.
    deadlines: Policy | None = None
    #: For an approval: the unit's rules as they stood before each change the approver made to them.
    rules_before_actor: list | None = None


#: What the serialisers, the guards, access logging and sensitivity take.
AnyStatement = Statement | StatementView
AnyVersion = StatementVersion | VersionView


def _statement_columns(s: sa.FromClause, u: sa.FromClause, fp: sa.FromClause) -> tuple[sa.ColumnElement, ...]:
    # What a statement's answer reads, in this order: its columns (not the search key), who it names, its
    # unit; from the statements, units and figures policies given (the tables, or aliases of them).
    return (
        *(c for c in s.c if c.key != "search_text"),
        *(username_of(s.c[f"{name}_id"]).label(f"{name}_name") for name in PEOPLE),
        release_recorded(s.c.id, s.c.released_hash, s.c.released_version).label("release_recorded"),
        fp.c.min_analysis_words.label("analysis_min_words"),
        fp.c.raw_share_percent.label("raw_share_percent"),
        u.c.code.label("unit_code"),
        u.c.name.label("unit_name"),
    )


def _version_columns(v: sa.FromClause) -> tuple[sa.ColumnElement, ...]:
    # A version's columns and its author's name.
    return (*v.c, username_of(v.c.author_id).label("author_name"))


def _with_unit(s: sa.FromClause, u: sa.FromClause, fp: sa.FromClause) -> sa.Join:
    # A statement always has its unit (and maybe its figures policy).
    return s.join(u, u.c.id == s.c.unit_id).outerjoin(fp, fp.c.unit_id == s.c.unit_id)


#: What a statement's answer reads (`_statement_columns`), from the tables themselves.
STATEMENT_COLUMNS = _statement_columns(_S, _U, _FP)
_STATEMENT_KEYS = tuple(c.key for c in STATEMENT_COLUMNS)
_ID = _STATEMENT_KEYS.index("id")
_VERSION_COLUMNS = _version_columns(_V)
_VERSION_KEYS = tuple(c.key for c in _VERSION_COLUMNS)
#: The FROM every statement query here reads.
WITH_UNIT = _with_unit(_S, _U, _FP)
#: One statement with its unit and versions, a row per version (the floor benchmark builds on it too).
ONE_STATEMENT = (
    sa.select(*STATEMENT_COLUMNS, *_VERSION_COLUMNS)
    .select_from(WITH_UNIT.join(_V, _V.c.statement_id == _S.c.id))
    .order_by(_V.c.number)
    .where(_S.c.id == sa.bindparam("id"))
)


def _unit_rules(
    unit_id: sa.ColumnElement[int], aggregate: Callable, array: Callable, nested: Callable
) -> sa.ScalarSelect:
    # The statement's unit's active rules as one JSON array of [id, code, label, keywords, topics,
    # detectors], aggregated by the server: a decision reads them with its statement, not in a query of
    # their own. Unordered (SQLite 3.40 cannot order an aggregate); `rules_of` sorts them by id.
    r = _R.alias("r")
    rule = array(r.c.id, r.c.code, r.c.label, nested(r.c.keywords), nested(r.c.topics), nested(r.c.detectors))
    return sa.select(aggregate(rule)).where(r.c.unit_id == unit_id, r.c.active).scalar_subquery()


#: One statement locked for a decision (NO KEY UPDATE, of the statement only: see `queries.load`), with
#: what a decision needs of its unit: its active sensitivity rules, whether anyone reviews it, and its
#: deadline policy (read here, not in queries of their own); per dialect, as JSON is built differently.
_DL = UnitDeadlines.__table__


def _locked_statement(aggregate: Callable, array: Callable, nested: Callable) -> sa.Select:
    # The tables under short aliases: the query must stay within the 4,096 bytes up to which psycopg
    # caches its conversion of a query's text; past them, every decision paid for parsing it afresh (2.5%
    # of a decision's CPU by sampling, 2026-12-06; tests/test_query_budget.py holds the length).
    s, v, u, fp, dl = _S.alias("s"), _V.alias("v"), _U.alias("u"), _FP.alias("fp"), _DL.alias("dl")
    # The unit's deadline policy: what it sets over the defaults, and its days off, by one outer join.
    policy = (dl.c.hours, dl.c.days_off, dl.c.remind_percent, dl.c.grace_minutes)
    return (
        sa.select(
            *_statement_columns(s, u, fp),
            *_version_columns(v),
            _unit_rules(s.c.unit_id, aggregate, array, nested),
            reviewer_exists(s.c.unit_id),
            *policy,
        )
        .select_from(
            _with_unit(s, u, fp).join(v, v.c.statement_id == s.c.id).outerjoin(dl, dl.c.unit_id == s.c.unit_id)
        )
        .where(s.c.id == sa.bindparam("id"))
        .order_by(v.c.number)
        .with_for_update(of=s, key_share=True)
    )


LOCKED_STATEMENT = {
    "postgresql": _locked_statement(sa.func.json_agg, sa.func.json_build_array, lambda column: column),
    "sqlite": _locked_statement(sa.func.json_group_array, sa.func.json_array, sa.func.json),
}
#: What a decision may change: every column but the id and the search key.
WRITABLE = tuple(c.key for c in _S.c if c.key not in ("id", "search_text"))
UPDATE_STATEMENT = sa.update(_S).where(_S.c.id == sa.bindparam("_id"))


def statement_view(values: Iterable, versions: list[VersionView]) -> StatementView:
    """Build a statement from the values of STATEMENT_COLUMNS, in order, and its versions."""
    fields = dict(zip(_STATEMENT_KEYS, values, strict=True))
    fields["unit"] = UnitView(id=fields["unit_id"], code=fields.pop("unit_code"), name=fields.pop("unit_name"))
    return StatementView(**fields, versions=versions)


def one(session: Session, statement_id: int, *, for_update: bool = False) -> StatementView | None:
    """Return one statement with its versions (one query), or None.

    `for_update` locks it until commit and gives it `rules` (its unit's active sensitivity rules) and
    `reviewable` (whether its unit has a spokesperson, or a leader at or above it).
    """
    if not 0 < statement_id <= MAX_ID:  # beyond the column's range nothing exists (and PostgreSQL would refuse)
        return None
    query = LOCKED_STATEMENT[session.get_bind().dialect.name] if for_update else ONE_STATEMENT
    rows = session.execute(query, {"id": statement_id, "now": utcnow()} if for_update else {"id": statement_id}).all()
    if not rows:
        return None
    width, end = len(_STATEMENT_KEYS), len(_STATEMENT_KEYS) + len(_VERSION_KEYS)
    versions = [VersionView(**dict(zip(_VERSION_KEYS, row[width:end], strict=True))) for row in rows]
    statement = statement_view(rows[0][:width], versions)
    if for_update:
        statement.rules = rules_of(rows[0][end])
        statement.reviewable = bool(rows[0][end + 1])
        hours, days_off, remind, grace = rows[0][end + 2 : end + 6]
        statement.deadlines = Policy.from_stored(_json(hours), _json(days_off), remind, _json(grace))
    return statement


def several(session: Session, ids: list[int]) -> list[StatementView]:
    """Return statements with their versions (two queries), in the order of `ids`, leaving out any that do not exist."""
    rows = session.execute(
        sa.select(*STATEMENT_COLUMNS).select_from(WITH_UNIT).where(among(_S.c.id, ids, session.get_bind().dialect.name))
    ).all()
    found = {statement.id: statement for statement in page_of(session, rows)}
    return [found[i] for i in ids if i in found]


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


def rules_of(aggregated: str | list | None) -> list[SimpleNamespace]:
    """Return the rules `_unit_rules` aggregated, in id order, as rows of what matching reads."""
    found = json.loads(aggregated) if isinstance(aggregated, str) else aggregated or []
    return [
        SimpleNamespace(code=code, label=label, keywords=keywords, topics=topics, detectors=detectors, active=True)
        for _id, code, label, keywords, topics, detectors in sorted(found)
    ]


def versions_of(session: Session, ids: list[int]) -> dict[int, list[VersionView]]:
    """Return the versions of several statements, oldest first, from one query whose text is the same for any page."""
    found: dict[int, list[VersionView]] = {i: [] for i in ids}
    if not ids:
        return found
    of_page = among(_V.c.statement_id, ids, session.get_bind().dialect.name)
    query = sa.select(*_VERSION_COLUMNS).where(of_page).order_by(_V.c.statement_id, _V.c.number)
    for row in session.execute(query).all():  # one fetch, not one per row
        version = VersionView(**dict(zip(_VERSION_KEYS, row, strict=True)))
        found[version.statement_id].append(version)
    return found


def page_of(session: Session, rows: list[Iterable]) -> list[StatementView]:
    """Build statements from rows that start with STATEMENT_COLUMNS, each with its versions."""
    width = len(_STATEMENT_KEYS)
    values = [tuple(row)[:width] for row in rows]
    found = versions_of(session, [v[_ID] for v in values])
    return [statement_view(v, found[v[_ID]]) for v in values]


def write_back(session: Session, statement: StatementView, before: dict, entry: dict) -> None:
    """Write the columns that differ from `before` (values of WRITABLE) in one UPDATE, with `entry` for the ledger."""
    changed = {key: value for key in WRITABLE if (value := getattr(statement, key)) != before[key]}
    if not changed:  # every decision sets updated_at today; should one not, its entry must still be written
        ledger.append(session, **entry)
    else:
        # SET comes from the parameters' names: one statement object, its SQL cached per set of columns.
        done = ledger.append_with_update(session, UPDATE_STATEMENT, {"_id": statement.id, **changed}, entry)
        if done.rowcount != 1:  # the row is locked by this transaction: anything else is a bug
            raise RuntimeError(f"statement {statement.id}: {done.rowcount} rows updated")
    # An ORM copy of this row in the session (a caller's, a test's) would now be stale.
    if (copy := session.identity_map.get(session.identity_key(Statement, statement.id))) is not None:
        session.expire(copy)
