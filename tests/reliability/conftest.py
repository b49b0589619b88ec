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
    """Grading hundreds of near-identical transcripts: the embedder's own cache (by text) makes the repeats
    cheap. test_injection_battery checks that a cached grade equals a cold one."""
    from mlsd.knowledge.embeddings import get_embedder

    yield get_embedder()


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("reliability figures")
        for key in sorted(FIGURES):
            terminalreporter.write_line(f"{key}: {FIGURES[key]}")
