"""How long finding a text's variant sites takes as the text grows, prose and a table of figures (issue 29).

`python -m bench.sites [--sizes 5000,20000,40000,100000]` times `statements.disclosure.sites.sites` once per
text (its cache cleared) on the sample statements repeated to each size, and on a weekly table of figures by
district (a row of counts, percentages, a date and a time each: the most sites a text of that size holds).
A copy's export finds them once per version and process; the largest statement is 100,000 characters.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from statements.disclosure import sites

DISTRICTS = ("Tân Phú", "Đông Anh", "Gia Lâm", "Sóc Sơn", "Ba Vì", "Mê Linh")


def texts(size: int, rng: random.Random) -> dict[str, str]:
    """Return a text of `size` characters of each kind: prose, and a table of figures."""
    statements = json.loads((Path(__file__).resolve().parent / "tracing_statements.json").read_text("utf-8"))
    prose = "\n".join(s["body"] for s in statements["statements"])
    rows = [
        f"Huyện {rng.choice(DISTRICTS)}: {rng.randint(1, 999)} ca mắc, {rng.randint(0, 50)} ca tử vong, tăng"
        f" {rng.randint(1, 99)}% so với tuần trước; ngày {rng.randint(1, 28)}/{rng.randint(1, 12)}/2026 lúc"
        f" {rng.randint(0, 23)} giờ {rng.randint(10, 59)}."
        for _ in range(size // 60 + 1)
    ]
    table = "\n".join(rows)
    return {"prose": (prose * (size // len(prose) + 1))[:size], "table": table[:size]}


def run(sizes: list[int], seed: int = 29) -> list[dict]:
    """Time the sites of each text; return one row per kind and size."""
    rows = []
    for size in sizes:
        for kind, text in texts(size, random.Random(seed)).items():
            sites._sites.cache_clear()
            started = time.perf_counter()
            found = sites.sites(text)
            rows.append({"kind": kind, "chars": size, "sites": len(found), "seconds": time.perf_counter() - started})
    return rows


def main() -> None:
    """Print the table and keep it in bench/results/sites.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000,40000,100000")
    args = parser.parse_args()
    rows = run([int(n) for n in args.sizes.split(",")])
    print(f"{'text':<6} {'chars':>8} {'sites':>6} {'seconds':>8}")
    for row in rows:
        print(f"{row['kind']:<6} {row['chars']:>8} {row['sites']:>6} {row['seconds']:>8.2f}")
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "sites.json").write_text(json.dumps(rows, indent=2), "utf-8")


if __name__ == "__main__":
    main()
