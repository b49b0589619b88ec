"""One API over SQLite and PostgreSQL: transactions, dict rows, `?` placeholders, one error for "unreachable".

SQL is written once, with `?` placeholders and portable types (TEXT, INTEGER, REAL); the
PostgreSQL backend turns `?` into `%s`. What differs between the two (row locks, DDL for ids and
timestamps, the migration lock) is a property of the database, not an `if` in the callers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

Row = dict[str, Any]


def now_iso() -> str:
    """'2025-11-27T03:37:12.123Z': the timestamp format every row uses, whichever database holds it."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Reads(ABC):
    """`one` and `scalar` on top of `all`, for a transaction and for a database alike."""

    @abstractmethod
    def all(self, sql: str, params: Sequence = ()) -> list[Row]: ...

    def one(self, sql: str, params: Sequence = ()) -> Row | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence = ()):
        row = self.one(sql, params)
        return next(iter(row.values())) if row else None


class Tx(Reads):
    """The statements of one transaction."""

    dialect: str

    @abstractmethod
    def execute(self, sql: str, params: Sequence = ()) -> None: ...


class Database(Reads):
    dialect: str  # "sqlite" | "postgresql"
    display: str  # where it is, for messages: a path, or a URL with the password masked
    # appended to a SELECT that must lock the rows it reads until the transaction ends
    for_update: str = ""

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One transaction: committed when the block ends, rolled back on any error."""

    def all(self, sql: str, params: Sequence = ()) -> list[Row]:
        with self.transaction() as tx:
            return tx.all(sql, params)

    def lock_migrations(self, tx: Tx) -> None:
        """Make other processes wait while this one migrates (SQLite's BEGIN IMMEDIATE already does)."""

    @abstractmethod
    def close(self) -> None: ...

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.display}>"
