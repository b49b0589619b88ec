"""Where sessions, turns, reports and the LLM exchange log are kept: SQLite (default) or PostgreSQL.

`open_database(target)` takes a PostgreSQL URL (`MLSD_DATABASE_URL=postgresql://...`) or a SQLite
path and returns a migrated `Database`; `shared_database` keeps one per target per process (one
pool for every user of an app replica).
"""

from __future__ import annotations

import threading
from pathlib import Path

from mlsd.storage.base import Database, Row, Tx, now_iso
from mlsd.storage.schema import MIGRATIONS, migrate
from mlsd.storage.urls import is_postgres, mask_url, sqlite_path

__all__ = ["Database", "Row", "Tx", "MIGRATIONS", "now_iso", "open_database", "shared_database", "mask_url",
           "is_postgres"]

_shared: dict[tuple, Database] = {}
_shared_lock = threading.Lock()


def open_database(target: str | Path, *, pool_size: int = 5, timeout: float = 5.0) -> Database:
    """A migrated database at `target`: a postgresql:// URL, a sqlite:/// URL or a file path."""
    if is_postgres(target):
        from mlsd.storage.postgres import PostgresDatabase

        db: Database = PostgresDatabase(str(target), pool_size=pool_size, timeout=timeout)
    else:
        from mlsd.storage.sqlite import SqliteDatabase

        db = SqliteDatabase(sqlite_path(target))
    try:
        migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def shared_database(target: str | Path, *, pool_size: int = 5, timeout: float = 5.0) -> Database:
    """The process-wide database for `target` (opened on first use; a failed open is not kept)."""
    key = (str(target), pool_size, timeout)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = open_database(target, pool_size=pool_size, timeout=timeout)
        return _shared[key]


def forget_shared_databases() -> None:
    """Close every shared database (tests, and a server shutting down)."""
    with _shared_lock:
        for db in _shared.values():
            db.close()
        _shared.clear()
