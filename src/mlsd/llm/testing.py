"""A deterministic model behind the provider seam, for tests and offline demos.

`ScriptedModel` implements `ChatModel` directly (as pydantic-ai's `FunctionModel` does): it replays
queued replies — text, a `Reply` with a finish reason, an exception to raise, or a function of the
messages — and records every call. Wrap it in `LLM` and the code under test cannot tell it from a
server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from mlsd.llm.client import LLM
from mlsd.llm.models import Completion, Message


@dataclass
class Reply:
    text: str
    finish_reason: str = "stop"


Scripted = str | Reply | BaseException | Callable[[list[Message], dict], "str | Reply"]


class ScriptedModel:
    """Replies from a queue; when the queue is empty, `default` (or an error) answers."""

    name = "scripted"
    where = "scripted model"

    def __init__(self, replies: list[Scripted] | None = None, *, default: str | None = None):
        self._queue = list(replies or [])
        self.default = default
        self.calls: list[tuple[list[Message], dict]] = []

    def enqueue(self, *replies: Scripted) -> None:
        self._queue.extend(replies)

    def complete(self, messages: list[Message], *, max_tokens: int | None = None,
                 response_format: dict | None = None) -> Completion:
        reply = self._next(messages, _options(max_tokens, response_format))
        return Completion(reply.text, reply.finish_reason)

    def stream(self, messages: list[Message], *, max_tokens: int | None = None) -> Iterator[Completion]:
        reply = self._next(messages, _options(max_tokens, None))
        words = reply.text.split(" ")
        for i, word in enumerate(words):
            last = i == len(words) - 1
            yield Completion(word if i == 0 else " " + word, reply.finish_reason if last else None)

    def _next(self, messages: list[Message], options: dict) -> Reply:
        self.calls.append((list(messages), options))
        if self._queue:
            item = self._queue.pop(0)
        elif self.default is not None:
            item = self.default
        else:
            raise AssertionError("ScriptedModel: no reply queued for this call")
        if callable(item) and not isinstance(item, BaseException):
            item = item(messages, options)
        if isinstance(item, BaseException):
            raise item
        return item if isinstance(item, Reply) else Reply(str(item))


def _options(max_tokens: int | None, response_format: dict | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if max_tokens is not None:
        options["max_tokens"] = max_tokens
    if response_format is not None:
        options["response_format"] = response_format
    return options


def scripted_llm(*replies: Scripted, default: str | None = None, **kw: Any) -> tuple[LLM, ScriptedModel]:
    model = ScriptedModel(list(replies), default=default)
    return LLM(model, backend="test", **kw), model
