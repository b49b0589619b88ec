"""The knowledge index against a real Chroma server (`chroma run`) through HttpClient."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mlsd.core.config import Settings
from mlsd.knowledge.index import KnowledgeIndex, index_status
from test_knowledge import NOTES, write_knowledge

CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_heartbeat(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma run exited with {proc.returncode}:\n{proc.stdout.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"chroma on port {port} gave no heartbeat within {timeout:.0f} s")


@pytest.fixture
def chroma_server(tmp_path):
    if not CHROMA.exists():
        pytest.skip(f"no chroma binary at {CHROMA}")
    port = free_port()
    data = tmp_path / "chroma-data"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        wait_for_heartbeat(port, proc)
        yield port, data
    finally:
        proc.kill()
        proc.wait(timeout=30)


@pytest.mark.integration
def test_build_and_search_through_a_chroma_server(tmp_path, monkeypatch, chroma_server):
    port, data = chroma_server
    monkeypatch.setenv("MLSD_CONTENT_DIR", str(tmp_path / "content"))
    monkeypatch.setenv("MLSD_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("MLSD_CHROMA_PORT", str(port))
    knowledge = write_knowledge(tmp_path / "content")
    settings = Settings()

    assert index_status(settings).line == "not built"
    report = KnowledgeIndex(settings).build()
    assert len(report.added_files) == len(NOTES) and report.chunks_embedded > 0
    assert not settings.index_dir.exists(), "with a server, nothing is stored locally"
    assert any(data.iterdir()), "the server persisted the collection"

    again = KnowledgeIndex(settings).build()
    assert again.chunks_embedded == 0 and len(again.unchanged_files) == len(NOTES)

    hits = KnowledgeIndex(settings).search("What PSI value means a feature drifted?", k=3, phases=["monitoring"])
    assert hits and all(h.path == "knowledge/concepts/drift_detection.md" for h in hits)
    assert hits[0].heading == "PSI thresholds"

    (knowledge / "cases/fraud.md").unlink()
    assert index_status(settings).line.startswith("stale: 1 files changed")
    assert KnowledgeIndex(settings).build().removed_files == ["knowledge/cases/fraud.md"]
