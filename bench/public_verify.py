"""The public verification page at scale, and the Merkle proofs of a release (issue 30).

`python -m bench.public_verify [--statements 100000] [--leaves 10000000]` seeds a fresh database
(PostgreSQL when one is found, else SQLite) with released statements written as a provincial department
writes its weekly bulletins (the same sentences with other figures, places and weeks: the hard case for
matching, since every bulletin resembles every other), each with its versions' band index and its
release entry on the sealed ledger, as the services leave them. It then times `verify` in process on a
released text pasted whole, one paragraph of it, the text with its figures changed, and a text never
released; and, in memory, a Merkle tree of `--leaves` entries: its proofs' size, the time to make one
from the tiles and to check one. `bench/results/public_verify.json` keeps the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

RESULTS = Path(__file__).resolve().parent / "results"
PLACES = ["Tân Phú", "Hòa Thành", "An Bình", "Đông Hòa", "Phú Lâm", "Bình Lâm", "Thạnh Mỹ", "Long Hải", "Cát Tiên"]
DISEASES = ["sốt xuất huyết", "cúm mùa", "tay chân miệng", "sởi", "thủy đậu", "tiêu chảy cấp", "viêm não"]
TEMPLATE = (
    "Trong tuần {week} năm {year}, toàn tỉnh ghi nhận {cases:,} ca mắc {disease}, {trend} {pct}% so với tuần trước;"
    " số ca tập trung tại huyện {place} và thị xã {other}.\n"
    "Sở Y tế đã chỉ đạo Trung tâm Kiểm soát bệnh tật tỉnh phối hợp với {n} trạm y tế xã giám sát, xử lý {foci} ổ"
    " dịch và tuyên truyền cho người dân chủ động phòng bệnh.\n"
    "Người dân khi có biểu hiện sốt cao liên tục cần đến ngay cơ sở y tế gần nhất để được khám và điều trị kịp thời."
)


def bulletin(rng: random.Random, i: int) -> tuple[str, str]:
    """Return a weekly bulletin's title and body: the sentences every week repeats, with this week's figures."""
    disease = rng.choice(DISEASES)
    place, other = rng.sample(PLACES, 2)
    body = TEMPLATE.format(
        week=i % 52 + 1, year=2000 + i // 52 % 27, cases=rng.randrange(20, 5000), disease=disease,
        trend=rng.choice(["tăng", "giảm"]), pct=rng.randrange(1, 90), place=place, other=other,
        n=rng.randrange(5, 60), foci=rng.randrange(0, 40),
    ).replace(",", ".", 1)  # fmt: skip
    return f"Tình hình {disease} tuần {i % 52 + 1} năm {2000 + i // 52 % 27} (bản tin số {i})", body


def seed(url: str, statements: int, rng: random.Random) -> dict:
    """Seed `statements` released bulletins with their band index and release entries; return the texts."""
    from auth.models import User
    from bench.disclosure import unit_of_readers
    from statements.lifecycle.matching import text_keys
    from statements.lifecycle.models import Statement, StatementVersion, VersionBand, content_hash
    from statements.lifecycle.service import search_key
    from workflow import ledger

    engine, _drafter, names = unit_of_readers(url, "SYT-BL", "Sở Y tế tỉnh Bình Lâm", 2)
    with Session(engine) as session:
        unit = session.scalar(sa.text("SELECT id FROM units WHERE code = 'SYT-BL'"))
        drafter = session.scalar(sa.select(User.id).where(User.username == "drafter"))
        spokesperson = session.scalar(sa.select(User.id).where(User.username == names[0]))
    now = dt.datetime.now(dt.UTC)
    texts: dict[int, tuple[str, str]] = {}
    started = time.perf_counter()
    for lo in range(1, statements + 1, 5_000):
        rows, versions, bands, entries = [], [], [], []
        for sid in range(lo, min(lo + 5_000, statements + 1)):
            title, body = bulletin(rng, sid)
            texts[sid] = (title, body)
            digest = content_hash(title, body, "regular", [])
            at = now - dt.timedelta(minutes=statements - sid)
            rows.append({"id": sid, "unit_id": unit, "state": "released", "kind": "regular", "urgency": "normal",
                         "current_version": 1, "author_id": drafter, "created_at": at, "updated_at": at,
                         "sensitive": False, "sensitivity_reasons": [], "approved_version": 1,
                         "approved_hash": digest, "approved_by_id": spokesperson, "approved_at": at,
                         "approved_via": "approve", "released_version": 1, "released_hash": digest,
                         "released_at": at, "released_by_id": spokesperson, "channels": ["website"],
                         "released_via": "release", "search_text": search_key(title, body)})  # fmt: skip
            versions.append({"id": sid, "statement_id": sid, "number": 1, "title": title, "body": body,
                             "kind": "regular", "urgency": "normal", "topics": [], "sensitive_flag": False,
                             "content_hash": digest, "author_id": drafter, "created_at": at})  # fmt: skip
            bands += [{"version_id": sid, "band": b, "bucket": k} for b, k in sorted(text_keys(f"{title}\n{body}"))]
            entries.append({"kind": "decision", "action": "release", "statement_id": sid, "version": 1,
                            "content_hash": digest, "from_state": "approved", "to_state": "released",
                            "actor_id": spokesperson, "actor": names[0], "role": "spokesperson",
                            "unit": "SYT-BL", "data": {"channels": ["website"]}})  # fmt: skip
        with engine.begin() as conn:
            conn.execute(sa.insert(Statement.__table__), rows)
            conn.execute(sa.insert(StatementVersion.__table__), versions)
            conn.execute(sa.insert(VersionBand.__table__), bands)
        with Session(engine) as session:
            ledger.append_many(session, entries)
            session.commit()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("statements", "statement_versions"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"))
            conn.execute(sa.text("ANALYZE"))
    engine.dispose()
    return {"texts": texts, "seconds": round(time.perf_counter() - started, 1)}


def _timed(call, rounds: int) -> dict:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 3), "p95_ms": round(times[int(len(times) * 0.95) - 1], 3)}


def measure(url: str, texts: dict[int, tuple[str, str]], rounds: int, rng: random.Random) -> dict:
    """Time `verify` on pasted texts of four kinds, each checked for the verdict it must get."""
    from statements import authenticity
    from statements.db import make_engine

    engine = make_engine(url)
    ids = rng.sample(sorted(texts), rounds)
    cases = {
        "genuine, whole text": lambda i: ("genuine", f"{texts[i][0]}\n{texts[i][1]}"),
        "genuine, one paragraph": lambda i: ("genuine", texts[i][1].split("\n")[0]),
        "altered figures": lambda i: ("altered", texts[i][1].replace(" ca mắc", "0 ca mắc")),
        "never released": lambda i: ("not_issued", "Bộ Y tế khẩn cấp thông báo phát hiện biến chủng virus mới lây"
                                     f" qua không khí tại {rng.choice(PLACES)}, yêu cầu người dân ở nhà {i} ngày."),
    }  # fmt: skip
    out = {}
    with Session(engine) as session:
        for name, make in cases.items():
            wrong = 0
            pending = iter([(i, make(i)) for i in ids])

            def one(pending=pending) -> None:
                nonlocal wrong
                sid, (want, text) = next(pending)
                got = authenticity.verify(session, text, "1900 9095")
                shown = (got["statement"] or {}).get("id")
                wrong += got["verdict"] != want or (want != "not_issued" and shown != sid)
                session.rollback()

            out[name] = _timed(one, rounds) | {"wrong_verdicts": wrong}
    engine.dispose()
    return out


def merkle_at(leaves: int, rounds: int, rng: random.Random) -> dict:
    """Build a tree of `leaves` in memory tiles; time a proof from the tiles and its check; say its size."""
    from workflow.ledger import merkle

    class Tiles:  # the session's part the tree reads and writes, kept in memory
        def __init__(self) -> None:
            self.rows: dict[tuple[int, int], bytes] = {}

        def get(self, _cls, key):
            value = self.rows.get(key)
            return None if value is None else type("Row", (), {"hashes": value})()

        def add(self, row) -> None:
            self.rows[(row.level, row.idx)] = row.hashes

        def flush(self) -> None:
            return None

    store = Tiles()
    tree = merkle.Tree(store)  # type: ignore[arg-type]
    tree.size = lambda: 0  # type: ignore[method-assign]
    started = time.perf_counter()
    tree.extend(lambda first, last: [hashlib.sha256(i.to_bytes(8, "big")).hexdigest() for i in range(first, last + 1)],
                leaves)  # fmt: skip
    built = time.perf_counter() - started
    root = tree.root(leaves)
    indices = [rng.randrange(leaves) for _ in range(rounds)]
    proofs = []

    def make() -> None:
        fresh = merkle.Tree(store)  # type: ignore[arg-type]  # no tiles cached: as a request starts
        i = indices[len(proofs)]
        proofs.append((i, fresh.proof(i, leaves)))

    made = _timed(make, rounds)
    checks = iter(proofs)

    def check() -> None:
        i, path = next(checks)
        leaf = merkle.leaf_hash(hashlib.sha256((i + 1).to_bytes(8, "big")).hexdigest())
        assert merkle.verify_inclusion(leaf, i, leaves, path, root)

    checked = _timed(check, rounds)
    hashes = max(len(p) for _, p in proofs)
    return {
        "leaves": leaves,
        "tiles": len(store.rows),
        "build_s": round(built, 1),
        "proof_hashes": hashes,
        "proof_bytes": hashes * 32,
        "make_proof": made,
        "check_proof_us": round(checked["p50_ms"] * 1000, 1),
    }


def main() -> int:
    """Seed, measure, print and keep the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    from tests import pg

    rng = random.Random(30)
    admin = pg.server_url()
    workdir = tempfile.mkdtemp(prefix="pressgate-verify-")
    url = pg.create_database(admin) if admin else f"sqlite:///{workdir}/verify.db"
    try:
        seeded = seed(url, args.statements, rng)
        timings = measure(url, seeded["texts"], args.rounds, rng)
    finally:
        if admin:
            pg.drop_database(admin, url)
        shutil.rmtree(workdir, ignore_errors=True)
    proofs = merkle_at(args.leaves, args.rounds, rng)
    where = "PostgreSQL" if admin else "SQLite"
    print(f"{args.statements:,} released statements seeded in {seeded['seconds']} s ({where})")
    for name, t in timings.items():
        print(f"  verify {name:<24} p50 {t['p50_ms']:>7} ms  p95 {t['p95_ms']:>7} ms  wrong: {t['wrong_verdicts']}")
    made = proofs["make_proof"]
    print(
        f"Merkle tree of {proofs['leaves']:,} entries: {proofs['tiles']:,} tiles in {proofs['build_s']} s; a proof is"
        f" {proofs['proof_hashes']} hashes ({proofs['proof_bytes']} bytes), made from the tiles in p50"
        f" {made['p50_ms']} ms / p95 {made['p95_ms']} ms, checked in {proofs['check_proof_us']} µs"
    )
    RESULTS.mkdir(exist_ok=True)
    payload = {"statements": args.statements, "database": "postgresql" if admin else "sqlite", "verify": timings,
               "merkle": proofs}  # fmt: skip
    (RESULTS / "public_verify.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
