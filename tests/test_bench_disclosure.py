"""The investigation benchmark seeds through the services and measures what the leaks really say."""

from __future__ import annotations

from bench import disclosure
from tests.conftest import own_postgres


def test_the_investigation_benchmark_names_a_pasted_copys_holder(backend):
    with own_postgres(backend, "the benchmarks run on PostgreSQL") as url:
        leaks = disclosure.seed(url, 24)
        figures = disclosure.measure(url, leaks, 2)
    assert figures["pasted"]["named_first"] == leaks["who"]
    # A retyped whole text is named only when its forms make it sure; never anyone else.
    assert figures["retyped"]["named_first"] in (None, leaks["who"])
    assert all(f["p50_ms"] > 0 for f in figures.values())
