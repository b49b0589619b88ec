"""`make run` (the README's first command) serves on the loopback address only."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from mlsd.storage.throwaway import free_port

from .served import ROOT, stop_group, wait_healthy


def listening_addresses(port: int) -> set[str]:
    """Local addresses of LISTEN sockets on `port`, from /proc/net/tcp and tcp6."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            host, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = bytes.fromhex(host)
                if len(raw) == 4:
                    found.add(".".join(str(b) for b in raw[::-1]))
                else:  # IPv6 words are little-endian 32-bit groups
                    words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
                    found.add(":".join(b"".join(words)[i:i + 2].hex() for i in range(0, 16, 2)))
    return found


def test_make_run_listens_only_on_loopback(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLSD_", "OPENAI_", "STREAMLIT_"))}
    env.update(MLSD_HOME=str(tmp_path / "home"), STREAMLIT_SERVER_PORT=str(port), STREAMLIT_SERVER_HEADLESS="true")
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["make", "-s", "run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, log)
        addresses = listening_addresses(port)
        assert addresses == {"127.0.0.1"}, addresses
        assert "without sign-in" not in log.read_text() and "loopback only" in log.read_text()
    finally:
        stop_group(proc)
