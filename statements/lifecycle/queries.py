"""Reading statements: loading with what their answers need, visibility, lists, awaiting and history."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, joinedload, undefer_group

from auth.models import Unit, User
from statements.lifecycle import lateness, snapshots
from statements.lifecycle.models import PEOPLE_GROUP, Statement, release_recorded, release_recorded_row_by_row
from statements.lifecycle.snapshots import STATEMENT_COLUMNS, WITH_UNIT, AnyStatement, AnyVersion, StatementView
from workflow import ledger
from workflow.actor import Actor
from workflow.db import MAX_ID, count_of, utcnow
from workflow.deadlines import ZONE
from workflow.errors import NotFound
from workflow.guards import can_read, can_read_internals, require_read_internals
from workflow.ledger import sealing
from workflow.states import PUBLIC_STATES, Role, State, Urgency
from workflow.text import like_pattern, search_key

_S = TypeVar("_S", Statement, StatementView)

# --- loading ---------------------------------------------------------------------------------

#: One statement with what serialising it reads, in one query: its versions and every person it names.
ONE_STATEMENT_LOAD = (joinedload(Statement.versions).undefer_group(PEOPLE_GROUP), undefer_group(PEOPLE_GROUP))


def load(session: Session, statement_id: int, *, for_update: bool = False) -> Statement | None:
    """Return the statement with what its answer reads, whoever asks (callers check visibility)."""
    if not 0 < statement_id <= MAX_ID:  # beyond the column's range nothing exists (and PostgreSQL would refuse)
        return None
    query = sa.select(Statement).where(Statement.id == statement_id)
    if for_update:
        # The row lock serialises decisions on one statement (PostgreSQL; SQLite writes are serial anyway).
        # NO KEY UPDATE, because a plain FOR UPDATE also blocks the foreign-key checks of ledger entries
        # about this statement: a reader logging its read under the ledger lock would wait for the decider,
        # who waits for the ledger lock (a deadlock the benchmark found; see test_concurrency).
        query = query.with_for_update(of=Statement, key_share=True)
    return session.scalars(query.options(*ONE_STATEMENT_LOAD)).unique().one_or_none()


def get_statement(session: Session, statement_id: int, actor: Actor | None, *, for_update: bool = False) -> Statement:
    """Return the statement, or 404 when it does not exist or the actor may not know it exists."""
    return _readable(load(session, statement_id, for_update=for_update), statement_id, actor)


def standing(session: Session, statement_id: int | None) -> bool:
    """Say whether a statement exists and is neither rejected nor withdrawn (an answer or correction still counts)."""
    if statement_id is None:
        return False
    state = session.scalar(sa.select(Statement.state).where(Statement.id == statement_id))
    return state is not None and state not in (State.REJECTED, State.WITHDRAWN)


def read_statement(
    session: Session, statement_id: int, actor: Actor | None, *, for_update: bool = False
) -> StatementView:
    """Return the statement as plain values (one query), or 404 as `get_statement` does; locked when asked."""
    return _readable(snapshots.one(session, statement_id, for_update=for_update), statement_id, actor)


def _readable(statement: _S | None, statement_id: int, actor: Actor | None) -> _S:
    # Not there and not visible answer alike: an outsider may not learn that a statement exists.
    if statement is None or not can_read(statement, actor):
        raise NotFound("statement", f"No statement {statement_id}.")
    return statement


def readable_versions(statement: AnyStatement, actor: Actor | None) -> list[AnyVersion]:
    """Return the versions the actor may read: all for the unit's people, the released one for others."""
    if can_read_internals(statement, actor):
        return list(statement.versions)
    return [v for v in statement.versions if v.number == statement.released_version]


def get_version(session: Session, statement: AnyStatement, number: int, actor: Actor | None) -> AnyVersion:
    """Return one version the actor may read, or 404."""
    version = next((v for v in readable_versions(statement, actor) if v.number == number), None)
    if version is None:
        raise NotFound("version", f"Statement {statement.id} has no version {number}.")
    return version


# --- lists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a list of statements is narrowed to; None (or False) narrows nothing."""

    state: str | None = None
    unit: str | None = None
    #: What awaits the actor's decision, oldest first (instead of everything, newest first).
    awaiting_me: bool = False
    q: str | None = None
    kind: str | None = None
    urgency: str | None = None
    sensitive: bool | None = None
    #: Only what is past its due time.
    overdue: bool = False
    #: Only the overdue steps that wait on this person (a username), as the statement page names whom.
    late: str | None = None
    #: Only statements where this happened (one of EVENTS), from `since` to `until` (local days, both kept).
    event: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    #: Only approved statements whose release is scheduled (True), or anything but those (False).
    scheduled: bool | None = None
    #: Only emergency releases still awaiting their review.
    review_pending: bool = False
    #: Only the units the actor leads, and those below them.
    led: bool = False


NO_FILTERS = Filters()
AWAITING_ME = Filters(awaiting_me=True)


#: What `Filters.event` names: each is a moment a statement records, on its row or (escalations by the
#: deadline sweep) on the ledger.
EVENTS = ("released", "escalated", "emergency_release", "deadline_escalation")


def local_day_start(day: dt.date) -> dt.datetime:
    """Return when a day begins in Vietnam, in UTC."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZONE).astimezone(dt.UTC)


def happened(event: str, since: dt.date | None = None, until: dt.date | None = None) -> sa.ColumnElement[bool]:
    """Return the SQL condition that `event` happened to a statement from day `since` to day `until`, both kept."""

    def within(column: sa.ColumnElement[dt.datetime] | Mapped[dt.datetime | None]) -> sa.ColumnElement[bool]:
        conditions = [column.is_not(None)]
        if since is not None:
            conditions.append(column >= local_day_start(since))
        if until is not None:
            conditions.append(column < local_day_start(until + dt.timedelta(days=1)))
        return sa.and_(*conditions)

    if event == "released":
        return within(Statement.released_at)
    if event == "escalated":
        return within(Statement.escalated_at)
    if event == "emergency_release":
        return sa.and_(Statement.released_via == "emergency", within(Statement.released_at))
    if event == "deadline_escalation":
        entry = ledger.LedgerEntry
        return (
            sa.select(entry.id)
            .where(
                entry.statement_id == Statement.id,
                entry.kind == ledger.EntryKind.DEADLINE,
                entry.action == "deadline_escalation",
                within(entry.at),
            )
            .exists()
        )
    raise ValueError(f"unknown event {event!r}")


def visible_filter(actor: Actor | None) -> sa.ColumnElement[bool]:
    """Return the SQL condition for statements the actor may see."""
    released = Statement.state.in_([s.value for s in PUBLIC_STATES])
    if actor is None:
        return sa.and_(released, release_recorded(Statement.id, Statement.released_hash, Statement.released_version))
    if actor.is_auditor:
        return sa.true()
    if not actor.read_scope:
        return sa.and_(released, release_recorded(Statement.id, Statement.released_hash, Statement.released_version))
    # One's own units first: PostgreSQL tries an OR's terms in the order written, so a row of one's own
    # units never asks the ledger (a leader's list: 27 -> 1.2 ms at 100,000 statements).
    public = sa.and_(
        released, release_recorded_row_by_row(Statement.id, Statement.released_hash, Statement.released_version)
    )
    return sa.or_(Statement.unit_id.in_(sorted(actor.read_scope)), public)


def awaiting_filter(actor: Actor) -> sa.ColumnElement[bool]:
    """Return the SQL condition for statements awaiting the actor's decision, by role."""
    units = lambda role: sorted({u for u, r in actor.memberships if r == role})  # noqa: E731
    parts = []
    if drafter := units(Role.DRAFTER):
        parts.append(sa.and_(Statement.unit_id.in_(drafter), Statement.state == State.CHANGES_REQUESTED.value))
    # A leader acting as spokesperson (no designation in the unit) has its reviews waiting too.
    spokes = sorted(set(units(Role.SPOKESPERSON)) | actor.acting_for)
    if spokes:
        # A release scheduled waits on nobody: the worker releases it at its time.
        waiting = sa.or_(
            Statement.state == State.IN_REVIEW.value,
            sa.and_(Statement.state == State.APPROVED.value, Statement.release_at.is_(None)),
        )
        parts.append(sa.and_(Statement.unit_id.in_(spokes), waiting))
    if actor.leader_scope:
        parts.append(
            sa.and_(Statement.unit_id.in_(sorted(actor.leader_scope)), Statement.state == State.ESCALATED.value)
        )
    if reviewers := sorted(set(spokes) | actor.leader_scope):
        # An emergency release awaits its review by anyone who speaks for the unit or leads it, but its releaser.
        parts.append(
            sa.and_(
                Statement.unit_id.in_(reviewers),
                Statement.emergency_review_due_at.is_not(None),
                Statement.released_by_id != actor.user_id,
            )
        )
    return sa.or_(*parts) if parts else sa.false()


def list_statements(
    session: Session,
    actor: Actor | None,
    filters: Filters = NO_FILTERS,
    *,
    page: int = 1,
    per_page: int = 20,
    count_up_to: int | None = None,
) -> tuple[list[StatementView], int]:
    """Return one page of the statements the actor may see, newest first, and the total.

    With `count_up_to`, counting stops one past it: a total above it means "more than `count_up_to`".
    """
    where = list_filter(actor, filters)
    if filters.late:
        where = sa.and_(where, Statement.id.in_(lateness.late_for(session, filters.late, where, utcnow())))
    awaiting_me = filters.awaiting_me
    order = _order(awaiting_me)
    # The page's ids first, then the rows they name: joined before the LIMIT, every match would be loaded
    # just to be sorted and dropped. (A join, not IN: PostgreSQL hashes the whole table for an IN over a
    # LIMIT subquery.) The total rides along as an uncorrelated subquery: counted once, no round trip.
    # A search is left to the planner: with the count bounded, it walks the key newest first when the
    # words are common and gathers the matches through the trigram index when they are rare (measured
    # at 100,000 statements on 2026-12-04: 0.2 to 5 ms either way; gathering every match first, as this
    # did before, cost 130 ms for a common word).
    ids = sa.select(Statement.id).where(where).order_by(*order).offset((page - 1) * per_page).limit(per_page)
    ids = ids.subquery()
    count = count_of(sa.select(Statement.id).where(where), count_up_to)
    query = (
        sa.select(*STATEMENT_COLUMNS, count.scalar_subquery().label("total"))
        .select_from(WITH_UNIT.join(ids, Statement.id == ids.c.id))
        .order_by(*order)
    )
    rows = session.execute(query).all()
    items = snapshots.page_of(session, rows)
    if rows:
        return items, rows[0].total
    # Past the last page: no row carries the total.
    return items, session.scalar(count) if page > 1 else 0


#: Newest first; the awaiting list oldest first (what waits longest comes first).
def _order(awaiting_me: bool) -> tuple[sa.ColumnElement, ...]:
    """Newest first; what awaits the actor overdue first, then urgent, then by due time (oldest first after)."""
    if not awaiting_me:
        return (Statement.id.desc(),)
    late = sa.case((Statement.due_at < utcnow(), 0), else_=1)
    urgent = sa.case((Statement.urgency == Urgency.URGENT.value, 0), else_=1)
    return (late, urgent, Statement.due_at.asc().nulls_last(), Statement.updated_at.asc(), Statement.id.asc())


def awaiting_rows(actor: Actor) -> sa.Select:
    """Return the SQL that selects the statements awaiting the actor's decision, to count them."""
    return sa.select(Statement.id).where(list_filter(actor, AWAITING_ME))


def list_filter(actor: Actor | None, filters: Filters) -> sa.ColumnElement[bool]:
    """Return the SQL condition of the statements the actor may see that `filters` keeps (all but `late`)."""
    conditions = [visible_filter(actor)]
    if filters.state:
        conditions.append(Statement.state == filters.state)
    if filters.unit:
        conditions.append(Statement.unit.has(Unit.code == filters.unit))
    if filters.kind:
        conditions.append(Statement.kind == filters.kind)
    if filters.urgency:
        conditions.append(Statement.urgency == filters.urgency)
    if filters.sensitive is not None:
        conditions.append(Statement.sensitive.is_(filters.sensitive))
    if filters.overdue:
        conditions.append(lateness.overdue_condition(utcnow()))
    if filters.event:
        conditions.append(happened(filters.event, filters.since, filters.until))
        if filters.event == "deadline_escalation" and actor is not None and not actor.is_auditor:
            # A step's escalation is the unit's internal history, as its ledger is: not another unit's to learn.
            conditions.append(Statement.unit_id.in_(sorted(actor.read_scope)))
    if filters.scheduled is not None:
        scheduled = sa.and_(Statement.state == State.APPROVED.value, Statement.release_at.is_not(None))
        conditions.append(scheduled if filters.scheduled else sa.not_(scheduled))
    if filters.review_pending:
        conditions.append(Statement.emergency_review_due_at.is_not(None))
    if filters.led and actor is not None:
        conditions.append(Statement.unit_id.in_(sorted(actor.leader_scope)))
    if filters.awaiting_me and actor is not None:
        conditions.append(awaiting_filter(actor))
    if filters.q and filters.q.strip():
        conditions.extend(holding_words(filters.q))
    return sa.and_(*conditions)


#: What pg_trgm can take a trigram from in a LIKE pattern: three letters or digits in a row.
_TRIGRAM = re.compile(r"[^\W_]{3}")


def holding_words(q: str) -> list[sa.ColumnElement[bool]]:
    """Return the SQL conditions that a statement's search text holds every word of `q`, anywhere."""
    # Each pattern is written into the SQL text. As a parameter, PostgreSQL plans a statement it has run five
    # times once for any pattern, and that plan walked the whole table for every search (311 ms at p95 at
    # 100,000 statements, 2026-12-04); with the pattern before it, it plans for the words at hand.
    conditions = []
    for word in search_key(q).split():
        searched: sa.ColumnElement[str] = Statement.search_text
        if not _TRIGRAM.search(word):  # "19", "c++", "5/2": pg_trgm takes trigrams from runs of 3+ letters or digits
            # The trigram index answers such a pattern with every row, and PostgreSQL, not knowing that,
            # chose it to count a search's matches (66 ms at 100,000 statements): `|| ''` is not the indexed
            # expression, so the planner walks the table's key instead, stopping at the page and the count.
            searched = Statement.search_text.concat(sa.literal_column("''"))
        conditions.append(searched.like(sa.literal(like_pattern(word), literal_execute=True), escape="\\"))
    return conditions


def history(
    session: Session,
    statement: Statement,
    actor: Actor | None,
    page: int = 1,
    per_page: int = 20,
    *,
    with_reads: bool = True,
    count: bool = True,
    sealed_only: bool = True,
) -> tuple[list, int | None]:
    """Return a page of a statement's ledger entries, oldest first, and the total if asked (its unit's people only)."""
    require_read_internals(statement, actor)
    where = ledger.LedgerEntry.statement_id == statement.id
    if sealed_only:  # the API's history lists entries with their place in the chain
        sealing.seal_before_reading(session)
        where = sa.and_(where, ledger.LedgerEntry.seq.is_not(None))
    if not with_reads:
        where = sa.and_(where, ledger.LedgerEntry.kind != ledger.EntryKind.ACCESS)
    total = session.scalar(sa.select(sa.func.count()).select_from(ledger.LedgerEntry).where(where)) if count else None
    items = list(
        session.scalars(
            sa.select(ledger.LedgerEntry)
            .where(where)
            .order_by(*ledger.CHAIN_ORDER)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return items, total


def timeline(session: Session, statement: Statement, actor: Actor | None, limit: int = 500) -> tuple[list, dict]:
    """Return a statement's decisions (no reads), oldest first, sealed or not, and the full names of who made them.

    The statement page names people by name: one query for both, not one more for the names.
    """
    require_read_internals(statement, actor)
    entry = ledger.LedgerEntry
    rows = session.execute(
        sa.select(entry, User.full_name)
        .outerjoin(User, User.id == entry.actor_id)
        .where(entry.statement_id == statement.id, entry.kind != ledger.EntryKind.ACCESS)
        .order_by(*ledger.CHAIN_ORDER)
        .limit(limit)
    ).all()
    return [row[0] for row in rows], {row[0].actor: row[1] for row in rows if row[0].actor and row[1]}


def ledger_conditions(filters: dict) -> list[sa.ColumnElement[bool]]:
    """Return the SQL conditions on sealed entries of ledger filters (statement, actor, kind, action, dates, reads).

    `reads: False` leaves out access entries (reads and exports), which outnumber decisions many times.
    """
    entry = ledger.LedgerEntry
    conditions = [entry.seq.is_not(None)]
    if filters.get("statement") is not None:
        conditions.append(entry.statement_id == filters["statement"])
    if filters.get("actor"):
        conditions.append(entry.actor == filters["actor"])
    if filters.get("kind"):
        conditions.append(entry.kind == filters["kind"])
    if filters.get("action"):
        conditions.append(entry.action == filters["action"])
    if filters.get("since") is not None:
        conditions.append(entry.at >= filters["since"])
    if filters.get("until") is not None:
        conditions.append(entry.at < filters["until"])
    if filters.get("reads") is False:
        conditions.append(entry.kind != ledger.EntryKind.ACCESS)
    return conditions


def ledger_page(
    session: Session, filters: dict, page: int, per_page: int, *, count_up_to: int | None = None
) -> tuple[list[ledger.LedgerEntry], int]:
    """Return one page of sealed ledger entries in ascending seq, filtered as `ledger_conditions` says.

    Callers seal what waits first (`sealing.seal_before_reading`): an entry without its place is not listed.
    With `count_up_to`, counting stops one past it, as `list_statements` does.
    """
    entry = ledger.LedgerEntry
    conditions = ledger_conditions(filters)
    offset = (page - 1) * per_page
    if len(conditions) == 1:
        # The sealed chain runs 1..head without a gap (verify holds it to that), so a page is a seq range
        # and the total is the head: no count or OFFSET over a long ledger.
        head_seq, _ = ledger.head(session)
        page_rows = sa.select(entry).where(entry.seq > offset).order_by(entry.seq).limit(per_page)
        total = head_seq if count_up_to is None else min(head_seq, count_up_to + 1)  # counted as any list is
        return (list(session.scalars(page_rows)) if offset < head_seq else []), total
    where = sa.and_(*conditions)
    total = session.scalar(count_of(sa.select(entry.id).where(where), count_up_to)) or 0
    rows = session.scalars(sa.select(entry).where(where).order_by(entry.seq).offset(offset).limit(per_page))
    return list(rows), total
