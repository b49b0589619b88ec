"""`streamlit run app.py` as a real server on loopback, for the browser tests (one or several replicas)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("MLSD_REQUIRE_BROWSER") == "1":
        pytest.fail("MLSD_REQUIRE_BROWSER=1 but chromium is not installed (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium); set MLSD_REQUIRE_BROWSER=1 to fail instead")


@contextmanager
def streamlit_app(home: Path, port: int, **env_extra: str) -> Iterator[tuple[str, Path]]:
    """The app served from a clean folder `home` (no developer .env) on 127.0.0.1:`port`; yields (url, log)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLSD_", "OPENAI_"))}
    env.update(MLSD_HOME=str(home), PYTHONUNBUFFERED="1", **env_extra)
    home.mkdir(parents=True, exist_ok=True)
    if not (home / ".streamlit").exists():
        shutil.copytree(ROOT / ".streamlit", home / ".streamlit")
    log = home / f"streamlit-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, proc, log)
        yield url, log
    finally:
        stop_group(proc)


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    """Until Streamlit's health check answers at `url` (a failure if the process exits or time runs out)."""
    deadline = time.time() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if time.time() > deadline:
            pytest.fail(f"nothing answered on {url} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def stop_group(proc: subprocess.Popen) -> None:
    """Stop a server started with start_new_session=True, and anything it started."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass
