"""The public verification benchmark seeds weekly bulletins and gets every verdict right at a small scale."""

from __future__ import annotations

import random

from bench import public_verify
from tests.conftest import own_postgres


def test_the_verification_benchmark_gets_every_verdict_right(backend):
    with own_postgres(backend, "the benchmarks run on PostgreSQL") as url:
        rng = random.Random(30)
        seeded = public_verify.seed(url, 300, rng)
        timings = public_verify.measure(url, seeded["texts"], 10, rng)
    assert set(timings) == {"genuine, whole text", "genuine, one paragraph", "altered figures", "never released"}
    assert all(t["wrong_verdicts"] == 0 for t in timings.values()), timings
    proofs = public_verify.merkle_at(5_000, 10, rng)
    assert proofs["proof_hashes"] == (5_000 - 1).bit_length() and proofs["tiles"] > 19
