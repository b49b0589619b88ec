"""A throwaway PostgreSQL cluster on loopback, for the tests, `mlsd bench` and trying a cohort set-up locally.

Uses the server binaries of Debian's `postgresql` package (/usr/lib/postgresql/<version>/bin). The
server refuses to run as root, so as root it runs as the `postgres` user (`runuser`), in a temp
folder that user owns. Password authentication over TCP, so URLs carry a password as real ones do.
`stop()` / `start()` take the server down and back up on the same port and data (outage tests).
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from mlsd.core.errors import ConfigError

ROLE = "mlsd"


def server_binaries() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin that has initdb, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TemporaryPostgres:
    """`with TemporaryPostgres() as pg: pg.url` — a server on 127.0.0.1 with a `mlsd` role and database."""

    def __init__(self, port: int | None = None):
        self.bin = server_binaries()
        if self.bin is None:
            raise ConfigError("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): "
                              "apt-get install postgresql")
        self.port = port or free_port()
        self.password = secrets.token_hex(12)
        self.root = Path(tempfile.mkdtemp(prefix="mlsd-pg-"))
        self.data = self.root / "data"
        self.as_root = os.geteuid() == 0

    # -- plumbing ---------------------------------------------------------------------------------
    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120, cwd=self.root)

    @property
    def url(self) -> str:
        return self.url_for(ROLE)

    def url_for(self, database: str) -> str:
        return f"postgresql://{ROLE}:{self.password}@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self.as_root:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", ROLE, f"--pwfile={pwfile}", "--auth-host=scram-sha-256",
                  "--auth-local=trust", "-E", "UTF8", "--no-sync")
        pwfile.unlink()
        conf = (f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.root}'\n"
                "fsync = off\nfull_page_writes = off\nmax_connections = 200\nshared_buffers = 64MB\n")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as f:
            f.write(conf)

    def start(self) -> None:
        result = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                           "start", check=False)
        if result.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace")[-2000:] if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr.strip()}\n{log}")
        self.create_database(ROLE, exist_ok=True)

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = self._run("psql", "-h", str(self.root), "-p", str(self.port), "-U", ROLE, "-d", database,
                           "-v", "ON_ERROR_STOP=1", "-qAtc", sql, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return result.stdout

    def create_database(self, name: str, *, exist_ok: bool = False) -> str:
        """A fresh database on this server; returns its URL."""
        if not (exist_ok and self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip()):
            self.psql(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def wait_until_down(self, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError:
                return
            time.sleep(0.1)

    def cleanup(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "TemporaryPostgres":
        try:
            self.init()
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()
