"""The read path at scale: many statements and a long ledger; latency and SQL statements per request.

Seeds statements (spread over units and states) and ledger entries directly (bulk inserts, the
entries sealed by the real sealer), then times the pages people open most, in process, and counts
the SQL statements each request runs. The counts are taken on the small database first and again
at scale, with two page sizes, because they must not grow with either.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from workflow import ledger
from workflow.ledger import sealing

UNITS = 40
PASSWORD = "bench-password-2026"
#: The states seeded, with their share of the statements.
STATES = (
    ("released", 45),
    ("draft", 20),
    ("in_review", 15),
    ("approved", 8),
    ("changes_requested", 7),
    ("rejected", 5),
)


def seed_scale(url: str, statements: int, entries: int) -> dict:
    """Add `statements` statements over UNITS units and about `entries` ledger entries; return what was made."""
    from auth.models import Unit, User
    from auth.service import create_unit
    from statements.db import make_engine
    from statements.lifecycle.models import Statement, StatementVersion, content_hash
    from statements.lifecycle.service import search_key

    engine = make_engine(url)
    sealing.configure(engine, mode="inline")
    with Session(engine) as session:
        if session.scalar(sa.select(Unit.id).where(Unit.code == "BV-00")) is None:
            for i in range(UNITS):
                create_unit(session, None, f"BV-{i:02d}", f"Bệnh viện số {i}", "SYT-AH")
            session.commit()
        # The province's hospitals and its department: what its leader oversees (the ministry's are not).
        units = session.scalars(
            sa.select(Unit.id).where(sa.or_(Unit.code == "SYT-AH", Unit.code.like("BV-%"))).order_by(Unit.id)
        ).all()
        drafter = session.scalar(sa.select(User).where(User.username == "drafter"))
        spokesperson = session.scalar(sa.select(User.id).where(User.username == "spokesperson"))
        start = (session.scalar(sa.select(sa.func.max(Statement.id))) or 0) + 1
    weights = [w for _, w in STATES]
    cycle = [state for (state, _), w in zip(STATES, weights, strict=True) for _ in range(w)]
    now = dt.datetime.now(dt.UTC)
    body = (
        "Sở Y tế thông báo tình hình dịch bệnh trong tuần: ghi nhận {n} ca sốt xuất huyết, không có ca tử vong."
        " Người dân chủ động phòng bệnh, diệt lăng quăng, loại bỏ nơi muỗi đẻ trứng."
    )
    made = 0
    with engine.begin() as conn:
        for lo in range(start, start + statements, 10_000):
            ids = range(lo, min(lo + 10_000, start + statements))
            rows, versions = [], []
            for sid in ids:
                state = cycle[sid % len(cycle)]
                at = now - dt.timedelta(minutes=statements - (sid - start))
                text = body.format(n=sid % 997)
                title = f"Bản tin dịch bệnh số {sid}"
                digest = content_hash(title, text, "regular", [])
                released = state == "released"
                approved = state in ("approved", "released")
                rows.append(
                    {
                        "id": sid,
                        "unit_id": units[sid % len(units)],
                        "state": state,
                        "kind": "regular",
                        "urgency": "normal",
                        "current_version": 1,
                        "author_id": drafter.id,
                        "created_at": at,
                        "updated_at": at,
                        "sensitive": False,
                        "sensitivity_reasons": [],
                        "approved_version": 1 if approved else None,
                        "approved_hash": digest if approved else None,
                        "approved_by_id": spokesperson if approved else None,
                        "approved_at": at if approved else None,
                        "approved_via": "approve" if approved else None,
                        "released_version": 1 if released else None,
                        "released_hash": digest if released else None,
                        "released_at": at if released else None,
                        "released_by_id": spokesperson if released else None,
                        "channels": ["website"] if released else [],
                        "search_text": search_key(title, text),
                    }
                )
                versions.append(
                    {
                        "statement_id": sid,
                        "number": 1,
                        "title": title,
                        "body": text,
                        "kind": "regular",
                        "urgency": "normal",
                        "topics": [],
                        "sensitive_flag": False,
                        "content_hash": digest,
                        "author_id": drafter.id,
                        "created_at": at,
                    }
                )
            conn.execute(sa.insert(Statement.__table__), rows)
            conn.execute(sa.insert(StatementVersion.__table__), versions)
            made += len(rows)
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('statements', 'id'), MAX(id)) FROM statements"))
    per_statement = max(1, entries // max(statements, 1))
    pattern = ["create", "submit", "read", "request_changes", "read", "submit", "read", "approve", "read", "release"]
    batch: list[dict] = []
    with Session(engine) as session:
        for sid in range(start, start + statements):
            for k in range(per_statement):
                action = pattern[k % len(pattern)]
                kind = "access" if action == "read" else ("content" if action == "create" else "decision")
                batch.append(
                    {
                        "kind": kind,
                        "action": action,
                        "statement_id": sid,
                        "version": 1,
                        "actor_id": drafter.id,
                        "actor": "drafter",
                        "role": "drafter",
                        "unit": "SYT-AH",
                        "data": {"how": "web_statement"} if kind == "access" else {},
                    }
                )
            if len(batch) >= 5000:
                ledger.append_many(session, batch)
                session.commit()
                batch = []
        ledger.append_many(session, batch)
        session.commit()
        total = ledger.head(session)[0]
    analyze(engine)
    engine.dispose()
    return {"statements": made, "entries": total, "units": UNITS}


def analyze(engine: sa.Engine) -> None:
    """After a bulk load, do what autovacuum would within a minute or so: statistics and the visibility map."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))


def _csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def measure(url: str, samples: int) -> dict:
    """Time the most used pages in process and count the SQL statements each runs."""
    from statements import create_app
    from tests.sql import sql_sent

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-scale", "SEAL_SWEEP_SECONDS": 0})
    engine = app.extensions["pressgate"]["engine"]
    with Session(engine) as session:
        in_review = session.scalars(
            sa.text("SELECT id FROM statements WHERE state = 'in_review' ORDER BY id DESC LIMIT :n"), {"n": samples}
        ).all()
    clients = {}
    for name in ("spokesperson", "leader", "drafter", "auditor"):
        client = app.test_client()
        page = client.get("/login")
        client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": _csrf(page)})
        clients[name] = client
    api = "/api/v1/statements"
    pages = {
        "inbox": ("spokesperson", lambda i: "/inbox"),
        "statement_list_filtered": ("leader", lambda i: f"/statements?state=released&unit=BV-{i % UNITS:02d}"),
        "statement_list_search": ("leader", lambda i: f"/statements?q=s%E1%BB%91+{i}&kind=regular"),
        # A hospital's drafter: their own unit's statements and everyone's released ones, page by page.
        "statement_list_drafter": ("drafter", lambda i: f"/statements?page={1 + i % 5}"),
        "statement_page": ("leader", lambda i: f"/statements/{in_review[i % len(in_review)]}"),
        "ledger_page": ("auditor", lambda i: f"/audit/ledger?page={1 + i % 50}"),
        "ledger_page_statement": ("auditor", lambda i: f"/audit/ledger?statement={in_review[i % len(in_review)]}"),
        "api_statement_list_10": ("leader", lambda i: f"{api}?per_page=10&state=in_review&page={1 + i % 10}"),
        "api_statement_list_100": ("leader", lambda i: f"{api}?per_page=100&state=in_review&page={1 + i % 2}"),
    }
    out: dict = {}
    for name, (who, path) in pages.items():
        client = clients[who]
        headers = {}
        if name.startswith("api_"):
            headers = {"Authorization": f"Bearer {_token(app, who)}"}
        times, queries = [], []
        for i in range(samples):
            with sql_sent(engine, this_thread=True) as sent:  # the request's own, not the sealer's
                started = time.perf_counter()
                response = client.get(path(i), headers=headers)
                times.append((time.perf_counter() - started) * 1000)
            queries.append(len(sent))
            if response.status_code != 200:
                raise RuntimeError(f"{path(i)} answered {response.status_code}")
        times.sort()
        out[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "queries": max(queries),
        }
    sealing.stop(engine)
    sealing.seal_pending(engine, wait=True)  # what the last reads logged, as a stopping server does
    engine.dispose()
    return out


def _token(app, username: str) -> str:
    from auth.service import get_user
    from auth.tokens import issue_token

    engine = app.extensions["pressgate"]["engine"]
    with Session(engine) as session:
        token = issue_token(session, get_user(session, username), dt.timedelta(hours=1))[0]
        session.commit()
    return token


def sweep(url: str, due: int) -> dict:
    """Time the deadline sweep at scale: an idle one (nothing due), then one with `due` statements due.

    The seeded statements carry no check time (they were bulk-loaded), so every open one gets a check
    far ahead, and `due` of them one just past: the sweep must find those without reading the rest.
    """
    from statements.db import make_engine
    from statements.lifecycle import timeliness
    from tests.sql import sql_sent
    from workflow.db import utcnow
    from workflow.deadlines import STEPS

    engine = make_engine(url)
    sealing.configure(engine, mode="inline")
    now = utcnow()
    steps = ", ".join(f"'{state}'" for state in STEPS)
    with engine.begin() as conn:
        conn.execute(
            sa.text(f"UPDATE statements SET due_stage = 0, next_check_at = :later WHERE state IN ({steps})"),
            {"later": now + dt.timedelta(days=30)},
        )
        open_steps = conn.scalar(sa.text(f"SELECT count(*) FROM statements WHERE state IN ({steps})"))
    analyze(engine)
    out: dict = {"open_statements": open_steps}
    with Session(engine) as session:  # a first sweep connects and plans: not what the minute's sweep costs
        timeliness.sweep(session, now)
        session.commit()
    for name, count in (("idle", 0), ("due", due)):
        if count:
            with engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "UPDATE statements SET next_check_at = :past WHERE id IN"
                        f" (SELECT id FROM statements WHERE state IN ({steps}) ORDER BY id LIMIT :n)"
                    ),
                    {"past": now - dt.timedelta(minutes=1), "n": count},
                )
        with Session(engine) as session, sql_sent(engine) as sent:
            started = time.perf_counter()
            handled = timeliness.sweep(session, now)
            session.commit()
            elapsed = (time.perf_counter() - started) * 1000
        out[name] = {"handled": handled, "ms": round(elapsed, 1), "queries": len(sent)}
    with engine.connect() as conn:  # the plan of the sweep's first query: by its index, never the table
        plan = (
            conn.execute(
                sa.text(
                    f"EXPLAIN SELECT id FROM statements WHERE next_check_at <= :now AND state IN ({steps})"
                    " ORDER BY next_check_at LIMIT 200"
                ),
                {"now": now},
            )
            .scalars()
            .all()
        )
    out["uses_index"] = any("ix_statements_next_check_at" in line for line in plan)
    engine.dispose()
    return out
