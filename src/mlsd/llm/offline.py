"""The offline provider: "no LLM" as a model like any other.

Every job has a deterministic path of its own; the offline model only answers that there is no
model, immediately and typed, so callers fall back exactly as they do when a server is down.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlsd.core.errors import LLMUnavailableError
from mlsd.llm.models import Completion, Message

OFFLINE_REASON = ("the offline backend has no LLM; set MLSD_LLM=local, or MLSD_BASE_URL / OPENAI_API_KEY "
                  "for an OpenAI-compatible endpoint")


class OfflineModel:
    name = "offline"
    where = "offline"

    def complete(self, messages: list[Message], *, max_tokens: int | None = None,
                 response_format: dict | None = None) -> Completion:
        raise LLMUnavailableError(OFFLINE_REASON)

    def stream(self, messages: list[Message], *, max_tokens: int | None = None) -> Iterator[Completion]:
        raise LLMUnavailableError(OFFLINE_REASON)
