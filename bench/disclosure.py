"""One disclosure investigation as the copies of a statement grow: 12, 5,000, 20,000 copies (issue 29).

`python -m bench.disclosure [--copies 12,5000,20000] [--rounds 10]` seeds a fresh PostgreSQL database
per size through PressGate's own services (a statement awaiting review, its copies handed to a dozen
readers in turn, each copy on the ledger), then times `analysis.analyse` on three leaks of one copy: a
pasted paragraph (its invisible marks), the whole text retyped (marks gone, its forms kept) and a
paragraph retyped. It prints p50 and p95 per size and kind and writes bench/results/disclosure.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from pathlib import Path

from sqlalchemy.orm import Session

from tests import pg
from workflow.text import strip_invisible

RESULTS = Path(__file__).resolve().parent / "results"
READERS = 12
PASSWORD = "bench-password-2026"
BODY = (
    "Trong tuần 46 (từ ngày 09/11 đến ngày 15/11/2026), toàn tỉnh ghi nhận 1.245 ca mắc cúm mùa, giảm 8% so với"
    " tuần trước; 312 ca sốt xuất huyết, tăng 4 %.\n"
    "Phân tích: số ca cúm giảm chủ yếu nhờ tỷ lệ tiêm vắc xin cúm ở người trên 60 tuổi đạt 71%. Số ca sốt xuất"
    " huyết tăng tập trung tại hai huyện ven sông do mưa kéo dài; Sở Y tế đã phun hóa chất tại 96 xã lúc 14h30.\n"
    "Khuyến cáo người dân \u201cđậy kín dụng cụ chứa nước\u201d, diệt lăng quăng... và đến cơ sở y tế khi có"
    " dấu hiệu sốt cao - đau đầu."
)


def unit_of_readers(url: str, code: str, name: str, readers: int) -> tuple:
    """Migrate a fresh database and create a unit of leaders who read, a drafter and an auditor.

    The first reader is the unit's spokesperson. Return the engine (sealing inline), the drafter's actor and
    the readers' names.
    """
    from auth.service import actor_for, create_unit, create_user, designate_spokesperson, get_user
    from statements.db import make_engine
    from statements.migrate import upgrade
    from workflow.ledger import sealing

    engine = make_engine(url)
    sealing.configure(engine, mode="inline")
    upgrade(engine)
    with Session(engine) as session:
        create_unit(session, None, "BYT", "Bộ Y tế")
        create_unit(session, None, code, name, "BYT")
        names = [f"reader{i:02d}" for i in range(readers)]
        people = [("auditor", "BYT", "auditor"), ("drafter", code, "drafter")]
        for username, unit, role in people + [(username, code, "leader") for username in names]:
            create_user(session, None, username, username.title(), PASSWORD, roles=[{"unit": unit, "role": role}])
        designate_spokesperson(session, None, code, names[0])
        session.commit()
        drafter = actor_for(session, get_user(session, "drafter"))
    return engine, drafter, names


def seed(url: str, copies: int) -> dict:
    """Create the organisation, one statement in review and `copies` copies of it; return what the leaks need."""
    from auth.service import actor_for, get_user
    from statements.disclosure import fingerprint
    from statements.disclosure.service import record_export
    from statements.lifecycle.queries import read_statement
    from statements.lifecycle.service import create_statement, decide

    engine, drafter, names = unit_of_readers(url, "SYT-AH", "Sở Y tế tỉnh An Hòa", READERS)
    with Session(engine) as session:
        fields = {"title": "Tình hình dịch bệnh tuần 46", "body": BODY, "kind": "regular", "urgency": "normal"}
        s = create_statement(session, drafter, "SYT-AH", fields)
        decide(session, s.id, drafter, "submit", version=1)
        session.commit()
        actors = [actor_for(session, get_user(session, name)) for name in names]
        codes = []
        for i in range(copies):
            actor = actors[i % READERS]
            statement = read_statement(session, s.id, actor)
            codes.append((actor.username, record_export(session, actor, statement, statement.versions[0], "txt")))
            if i % 1000 == 999:
                session.commit()
        session.commit()
    engine.dispose()
    who, code = random.Random(copies).choice(codes)
    marked = fingerprint.mark(f"{fields['title']}\n{BODY}", code)
    bare = strip_invisible(marked)
    return {"who": who, "pasted": marked.split("\n")[2], "retyped": bare, "paragraph": bare.split("\n")[2]}


def measure(url: str, leaks: dict, rounds: int) -> dict:
    """Time `analyse` on each leak as an auditor sees it; return p50/p95 in ms and whom each put first."""
    from statements.db import make_engine
    from statements.disclosure.analysis import analyse

    engine = make_engine(url)
    seen = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    out = {}
    with Session(engine) as session:
        for kind in ("pasted", "retyped", "paragraph"):
            times, first = [], None
            for _ in range(rounds):
                started = time.perf_counter()
                result = analyse(session, leaks[kind], seen, None)
                times.append((time.perf_counter() - started) * 1000)
                first = result["distinguished"][:1]
            times.sort()
            out[kind] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
                "named_first": first[0] if first else None,
                "leaker": leaks["who"],
            }
    engine.dispose()
    return out


def main() -> int:
    """Seed and measure each size; print the table and write bench/results/disclosure.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", default="12,5000,20000")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    admin = pg.server_url()
    if admin is None:
        print("no PostgreSQL server found")
        return 2
    results = {}
    for copies in (int(n) for n in args.copies.split(",")):
        url = pg.create_database(admin)
        try:
            leaks = seed(url, copies)
            results[copies] = measure(url, leaks, args.rounds)
        finally:
            pg.drop_database(admin, url)
        for kind, figures in results[copies].items():
            print(
                f"{copies:>6} copies  {kind:<10} p50 {figures['p50_ms']:>8} ms  p95 {figures['p95_ms']:>8} ms"
                f"  first: {figures['named_first']} (leaker {figures['leaker']})"
            )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "disclosure.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
