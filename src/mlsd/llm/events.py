"""Events the seam emits, and the exchange log that subscribes to them (instructor's hooks).

`LLM` knows nothing about storage: after every chat, stream or structured call it hands an
`Exchange` to its subscribers. `ExchangeLog` writes it to the `exchanges` table of the session
database (SQLite or PostgreSQL) with every secret redacted and the acting user as its owner;
logging never breaks a call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mlsd.core.config import LOCAL_USER
from mlsd.core.redaction import redact
from mlsd.llm.models import Message


@dataclass(frozen=True)
class Exchange:
    backend: str
    model: str
    kind: str  # chat | stream | structured
    messages: list[Message]
    response: str | None
    error: str | None
    attempts: int
    duration_ms: float


class ExchangeLog:
    """Subscriber: one row per exchange in the database at `database` (a path or a postgresql:// URL)."""

    def __init__(self, database: Path | str, secret: str | None = None, owner: str = LOCAL_USER):
        self.database = database
        self._secret = secret
        self.owner = owner  # unless the app says which user the current thread serves

    def __call__(self, exchange: Exchange) -> None:
        # local: the seam must import without touching disk or a database driver
        from mlsd.access.identity import acting_user
        from mlsd.storage import now_iso, shared_database

        # PostgreSQL refuses NUL characters in text; a model can emit one
        clean = lambda text: redact(text, self._secret).replace("\x00", "\ufffd") if text is not None else None  # noqa: E731
        request = json.dumps([{"role": m.role, "content": m.content} for m in exchange.messages])
        row = (now_iso(), acting_user() or self.owner, exchange.backend, exchange.model, exchange.kind,
               clean(request), clean(exchange.response), clean(exchange.error), exchange.attempts,
               exchange.duration_ms)
        try:
            with shared_database(self.database).transaction() as tx:
                tx.execute("INSERT INTO exchanges (ts, owner, backend, model, kind, request, response, error, "
                           "attempts, duration_ms) VALUES (?,?,?,?,?,?,?,?,?,?)", row)
        except Exception:  # logging must never break an interview
            pass
