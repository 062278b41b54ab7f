"""Who reviews a unit's statements: its designated spokesperson, or with none its nearest leaders.

Decree 09/2017/ND-CP Art. 2 makes the head of an agency its spokesperson unless someone else is
designated. A unit with drafters and no designation is therefore reviewed by its leaders, acting as
spokesperson; a unit with no leader of its own by the leaders of the nearest unit above that has any.
A leader may also appoint someone acting spokesperson for a period (leave, a crisis team): while the
appointment holds, that person reviews beside the designated one, and is whom the unit's work waits for.
The four-eyes guards hold for an acting spokesperson exactly as for a designated one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from auth.models import ActingAppointment, Membership, Unit, User
from workflow.db import constant, utcnow
from workflow.states import Role


@dataclass(frozen=True)
class Reviewer:
    """Someone a submitted statement waits for."""

    username: str
    full_name: str
    #: True when they review as the unit's leader because nobody is designated, or by appointment.
    acting: bool
    #: Until when an acting appointment holds (None: not appointed).
    until: dt.datetime | None = None


@dataclass(frozen=True)
class Speakers:
    """The organisation's review structure, read in one query: units are hundreds, not millions."""

    parents: dict[int, int | None]
    #: Active leaders by unit, and the units with a designated (active) spokesperson.
    leaders: dict[int, set[int]]
    designated: dict[int, int]

    def nearest_leaders(self, unit_id: int, excluded: frozenset[int] | set[int] = frozenset()) -> set[int]:
        """Return the leaders of the unit, or of the nearest unit above it that has any (not counting `excluded`)."""
        seen: set[int] = set()
        current: int | None = unit_id
        while current is not None and current not in seen:
            seen.add(current)
            if found := self.leaders.get(current, set()) - excluded:
                return found
            current = self.parents.get(current)
        return set()

    def speakers_of(self, unit_id: int) -> tuple[set[int], bool]:
        """Return who speaks for the unit and whether they act (no designation) rather than hold the role."""
        if unit_id in self.designated:
            return {self.designated[unit_id]}, False
        return self.nearest_leaders(unit_id), True


def read_speakers(session: Session, parents: dict[int, int | None] | None = None) -> Speakers:
    """Read the unit tree (unless given), its active leaders and its designated spokespersons."""
    if parents is None:
        parents = dict(session.execute(sa.select(Unit.id, Unit.parent_id)).all())
    rows = session.execute(
        sa.select(Membership.unit_id, Membership.role, Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.role.in_([Role.LEADER.value, Role.SPOKESPERSON.value]), User.active)
    )
    leaders: dict[int, set[int]] = {}
    designated: dict[int, int] = {}
    for unit_id, role, user_id in rows:
        if role == Role.LEADER:
            leaders.setdefault(unit_id, set()).add(user_id)
        else:
            designated[unit_id] = user_id
    return Speakers(parents, leaders, designated)


def acting_units(
    session: Session, user_id: int, scope: Iterable[int], parents: dict[int, int | None]
) -> frozenset[int]:
    """Return the units in a leader's scope that have no designated spokesperson and whose nearest leader they are."""
    speakers = read_speakers(session, parents)
    return frozenset(
        unit_id
        for unit_id in scope
        if unit_id not in speakers.designated and user_id in speakers.nearest_leaders(unit_id)
    )


def reviewers_of(session: Session, unit_id: int) -> list[Reviewer]:
    """Return who reviews the unit's submitted statements, by name: nobody when the unit has neither."""
    ids, acting = read_speakers(session).speakers_of(unit_id)
    appointed = session.execute(
        sa.select(User.username, User.full_name, ActingAppointment.ends_at)
        .join(ActingAppointment, ActingAppointment.user_id == User.id)
        .where(ActingAppointment.unit_id == unit_id, ActingAppointment.active_at(utcnow()), User.active)
        .order_by(User.full_name)
    )
    found = [Reviewer(username, full_name, True, until) for username, full_name, until in appointed]
    if ids:
        people = session.execute(
            sa.select(User.username, User.full_name).where(User.id.in_(sorted(ids))).order_by(User.full_name)
        )
        found += [Reviewer(username, full_name, acting) for username, full_name in people]
    return found


def reviewer_exists(unit_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """Return the SQL condition that unit `unit_id` has a reviewer (an outer query's column, or a bound value).

    The query it is part of binds `now`, when an acting appointment must hold.
    """
    # A decision reads it with its statement (statements.lifecycle.snapshots), not in a query of its own.
    up = _unit_and_above(unit_id, nesting=True)
    # Short aliases keep the decision's statement read within psycopg's cached query length (snapshots).
    m, a = aliased(Membership, name="m"), aliased(ActingAppointment, name="a")
    active = sa.select(m.user_id).join(User, User.id == m.user_id).where(User.active).correlate_except(m, User)
    spokesperson = active.where(m.unit_id == unit_id, m.role == constant(Role.SPOKESPERSON.value))
    leader = active.where(m.unit_id.in_(sa.select(up.c.id)), m.role == constant(Role.LEADER.value))
    appointed = (
        sa.select(a.id)
        .join(User, User.id == a.user_id)
        .where(a.unit_id == unit_id, ActingAppointment.active_at(sa.bindparam("now"), a), User.active)
        .correlate_except(a, User)
    )
    return sa.or_(spokesperson.exists(), leader.exists(), appointed.exists())


def _unit_and_above(unit_id: sa.ColumnElement[int], *, nesting: bool = False) -> sa.CTE:
    """Return the unit `unit_id` names and the units above it, nearest first (`depth`), as a recursive CTE."""
    units = Unit.__table__.c
    anchor = (
        sa.select(units.id, units.parent_id, constant(0).label("depth"))
        .where(units.id == unit_id)
        .correlate_except(Unit)
    )
    up = anchor.cte("up", recursive=True, nesting=nesting)
    # The depth bound only guards against a corrupt tree.
    return up.union_all(
        sa.select(units.id, units.parent_id, up.c.depth + constant(1)).where(
            units.id == up.c.parent_id, up.c.depth < constant(64)
        )
    )


_UNIT_ID = sa.bindparam("unit_id", type_=sa.Integer)
#: The role an appointee has in `waiting_rows`: no membership, an appointment.
ACTING = "acting"


#: Built once, for a bound `unit_id`: building the recursive query cost more CPU than running it.
_UP = _unit_and_above(_UNIT_ID)
#: The active leaders and spokespersons of the unit bound as `unit_id` and of the units above it, nearest
#: first, with its acting spokespersons by appointment at `now` (at depth 0, as "acting").
_WAITING = sa.union_all(
    sa.select(_UP.c.depth.label("depth"), Membership.role.label("role"), User.id, User.full_name.label("full_name"))
    .join(Membership, Membership.unit_id == _UP.c.id)
    .join(User, User.id == Membership.user_id)
    .where(User.active, Membership.role.in_([Role.LEADER.value, Role.SPOKESPERSON.value])),
    sa.select(constant(0), constant(ACTING), User.id, User.full_name)
    .join(ActingAppointment, ActingAppointment.user_id == User.id)
    .where(User.active, ActingAppointment.unit_id == _UNIT_ID, ActingAppointment.active_at(sa.bindparam("now"))),
).order_by("depth", "full_name")


@dataclass(frozen=True)
class NextActor:
    """Someone who must act next on a statement, and as what."""

    user_id: int
    full_name: str
    #: "author", "spokesperson", "acting_spokesperson" (a leader, nobody being designated) or "leader".
    role: str


def who_acts_next(
    session: Session | sa.Connection, state: str, unit_id: int, author_id: int, excluded: Iterable[int | None]
) -> list[NextActor]:
    """Return who must act next on a statement in `state`: nobody once it is final (one query at most)."""

    def author() -> NextActor:
        name = session.execute(sa.select(User.full_name).where(User.id == author_id)).scalar_one()
        return NextActor(author_id, name, "author")

    return acts_next(state, author, lambda: waiting_rows(session, unit_id), excluded)


def acts_next(
    state: str,
    author: Callable[[], NextActor],
    waiting: Callable[[], list[tuple[int, str, int, str]]],
    excluded: Iterable[int | None],
) -> list[NextActor]:
    """Return who must act next in `state`, asking for the author or the unit's `waiting_rows` only when needed."""
    if state in AUTHOR_STATES:
        return [author()]
    if state not in REVIEW_STATES:
        return []
    return pick_next(waiting(), state, excluded)


#: The states in which a statement waits for a reviewer (its spokesperson, or leaders), and for its author.
REVIEW_STATES = ("in_review", "approved", "escalated")
AUTHOR_STATES = ("draft", "changes_requested")


def waiting_rows(session: Session | sa.Connection, unit_id: int) -> list[tuple[int, str, int, str]]:
    """Return the active leaders and spokespersons of the unit and of the units above it, nearest first."""
    return [tuple(row) for row in session.execute(_WAITING, {"unit_id": unit_id, "now": utcnow()})]


def pick_next(rows: list[tuple[int, str, int, str]], state: str, excluded: Iterable[int | None]) -> list[NextActor]:
    """Return whom a statement of the unit whose `waiting_rows` these are waits for in `state` (a review state).

    The acting spokespersons by appointment and the designated spokesperson, unless it is escalated; else
    the leaders of the nearest unit that has any not `excluded` (its writers, and whoever escalated it),
    acting as spokesperson or deciding as leaders.
    """
    if state != "escalated":
        # An appointee stands in for someone away: the work waits for them first, and the designated
        # spokesperson, who may still act, is told too.
        speakers = [NextActor(user, name, "acting_spokesperson") for _, role, user, name in rows if role == ACTING]
        speakers += [
            NextActor(user, name, "spokesperson")
            for depth, role, user, name in rows
            if depth == 0 and role == Role.SPOKESPERSON
        ]
        if speakers:
            return speakers
    skip = set(excluded)
    leaders = [(depth, user, name) for depth, role, user, name in rows if role == Role.LEADER and user not in skip]
    if not leaders:
        return []
    nearest = leaders[0][0]
    role = "leader" if state == "escalated" else "acting_spokesperson"
    return [NextActor(user, name, role) for depth, user, name in leaders if depth == nearest]


def waiting_for(
    session: Session, state: str, unit_id: int, author_id: int, excluded: set[int | None]
) -> list[tuple[str, str]]:
    """Return who must act next on a statement, as (full name, role): nobody once it is final (one query)."""
    return [(who.full_name, who.role) for who in who_acts_next(session, state, unit_id, author_id, excluded)]
