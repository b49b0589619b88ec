"""Shared fixtures: an isolated MLSD_HOME, no stray settings, no network but loopback, PostgreSQL, and
the app under AppTest.

PostgreSQL: one throwaway cluster per test run (Debian's server binaries, see
mlsd.storage.throwaway) and a fresh database per test. Without the binaries those tests skip,
unless MLSD_REQUIRE_POSTGRES=1 (set by .ci/run), where that is a failure.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
from pathlib import Path

import pytest

ENV_VARS = [
    "MLSD_LLM", "MLSD_BASE_URL", "MLSD_MODEL", "MLSD_API_KEY", "MLSD_LOCAL_MODEL", "MLSD_HOME",
    "MLSD_CHROMA_HOST", "MLSD_CHROMA_PORT", "MLSD_EMBEDDINGS_BASE_URL", "MLSD_EMBEDDINGS_MODEL",
    "OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL", "MLSD_CONTENT_DIR", "MLSD_RAISE_ERRORS",
    "MLSD_DATABASE_URL", "MLSD_DB_POOL_SIZE", "MLSD_DB_TIMEOUT", "MLSD_USER", "MLSD_TRUSTED_USER_HEADER",
    "MLSD_ADMINS", "MLSD_SERVE_ADDRESS", "MLSD_INDEX_ON_START",
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


# -- PostgreSQL -------------------------------------------------------------------------------------
def require_postgres_binaries():
    from mlsd.storage.throwaway import server_binaries

    if server_binaries() is None:
        why = "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)"
        if os.environ.get("MLSD_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"MLSD_REQUIRE_POSTGRES=1 but {why}")
        pytest.skip(f"{why}; set MLSD_REQUIRE_POSTGRES=1 to fail instead")


@pytest.fixture
def postgres_binaries():
    """For tests that start (and kill) a PostgreSQL server of their own."""
    require_postgres_binaries()


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the whole run (never stopped by a test: outage tests start their own)."""
    require_postgres_binaries()
    from mlsd.storage.throwaway import TemporaryPostgres

    with TemporaryPostgres() as pg:
        yield pg


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty database on the shared server; dropped after the test."""
    from mlsd.storage import forget_shared_databases

    name = "t_" + uuid.uuid4().hex[:12]
    url = postgres_server.create_database(name)
    yield url
    forget_shared_databases()
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request, tmp_path):
    """Where a session store lives: run the test once on a SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("postgres_url")


# -- the app under AppTest --------------------------------------------------------------------------
APP = Path(__file__).resolve().parents[1] / "app.py"
APP_TIMEOUT = 240  # the first run in a process loads the embedding model; building the index takes ~40 s


@pytest.fixture
def app(monkeypatch):
    """`app(**query)` -> an AppTest of app.py with those query parameters, errors raised, not shown."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("MLSD_RAISE_ERRORS", "1")
    # Each test has its own MLSD_HOME: building the real index in every one would cost minutes of CPU.
    # The tests of the background build turn it back on.
    monkeypatch.setenv("MLSD_INDEX_ON_START", "0")

    def make(**query) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
        at.query_params.update(query)
        return at

    return make
