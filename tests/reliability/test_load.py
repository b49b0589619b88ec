"""A bounded load test on loopback: 50 simulated candidates x 20 turns from 5 processes, on both stores.

The same load `mlsd bench` reports p50/p95 for (bench/store_bench.py): every candidate's answers
must be stored once each, in order, with gap-free turn indexes.
"""

from __future__ import annotations

from mlsd.cli.bench import load_runner

from .helpers import FIGURES

load_runner()  # the checkout's bench/ package on sys.path
from bench.store_bench import load_test  # noqa: E402


def test_50_candidates_x_20_turns_from_5_processes_lose_and_duplicate_nothing(store_target):
    result = load_test(store_target, candidates=50, turns=20, processes=5)
    FIGURES["load-test turns written"] += result["turns"]
    FIGURES["turns lost"] += result["lost"]
    FIGURES["turns duplicated"] += result["duplicated"]
    assert result["turns"] == 1000
    assert (result["lost"], result["duplicated"]) == (0, 0)
