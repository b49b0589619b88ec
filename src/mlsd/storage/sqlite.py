"""SQLite: one file, WAL so readers never block the writer, BEGIN IMMEDIATE so writers queue up.

One connection per `SqliteDatabase`, shared by threads (a web server's sessions): a transaction
belongs to the connection, not the thread, so a lock makes each transaction whole.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from mlsd.core.errors import DatabaseUnavailableError
from mlsd.storage.base import Database, Row, Tx

# what "the file cannot be used" looks like; a constraint failure is a bug in the caller, not an outage
UNAVAILABLE = ("unable to open", "readonly", "read-only", "disk i/o", "locked", "disk is full", "no such file")


class SqliteTx(Tx):
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, params: Sequence = ()) -> None:
        self.conn.execute(sql, tuple(params))

    def all(self, sql: str, params: Sequence = ()) -> list[Row]:
        return [dict(r) for r in self.conn.execute(sql, tuple(params)).fetchall()]


class SqliteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, path: str):
        self.display = path
        if path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailableError(f"cannot create the folder for the database {path}: {exc}") from None
        try:
            self.conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000", "foreign_keys=ON"):
                self.conn.execute(f"PRAGMA {pragma}")
        except sqlite3.Error as exc:
            raise DatabaseUnavailableError(f"cannot open the database {path}: {exc}") from None
        self.lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise self._unavailable(exc) from None
            try:
                yield SqliteTx(self.conn)
            except BaseException as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError) and _is_outage(exc):
                    raise self._unavailable(exc) from None
                raise
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise self._unavailable(exc) from None

    def _unavailable(self, exc: Exception) -> DatabaseUnavailableError:
        return DatabaseUnavailableError(f"the database {self.display} refused the write: {exc}")

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _is_outage(exc: sqlite3.OperationalError) -> bool:
    return any(s in str(exc).lower() for s in UNAVAILABLE)
