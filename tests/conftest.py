"""Shared fixtures: an isolated MLSD_HOME, no stray settings, and no network but loopback."""

from __future__ import annotations

import ipaddress
import socket

import pytest

ENV_VARS = [
    "MLSD_LLM", "MLSD_BASE_URL", "MLSD_MODEL", "MLSD_API_KEY", "MLSD_LOCAL_MODEL", "MLSD_HOME",
    "MLSD_CHROMA_HOST", "MLSD_CHROMA_PORT", "MLSD_EMBEDDINGS_BASE_URL", "MLSD_EMBEDDINGS_MODEL",
    "OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL", "MLSD_CONTENT_DIR", "MLSD_RAISE_ERRORS",
    "MLSD_INDEX_ON_START",
]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "mlsd-home"
    monkeypatch.setenv("MLSD_HOME", str(home))
    monkeypatch.chdir(tmp_path)  # no developer .env leaks into a test
    return home


def _is_loopback(address) -> bool:
    if isinstance(address, tuple):
        host = address[0]
    else:  # AF_UNIX path
        return True
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection to a non-loopback address fails the test (pydantic-ai's ALLOW_MODEL_REQUESTS)."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
