"""With the network unreachable, offline and local modes work and nothing tries to download.

Each command runs in a fresh interpreter whose sitecustomize refuses (and records) every
connection to a non-loopback address and every DNS lookup of a non-local name.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

GUARD = textwrap.dedent('''
    import os, socket
    LOG = os.environ["MLSD_NET_LOG"]
    def _blocked(what):
        with open(LOG, "a") as f:
            f.write(repr(what) + "\\n")
        raise OSError("network blocked by test: %r" % (what,))
    def _local(host):
        # Only 127.0.0.1 / ::1 pass; the rest of 127/8 is blocked too, so the self-test below can aim
        # at 127.0.0.2 and never send a packet off this machine even if the guard failed to load.
        return host in ("localhost", "", None, "127.0.0.1", "::1")
    _connect = socket.socket.connect
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
            _blocked(address)
        return _connect(self, address)
    socket.socket.connect = connect
    _gai = socket.getaddrinfo
    def getaddrinfo(host, *a, **k):
        if not _local(host if isinstance(host, str) else None):
            _blocked(("dns", host))
        return _gai(host, *a, **k)
    socket.getaddrinfo = getaddrinfo
''')


def run_blocked(tmp_path: Path, args: list[str], **env) -> tuple[subprocess.CompletedProcess, list[str]]:
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir(exist_ok=True)
    (guard_dir / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "net.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MLSD_"))}
    full_env.update(PYTHONPATH=str(guard_dir), MLSD_NET_LOG=str(log), MLSD_HOME=str(tmp_path / "home"), **env)
    proc = subprocess.run([sys.executable, "-m", "mlsd.cli", *args], capture_output=True, text=True,
                          env=full_env, cwd=tmp_path, timeout=600)
    attempts = log.read_text().splitlines() if log.exists() else []
    return proc, attempts


def test_guard_really_blocks(tmp_path):
    proc, attempts = run_blocked(tmp_path, ["chat", "hi"], MLSD_LLM="openai", MLSD_BASE_URL="http://127.0.0.2:9/v1",
                                 MLSD_MODEL="m", MLSD_MAX_RETRIES="0", MLSD_TIMEOUT="5")
    assert proc.returncode != 0
    assert attempts, "the guard recorded nothing, so the other tests here would prove nothing"


def test_offline_mode_needs_no_network(tmp_path):
    proc, attempts = run_blocked(tmp_path, ["config"], MLSD_LLM="offline")
    assert proc.returncode == 0, proc.stderr
    assert "offline" in proc.stdout
    # the heavy offline paths: embeddings, a Chroma index built from scratch, retrieval, grading
    proc, more = run_blocked(tmp_path, ["ask", "How do I detect data drift in production?", "--json"],
                             MLSD_LLM="offline")
    assert proc.returncode == 0, proc.stderr
    assert '"in_scope": true' in proc.stdout
    transcript = Path(__file__).resolve().parents[1] / "data" / "transcripts" / "bank_fraud_detection_strong.json"
    proc, graded = run_blocked(tmp_path, ["grade", str(transcript), "--json"], MLSD_LLM="offline")
    assert proc.returncode == 0, proc.stderr
    assert '"status": "graded"' in proc.stdout
    assert attempts == more == graded == []


@pytest.mark.integration
def test_local_mode_needs_no_network(tmp_path, local_settings):
    proc, attempts = run_blocked(tmp_path, ["chat", "Say hello.", "--max-tokens", "8"], MLSD_LLM="local")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    assert attempts == []
