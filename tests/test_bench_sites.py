"""The sites benchmark times prose and a table of figures and finds their sites."""

from __future__ import annotations

from bench import sites as bench_sites


def test_the_sites_benchmark_finds_sites_in_prose_and_in_a_table():
    rows = bench_sites.run([3000])
    found = {row["kind"]: row["sites"] for row in rows}
    # A table of figures holds far more choices than prose of the same length: every row has its own.
    assert found["table"] > 3 * found["prose"] > 0, found
    assert all(row["chars"] == 3000 and row["seconds"] >= 0 for row in rows)
