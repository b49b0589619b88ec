"""A real OpenAI-compatible server (xllamacpp + the bundled SmolLM2 GGUF), one per test session.

These tests assert structure, never the tiny model's content. Without the [local] extra they are
skipped, unless MLSD_REQUIRE_LOCAL=1 (set by .ci/run), where a missing server is a failure.
"""

from __future__ import annotations

import os

import pytest

from mlsd.core.config import Settings
from mlsd.core.errors import ConfigError


@pytest.fixture(scope="session")
def local_settings(tmp_path_factory):
    home = tmp_path_factory.mktemp("local-home")
    settings = Settings(llm="local", home=home)
    try:
        import xllamacpp  # noqa: F401

        from mlsd.llm.local import model_path

        model_path(settings)
    except (ImportError, ConfigError) as exc:
        if os.environ.get("MLSD_REQUIRE_LOCAL"):
            pytest.fail(f"local server required but unavailable: {exc}")
        pytest.skip(f"no local model: {exc}")
    return settings


@pytest.fixture(scope="session")
def local_llm(local_settings):
    from mlsd.llm import get_llm
    from mlsd.llm.local import stop_local_server

    yield get_llm(local_settings)
    stop_local_server()
