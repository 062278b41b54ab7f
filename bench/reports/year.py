"""The year seeded: every statement's story and the registers' entries, written in time order and sealed."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import heapq
import itertools
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from bench import scale
from bench.reports.story import Story
from bench.reports.world import (
    ENTRIES,
    GROUNDS,
    KINDS,
    LAG,
    OUTLETS,
    PER_PROVINCE,
    PLATFORMS,
    PROVINCES,
    STATEMENTS,
    URGENT_IN_HOURS,
    URGENT_OUT_OF_HOURS,
    YEAR,
    Person,
    Place,
    entry,
    organisation,
)
from workflow import ledger
from workflow.db import isoformat
from workflow.deadlines import ZONE, Policy, is_working_day
from workflow.ledger import EntryKind, sealing


class Year:
    """Everything seeded for a year: statements in the order they were drafted, registers, entries in time order."""

    def __init__(
        self,
        engine: sa.Engine,
        places: list[Place],
        auditor: Person,
        statements: int,
        entries: int,
        year: int,
        seed: int,
    ) -> None:
        self.engine, self.places, self.auditor = engine, places, auditor
        self.statements, self.entries, self.seed = statements, entries, seed
        self.policy = Policy()
        self.start = dt.datetime(year, 1, 1, tzinfo=ZONE).astimezone(dt.UTC)
        self.horizon = dt.datetime(year + 1, 1, 1, tzinfo=ZONE).astimezone(dt.UTC) - dt.timedelta(seconds=1)
        self.rng = random.Random(seed)
        self.heap: list[tuple[dt.datetime, int, dict[str, Any]]] = []
        self.order = itertools.count()
        self.written = 0
        self.generated = 0  # entries made here so far, written or waiting in the heap
        self.existing = 0  # entries the database held before (the organisation's)
        self.standing = 0  # entries of the registers' items not tied to a statement
        self.read_count = 0
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.ids = {}
        self.counts: dict[str, int] = {
            "press_requests": 0,
            "rumours": 0,
            "disclosures": 0,
            "violations": 0,
            "commendations": 0,
        }
        self.share = statements / 100_000

    # time

    def _days(self) -> list[tuple[dt.date, float]]:
        day, days = self.start.astimezone(ZONE).date(), []
        while day.year == self.start.astimezone(ZONE).year:
            weight = 1.0 if is_working_day(day) else 0.08 if day.weekday() == 5 else 0.04
            days.append((day, weight))
            day += dt.timedelta(days=1)
        return days

    def moments(self, count: int, rng: random.Random) -> list[tuple[dt.datetime, bool]]:
        """Return `count` moments of the year people start work, sorted: working hours mostly; whether in hours."""
        days = self._days()
        chosen = rng.choices([d for d, _ in days], [w for _, w in days], k=count)
        out = []
        for day in chosen:
            if rng.random() < 0.92 and is_working_day(day):
                morning = rng.random() < 0.55
                minutes = rng.uniform(7.5 * 60, 11.5 * 60) if morning else rng.uniform(13 * 60, 17 * 60)
                in_hours = True
            else:
                minutes = rng.choice((rng.uniform(17 * 60, 22 * 60), rng.uniform(6 * 60, 7.5 * 60)))
                in_hours = False
            local = dt.datetime.combine(day, dt.time(), ZONE) + dt.timedelta(minutes=minutes)
            out.append((local.astimezone(dt.UTC), in_hours))
        out.sort()
        return out

    # the ledger, in time order

    def push(self, entry: dict[str, Any]) -> None:
        heapq.heappush(self.heap, (entry["at"], next(self.order), entry))
        self.generated += 1

    def flush(self, upto: dt.datetime | None) -> None:
        """Write every entry before `upto` (all when None), in time order, in batches sealed as they go."""
        batch: list[dict[str, Any]] = []
        while self.heap and (upto is None or self.heap[0][0] < upto):
            batch.append(heapq.heappop(self.heap)[2])
            if len(batch) == 10_000:
                self._write(batch)
                batch = []
        self._write(batch)

    def _write(self, batch: list[dict[str, Any]]) -> None:
        if not batch:
            return
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(ledger.INSERT_UNSEALED, ledger.as_json_params(batch))
                # The real sealer, in this transaction: each entry gets its place in the chain before commit.
                while sealing.seal(conn, wait=True) == sealing.BATCH:
                    pass
            else:
                links = ledger.chain(batch, *ledger.head(conn))
                conn.execute(
                    sa.insert(ledger.LedgerEntry.__table__), [e | k for e, k in zip(batch, links, strict=True)]
                )
        self.written += len(batch)

    # rows

    def _next_id(self, conn: sa.Connection, table: str) -> Iterator[int]:
        start = conn.execute(sa.text(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")).scalar_one()
        return itertools.count(start)

    def _insert(self, names: tuple[str, ...]) -> None:
        from statements.disclosure.models import Disclosure, Violation
        from statements.lifecycle.models import Statement, StatementVersion
        from statements.pressdesk.models import PressRequest
        from statements.record.models import Commendation
        from statements.rumours.models import Rumour

        models = (Statement, StatementVersion, PressRequest, Rumour, Disclosure, Violation, Commendation)
        tables = {model.__tablename__: model.__table__ for model in models}
        with self.engine.begin() as conn:
            for name in names:
                rows = self.rows.pop(name, [])
                if rows:
                    conn.execute(sa.insert(tables[name]), rows)

    def row(self, table: str, fields: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(fields)
        if table in self.counts:
            self.counts[table] += 1

    # the registers

    def _press(
        self,
        place: Place,
        received: dt.datetime,
        urgent: bool,
        answer: tuple[int, dt.datetime] | None = None,
        refused: dt.datetime | None = None,
    ) -> None:
        """Register a question from the press: answered by a statement (its id, drafted when), refused, or open."""
        rng, rid = self.rng, next(self.ids["press_requests"])
        outlet = rng.choice(OUTLETS)
        question = f"Đề nghị cho biết tình hình tiêm chủng và dịch bệnh tại đơn vị (câu hỏi {rid})."
        due = received + dt.timedelta(days=3 if urgent else 30)
        ground = rng.choice(GROUNDS) if refused else None
        reason = "Thông tin thuộc phạm vi chưa được công bố theo quy định." if refused else None
        self.row(
            "press_requests",
            {
                "id": rid,
                "unit_id": place.id,
                "outlet": outlet,
                "journalist": f"Phóng viên {rid}",
                "contact": f"pv{rid}@bao.vn",
                "question": question,
                "received_at": received,
                "urgent": urgent,
                "due_at": due,
                "assigned_to_id": place.spokesperson.id,
                "status": "refused" if refused else "open",
                "answer_id": answer[0] if answer else None,
                "refusal_ground": ground,
                "refusal_reason": reason,
                "refused_at": refused,
                "refused_by_id": place.spokesperson.id if refused else None,
                "created_by_id": place.spokesperson.id,
                "created_at": received,
            },
        )
        data = {
            "request": rid,
            "outlet": outlet,
            "question_sha256": hashlib.sha256(question.encode()).hexdigest(),
            "received_at": isoformat(received),
            "due_at": isoformat(due),
            "urgent": urgent,
            "assigned_to": place.spokesperson.name,
        }
        who = place.spokesperson
        steps = [(received, "register_press_request", None, None, {"days": 3 if urgent else 30})]
        steps.append((received + dt.timedelta(minutes=rng.uniform(5, 90)), "assign_press_request", None, None, {}))
        if answer is not None:  # linked to its answer once the interview is drafted
            linked = answer[1] + dt.timedelta(minutes=rng.uniform(2, 30))
            steps.append((linked, "answer_press_request", answer[0], None, {}))
        if refused is not None:
            steps.append((refused, "refuse_press_request", None, reason, {"ground": ground}))
        for at, action, statement_id, comment, extra in steps:
            if at <= self.horizon:
                self.push(
                    entry(
                        at,
                        EntryKind.PRESS,
                        action,
                        place,
                        who,
                        "spokesperson",
                        statement_id=statement_id,
                        comment=comment,
                        data=data | extra,
                    )
                )

    def _rumour(
        self, place: Place, recorded: dt.datetime, assessment: str, correction: tuple[int, dt.datetime] | None = None
    ) -> None:
        """Record an item seen outside, judged (or not yet), and linked to its correction (its id, drafted when)."""
        rng, rid = self.rng, next(self.ids["rumours"])
        platform = rng.choice(PLATFORMS)
        address = f"https://{platform.split()[0].lower()}.com/bai-viet/{rid}"
        seen = recorded - dt.timedelta(hours=rng.uniform(0.5, 12))
        summary = f"Bài đăng cho rằng đơn vị che giấu ca bệnh (mục {rid})."
        assessed = recorded + dt.timedelta(minutes=rng.uniform(10, 180)) if assessment != "unassessed" else None
        self.row(
            "rumours",
            {
                "id": rid,
                "unit_id": place.id,
                "platform": platform,
                "address": address,
                "first_seen_at": seen,
                "summary": summary,
                "reach": rng.randint(200, 200_000),
                "text": None,
                "matched": None,
                "assessment": assessment,
                "assessment_note": "Đã đối chiếu với thông tin chính thức." if assessed else None,
                "assessed_at": assessed,
                "assessed_by_id": place.spokesperson.id if assessed else None,
                "concerns_id": None,
                "correction_id": correction[0] if correction else None,
                "reported_to_id": None,
                "reported_at": None,
                "created_by_id": place.spokesperson.id,
                "created_at": recorded,
            },
        )
        data = {
            "rumour": rid,
            "platform": platform,
            "address": address,
            "first_seen_at": isoformat(seen),
            "summary_sha256": hashlib.sha256(summary.encode()).hexdigest(),
            "text_sha256": None,
            "verdict": None,
        }
        steps: list[tuple[dt.datetime | None, str, int | None, dict[str, Any]]] = [
            (recorded, "record_rumour", None, {})
        ]
        steps.append((assessed, "assess_rumour", None, {"assessment": assessment}))
        if correction is not None and assessed is not None:
            link = max(assessed, correction[1]) + dt.timedelta(minutes=rng.uniform(5, 60))
            steps.append((link, "link_rumour", correction[0], {"concerns": None, "correction": correction[0]}))
        for at, action, statement_id, extra in steps:
            if at is not None and at <= self.horizon:
                self.push(
                    entry(
                        at,
                        EntryKind.WATCH,
                        action,
                        place,
                        place.spokesperson,
                        "spokesperson",
                        statement_id=statement_id,
                        data=data | extra,
                    )
                )

    def _disclosure(self, place: Place, opened: dt.datetime) -> None:
        rng, cid = self.rng, next(self.ids["disclosures"])
        text = f"Đoạn văn bản chưa phát ngôn xuất hiện trên mạng xã hội (vụ {cid})."
        closed = opened + dt.timedelta(days=rng.uniform(3, 30)) if rng.random() < 0.85 else None
        closed = closed if closed and closed <= self.horizon else None
        outcome = rng.choice(("leak_attributed", "leak_attributed", "not_a_leak", "leak_unattributed", "inconclusive"))
        outcome = outcome if closed else None
        digest = hashlib.sha256(text.encode()).hexdigest()
        self.row(
            "disclosures",
            {
                "id": cid,
                "text": text,
                "text_hash": digest,
                "seen_where": "Facebook",
                "seen_at": opened,
                "opened_at": opened,
                "opened_by_id": self.auditor.id,
                "unit_id": place.id,
                "scope": None,
                "analysis": {},
                "status": "closed" if closed else "open",
                "outcome": outcome,
                "finding": "Kết luận của đoàn kiểm tra." if closed else None,
                "closed_at": closed,
                "closed_by_id": self.auditor.id if closed else None,
            },
        )
        self.push(
            entry(
                opened,
                EntryKind.DISCLOSURE,
                "open_case",
                place,
                self.auditor,
                None,
                data={
                    "case": cid,
                    "text_hash": digest,
                    "seen_at": isoformat(opened),
                    "seen_where": "Facebook",
                    "released": False,
                    "matches": [],
                    "exports": [],
                },
            )
        )
        if closed:
            violators = [place.drafter] if outcome == "leak_attributed" else []
            for person in violators:
                self.row(
                    "violations",
                    {
                        "id": next(self.ids["violations"]),
                        "case_id": cid,
                        "user_id": person.id,
                        "unit_id": place.id,
                        "description": "Kết luận của đoàn kiểm tra.",
                        "recorded_at": closed,
                        "recorded_by_id": self.auditor.id,
                    },
                )
            self.push(
                entry(
                    closed,
                    EntryKind.DISCLOSURE,
                    "close_case",
                    place,
                    self.auditor,
                    None,
                    comment="Kết luận của đoàn kiểm tra.",
                    data={"case": cid, "outcome": outcome, "violators": [p.name for p in violators]},
                )
            )

    def released(self, story: Story, at: dt.datetime) -> None:
        """Now and then a leader commends the spokesperson for a release."""
        if story.rng.random() < 0.003:
            when = at + dt.timedelta(days=story.rng.uniform(1, 25))
            if when <= self.horizon:
                place, mid = story.place, next(self.ids["commendations"])
                description = "Phát ngôn kịp thời, chính xác, góp phần định hướng dư luận."
                self.row(
                    "commendations",
                    {
                        "id": mid,
                        "unit_id": place.id,
                        "user_id": place.spokesperson.id,
                        "description": description,
                        "statements": [story.sid],
                        "recorded_at": when,
                        "recorded_by_id": place.leader.id,
                    },
                )
                self.push(
                    entry(
                        when,
                        EntryKind.ADMIN,
                        "record_commendation",
                        place,
                        place.leader,
                        "leader",
                        comment=description,
                        data={"commendation": mid, "person": place.spokesperson.name, "statements": [story.sid]},
                    )
                )

    def standing_registers(self) -> None:
        """Make the registers' items tied to no statement: refused and open questions, items judged, cases."""
        rng = self.rng
        weights = [p.weight for p in self.places]

        def anywhere(count: int) -> list[tuple[Place, dt.datetime]]:
            return [(rng.choices(self.places, weights)[0], at) for at, _ in self.moments(count, rng)]

        for place, at in anywhere(max(2, round(1_500 * self.share))):
            refused = at + dt.timedelta(days=rng.uniform(1, 10)) if rng.random() < 0.7 else None
            self._press(place, at, rng.random() < 0.1, refused=refused)
        for place, at in anywhere(max(2, round(2_500 * self.share))):
            self._rumour(place, at, rng.choice(("true", "misleading", "beyond_authority", "unassessed", "false")))
        for place, at in anywhere(max(2, round(150 * self.share))):
            self._disclosure(place, at)
        self._insert(("press_requests", "rumours", "disclosures", "violations"))

    # the statements

    def run(self) -> None:
        """Seed the year: statements in chunks of their drafting order, every entry in time order."""
        rng = self.rng
        with self.engine.connect() as conn:
            for table in ("statements", "press_requests", "rumours", "disclosures", "violations", "commendations"):
                self.ids[table] = self._next_id(conn, table)
            self.existing = conn.execute(sa.text("SELECT COUNT(*) FROM ledger_entries")).scalar_one()
        first = next(self.ids["statements"])
        self.standing_registers()
        self.standing = self.generated
        moments = self.moments(self.statements, rng)
        weights = [p.weight for p in self.places]
        kinds, shares = zip(*KINDS, strict=True)
        for lo in range(0, self.statements, 10_000):
            stories = []
            for i in range(lo, min(lo + 10_000, self.statements)):
                created, in_hours = moments[i]
                urgent = rng.random() < (URGENT_IN_HOURS if in_hours else URGENT_OUT_OF_HOURS)
                story = Story(
                    self,
                    first + i,
                    created,
                    rng.choices(self.places, weights)[0],
                    rng.choices(kinds, shares)[0],
                    "urgent" if urgent else "normal",
                    rng.random() < 0.06,
                )
                story.live()
                stories.append(story)
            for story in stories:
                self.row("statements", story.statement_row())
                self.rows.setdefault("statement_versions", []).extend(story.versions)
                self._registers_of(story)
            self._insert(("statements", "statement_versions", "press_requests", "rumours", "commendations"))
            for k, story in enumerate(stories):
                for event in story.events:
                    self.push(event)
                for read in story.reads(self._reads(lo + k)):
                    self.push(read)
            frontier = moments[lo + 10_000][0] - LAG if lo + 10_000 < self.statements else None
            self.flush(frontier)
        self.flush(None)
        self._insert(("commendations",))
        if self.engine.dialect.name == "postgresql":
            with self.engine.begin() as conn:
                for table in ("statements", "press_requests", "rumours", "disclosures", "violations", "commendations"):
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(MAX(id), 1)) FROM {table}"
                        )
                    )

    def _registers_of(self, story: Story) -> None:
        """Make what a statement answers: an interview a question from the press, a correction an item seen."""
        rng = story.rng
        if story.kind == "interview" and rng.random() < 0.85:
            received = story.created - dt.timedelta(hours=rng.uniform(1, 40))
            self._press(story.place, received, story.urgency == "urgent", answer=(story.sid, story.created))
        if story.kind == "correction" and rng.random() < 0.7:
            recorded = story.created - dt.timedelta(hours=rng.uniform(1, 36))
            self._rumour(
                story.place, recorded, rng.choice(("false", "misleading")), correction=(story.sid, story.created)
            )

    def _reads(self, i: int) -> int:
        """Return how many reads statement `i` gets: the entries wanted, less what the rest make besides, spread."""
        left = self.statements - i
        besides = (self.generated - self.standing - self.read_count) / (i + 1)  # a statement's own, and its registers'
        wanted = self.entries - self.existing - self.generated - besides * (left - 1)
        # The last statement takes what is still wanted, so that the ledger holds the entries asked for.
        count = max(0, round(wanted if left == 1 else self.rng.uniform(0.4, 1.6) * wanted / left))
        self.read_count += count
        return count


def seed(
    url: str,
    statements: int = STATEMENTS,
    entries: int = ENTRIES,
    *,
    provinces: int = len(PROVINCES),
    per_province: int = PER_PROVINCE,
    year: int = YEAR,
    seed_value: int = 31,
) -> dict[str, Any]:
    """Seed a year of the organisation's work on the database at `url` (migrated here); return what was made."""
    from statements.db import make_engine
    from statements.migrate import upgrade
    from statements.notifications.models import NotificationCursor

    started = time.perf_counter()
    engine = make_engine(url)
    sealing.configure(engine, mode="inline")  # the organisation's own entries are sealed as they are written
    upgrade(engine)
    places, auditor = organisation(engine, provinces, per_province, year)
    made = Year(engine, places, auditor, statements, entries, year, seed_value)
    made.run()
    with engine.begin() as conn:
        seq = ledger.head(conn)[0]
        # The seeded history tells nobody (notifications.fanout): as if its notifications had been written.
        conn.execute(sa.update(NotificationCursor).where(NotificationCursor.name == "decisions").values(seq=seq))
        total = conn.execute(sa.text("SELECT COUNT(*) FROM ledger_entries")).scalar_one()
        made_statements = conn.execute(sa.text("SELECT COUNT(*) FROM statements")).scalar_one()
    scale.analyze(engine)  # PostgreSQL: what autovacuum does within a minute; SQLite is left as the app leaves it
    engine.dispose()
    return {
        "statements": made_statements,
        "entries": total,
        "units": len(places),
        "year": year,
        **made.counts,
        "seconds": round(time.perf_counter() - started, 1),
    }


# --- measuring ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def timed(engine: sa.Engine) -> Iterator[list[dict[str, Any]]]:
    """Collect each SQL statement this thread runs inside the block: when it started, its execute time, its text.

    The execute time is the driver's `cursor.execute`: on PostgreSQL the whole statement and its rows; on
    SQLite only up to the first row (the rest is stepped while fetching), so the span to the next statement
    (`measure`) is the fairer figure there.
    """
    from tests.sql import sql_sent

    seen: list[dict[str, Any]] = []
    me = threading.get_ident()

    def before(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == me:
            seen.append({"start": time.perf_counter(), "statement": statement, "parameters": parameters})

    def after(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == me and seen:
            seen[-1]["db"] = time.perf_counter() - seen[-1]["start"]

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        with sql_sent(engine, this_thread=True) as sent:
            yield seen
        # What is counted is what tests/sql.py counts (savepoints aside), as tests/test_reports.py bounds it.
        seen[:] = [item for item in seen if item["statement"] in sent]
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
