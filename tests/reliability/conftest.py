"""Fixtures for the reliability suite: loopback fake servers, memoised scoring, the figures summary."""

from __future__ import annotations

import pytest

from mlsd.core.config import Settings

from .fake_openai import FakeOpenAI
from .helpers import FIGURES


@pytest.fixture
def fake_server():
    """`fake_server(*behaviours, default=...)` starts a misbehaving server; all are stopped at teardown."""
    servers: list[FakeOpenAI] = []

    def start(*behaviours, default=None) -> FakeOpenAI:
        server = FakeOpenAI(default=default).__enter__()
        server.script(*behaviours)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def loopback_settings(base_url: str, tmp_path, **kw) -> Settings:
    """The settings every fault test uses: one retry, a 2 s timeout, a throwaway MLSD_HOME."""
    values = dict(llm="openai", base_url=base_url, model="m", max_retries=1, timeout=2, home=tmp_path / "home")
    values.update(kw)
    return Settings(**values)


@pytest.fixture(scope="module")
def memo_scoring():
    """Memoise embeddings and per-sentence scores while grading hundreds of near-identical transcripts.

    Both are pure functions of the sentence text (and the rubric model), so a memo changes the speed,
    not the result; test_injection_battery checks that equivalence on an attacked transcript.
    """
    import mlsd.knowledge.embeddings as embeddings
    import mlsd.evidence as evidence

    from .helpers import MemoEmbedder

    real_get = embeddings.get_embedder
    memo = MemoEmbedder(real_get())
    real_score = evidence.EvidenceEngine.score_units
    scored: dict[tuple, tuple] = {}

    def score_units(self, units):
        key = (id(self.model), self.cal.lex_weight)
        missing = [u for u in units if (key, u.text) not in scored]
        for su in real_score(self, missing):
            scored[(key, su.unit.text)] = (su.criterion_scores, su.specific, su.phase_sims, su.phase_hits)
        return [evidence.ScoredUnit(u, *scored[(key, u.text)]) for u in units]

    embeddings.get_embedder = evidence.get_embedder = lambda: memo
    evidence.EvidenceEngine.score_units = score_units
    memo.originals = (real_get, real_score)
    try:
        yield memo
    finally:
        embeddings.get_embedder = evidence.get_embedder = real_get
        evidence.EvidenceEngine.score_units = real_score


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("reliability figures")
        for key in sorted(FIGURES):
            terminalreporter.write_line(f"{key}: {FIGURES[key]}")
