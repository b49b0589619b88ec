"""Events the seam emits, and the exchange log that subscribes to them (instructor's hooks).

`LLM` knows nothing about storage: after every chat, stream or structured call it hands an
`Exchange` to its subscribers. `ExchangeLog` writes it to the SQLite `exchanges` table with every
secret redacted; logging never breaks a call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

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
    """Subscriber: one row per exchange in the database at `db_path`."""

    def __init__(self, db_path: Path | str, secret: str | None = None):
        self.db_path = db_path
        self._secret = secret

    def __call__(self, exchange: Exchange) -> None:
        from mlsd.core.db import connect, transaction  # local: the seam must import without touching disk

        clean = lambda text: redact(text, self._secret) if text is not None else None  # noqa: E731
        request = json.dumps([{"role": m.role, "content": m.content} for m in exchange.messages])
        row = (exchange.backend, exchange.model, exchange.kind, clean(request), clean(exchange.response),
               clean(exchange.error), exchange.attempts, exchange.duration_ms)
        try:
            db = connect(self.db_path)
            with transaction(db):
                db.execute("INSERT INTO exchanges (backend, model, kind, request, response, error, attempts,"
                           " duration_ms) VALUES (?,?,?,?,?,?,?,?)", row)
            db.close()
        except Exception:  # logging must never break an interview
            pass
