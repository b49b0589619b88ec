"""PostgreSQL through psycopg 3 and a connection pool (psycopg_pool), for a cohort and app replicas.

Connections are in autocommit mode: a read is one statement, a write is an explicit transaction.
Each one takes a pooled connection, checked before use (a connection broken by a server
restart is replaced, not handed out), so the pool recovers by itself when the server comes back.
Acquiring waits up to `timeout` seconds for the server: a blip is retried, an outage becomes one
`DatabaseUnavailableError` naming the URL with its password masked.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from mlsd.core.errors import DatabaseUnavailableError
from mlsd.core.redaction import redact
from mlsd.storage.base import Database, Row, Tx
from mlsd.storage.urls import mask_url, postgres_conninfo, url_password

# SQLSTATE classes that mean "the server is gone or refusing connections", not "your SQL is wrong":
# 08 connection exception, 57P admin/crash shutdown or cannot connect now, 53 insufficient resources
OUTAGE_SQLSTATES = ("08", "57P", "53")
MIGRATION_LOCK = 0x6D6C7364  # "mlsd": one replica migrates while the others wait
# The pool logs every failed reconnection attempt; the error the caller gets already says it once.
logging.getLogger("psycopg.pool").setLevel(logging.ERROR)


@functools.lru_cache(maxsize=512)
def to_pyformat(sql: str) -> str:
    """`?` placeholders as psycopg's `%s` (a literal % doubled). Our SQL never has `?` inside a string."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresTx(Tx):
    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def execute(self, sql: str, params: Sequence = ()) -> None:
        self.conn.execute(to_pyformat(sql), tuple(params)) if params else self.conn.execute(sql)

    def all(self, sql: str, params: Sequence = ()) -> list[Row]:
        cur = self.conn.execute(to_pyformat(sql), tuple(params)) if params else self.conn.execute(sql)
        return cur.fetchall() if cur.description else []


class PostgresDatabase(Database):
    dialect = "postgresql"
    for_update = " FOR UPDATE"

    def __init__(self, url: str, *, pool_size: int = 5, timeout: float = 5.0):
        self.display = mask_url(url)
        self._password = url_password(url)
        self._conninfo = postgres_conninfo(url)
        self.pool = ConnectionPool(
            self._conninfo, min_size=1, max_size=max(1, pool_size), open=False, timeout=timeout,
            name="mlsd", check=ConnectionPool.check_connection,
            kwargs={"row_factory": dict_row, "connect_timeout": max(2, int(timeout)), "autocommit": True,
                    "application_name": "mlsd"})
        try:
            self.pool.open(wait=True, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - every failure to connect is reported the same way
            self.pool.close()
            raise self.unavailable(exc) from None

    def lock_migrations(self, tx: Tx) -> None:
        tx.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A pooled, checked connection in autocommit mode; an outage becomes DatabaseUnavailableError."""
        try:
            with self._connection() as conn:
                yield conn
        except (PoolTimeout, PoolClosed, psycopg.InterfaceError) as exc:
            raise self.unavailable(exc) from None
        except psycopg.OperationalError as exc:
            if is_outage(exc):
                raise self.unavailable(exc) from None
            raise

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        """From the pool; when none comes within the timeout, one connection of its own.

        After an outage the pool reconnects with a growing back-off, so for a while after the
        server is back it may still have nothing to give: the direct connection lets the interview
        go on at once (and says why not, e.g. "Connection refused", while the server is down).
        """
        try:
            conn = self.pool.getconn()
        except PoolTimeout:
            with psycopg.connect(self._conninfo, connect_timeout=max(2, int(self.pool.timeout)), autocommit=True,
                                 row_factory=dict_row, application_name="mlsd") as conn:
                yield conn
            return
        try:
            yield conn
        finally:
            self.pool.putconn(conn)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self.connection() as conn, conn.transaction():
            yield PostgresTx(conn)

    def all(self, sql: str, params: Sequence = ()) -> list[Row]:
        """One read statement on its own (autocommit): one round trip instead of BEGIN, SELECT, COMMIT."""
        with self.connection() as conn:
            return PostgresTx(conn).all(sql, params)

    def unavailable(self, exc: BaseException) -> DatabaseUnavailableError:
        cause = first_line(exc)
        if isinstance(exc, PoolTimeout):  # the pool does not say why: one direct attempt does
            cause = f"no connection within {self.pool.timeout:g} s ({self._why_no_connection()})"
        return DatabaseUnavailableError(redact(f"the database at {self.display} is not reachable: {cause}",
                                               self._password))

    def _why_no_connection(self) -> str:
        """The pool only says it timed out: one direct attempt says why (refused, bad password, ...)."""
        try:
            psycopg.connect(self._conninfo, connect_timeout=2).close()
        except Exception as exc:  # noqa: BLE001 - its message is the answer
            return first_line(exc)
        return f"all {self.pool.max_size} pooled connections are busy"

    def close(self) -> None:
        self.pool.close()


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def is_outage(exc: psycopg.Error) -> bool:
    state = getattr(exc, "sqlstate", None)
    return state is None or state.startswith(OUTAGE_SQLSTATES)
