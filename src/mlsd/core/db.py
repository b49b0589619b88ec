"""SQLite under MLSD_HOME: every LLM exchange, sessions (interviews and graded uploads) and their turns.

WAL mode so readers never block the writer; each write is one transaction; schema changes are
named migrations recorded in `_migrations` (the simonw/llm pattern), so an old database upgrades
in place and nothing already saved is lost.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = []


def migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_exchanges(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE exchanges (
            id INTEGER PRIMARY KEY,
            ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            backend TEXT NOT NULL,
            model TEXT,
            kind TEXT NOT NULL,          -- chat | stream | structured
            request TEXT NOT NULL,       -- JSON list of messages (never headers or keys)
            response TEXT,
            error TEXT,
            attempts INTEGER NOT NULL DEFAULT 1,
            duration_ms REAL
        )"""
    )


@migration
def m002_sessions_and_turns(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            problem_id TEXT,
            problem_text TEXT,
            mode TEXT NOT NULL DEFAULT 'mock',
            status TEXT NOT NULL DEFAULT 'active',   -- active | ended
            state TEXT,                              -- JSON interview state
            report TEXT                              -- JSON grade report once graded
        )"""
    )
    db.execute(
        """CREATE TABLE turns (
            session_id TEXT NOT NULL REFERENCES sessions(id),
            idx INTEGER NOT NULL,
            ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            role TEXT NOT NULL CHECK (role IN ('interviewer', 'candidate')),
            content TEXT NOT NULL,
            meta TEXT,
            PRIMARY KEY (session_id, idx)
        )"""
    )


@migration
def m003_session_kind(db: sqlite3.Connection) -> None:
    # 'upload': a transcript pasted or uploaded on the Grade page and graded there, kept for History.
    db.execute("ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'interview' "
               "CHECK (kind IN ('interview', 'upload'))")


def migrate(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied TEXT)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with transaction(db):  # a crash mid-migration leaves the old schema intact
            fn(db)
            db.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", (name,))


_lock = threading.Lock()


class Connection(sqlite3.Connection):
    """A connection that may be shared by threads (a web server's sessions, a cached store).

    SQLite serialises the calls, but a transaction belongs to the connection, not the thread: two
    threads in `transaction()` at once would nest BEGINs ("cannot start a transaction within a
    transaction") or commit each other's half-done writes. The lock makes each transaction whole.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tx_lock = threading.RLock()


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error (autocommit connections)."""
    lock = getattr(db, "tx_lock", None) or threading.RLock()
    with lock:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def connect(path: Path | str) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the database at `path`."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None, factory=Connection)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=30000")
    db.execute("PRAGMA foreign_keys=ON")
    with _lock:
        migrate(db)
    return db
