"""`LLM`: chat, streamed chat and validated structured output over any `ChatModel`.

`structured()` is the instructor pattern made robust across servers: request `json_schema`,
validate in code, re-ask with the validation error, then fall back to `json_object`, then to a
prompt-only JSON request; it returns a validated instance or raises `LLMOutputError` — never None.
The configured key never comes back out of the seam, even when a server echoes it. Side concerns
subscribe to the `Exchange` event emitted after every call (`subscribe`), as the exchange log does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from mlsd.core.errors import LLMOutputError
from mlsd.core.redaction import redact
from mlsd.llm.events import Exchange
from mlsd.llm.models import ChatModel, Message, MessageLike, ModeRejected, ReplyCutOff, to_messages
from mlsd.llm.structured import (STRUCTURED_MODES, extract_json, response_format_for, schema_instruction,
                                 token_budget, validation_message)

T = TypeVar("T", bound=BaseModel)
REASKS_PER_MODE = 2


class LLM:
    def __init__(self, model: ChatModel, *, backend: str = "test", secret: str | None = None):
        self.model = model
        self.backend = backend
        self._secret = secret
        self._subscribers: list[Callable[[Exchange], None]] = []

    @property
    def model_name(self) -> str:
        return self.model.name

    @property
    def offline(self) -> bool:
        """True for the offline provider: every job then takes its deterministic path."""
        return self.backend == "offline"

    def subscribe(self, subscriber: Callable[[Exchange], None]) -> None:
        self._subscribers.append(subscriber)

    # -- public API -----------------------------------------------------------------------------
    def chat(self, messages: Sequence[MessageLike], *, max_tokens: int | None = None) -> str:
        msgs = to_messages(messages)
        t0 = time.perf_counter()
        try:
            text = self._scrub(self.model.complete(msgs, max_tokens=max_tokens).text)
        except Exception as exc:
            self._emit("chat", msgs, None, str(exc), t0)
            raise
        self._emit("chat", msgs, text, None, t0)
        return text

    def stream(self, messages: Sequence[MessageLike], *, max_tokens: int | None = None,
               info: dict | None = None) -> Iterator[str]:
        """Yield the reply in pieces; `info["finish_reason"]` says how it ended ("length": cut off)."""
        msgs = to_messages(messages)
        t0 = time.perf_counter()
        parts: list[str] = []
        held = ""  # the tail that could be the start of the key, held back until the next piece
        keep = len(self._secret) - 1 if self._secret and len(self._secret) >= 4 else 0
        try:
            for chunk in self.model.stream(msgs, max_tokens=max_tokens):
                if chunk.finish_reason and info is not None:
                    info["finish_reason"] = chunk.finish_reason
                held = self._scrub(held + chunk.text)
                piece, held = (held[:-keep], held[-keep:]) if keep else (held, "")
                if piece:
                    parts.append(piece)
                    yield piece
            if held:
                parts.append(held)
                yield held
        except Exception as exc:
            self._emit("stream", msgs, "".join(parts), str(exc), t0)
            raise
        self._emit("stream", msgs, "".join(parts), None, t0)

    def structured(self, messages: Sequence[MessageLike], schema: type[T], *, max_tokens: int | None = None,
                   context: dict | None = None, check: Callable[[T], None] | None = None) -> T:
        """A validated `schema` instance, or `LLMOutputError` after re-asks and fallbacks.

        `context` is passed to Pydantic validators (e.g. the transcript for verbatim-quote checks);
        `check` may raise ValueError to reject a valid-but-wrong answer and trigger a re-ask.
        """
        attempt = _Attempts(to_messages(messages), schema, max_tokens or token_budget(schema))
        t0 = time.perf_counter()
        for mode in STRUCTURED_MODES:
            msgs = attempt.start(mode)
            for _ in range(1 + REASKS_PER_MODE):
                try:
                    value, msgs = self._try_once(attempt, mode, msgs, context, check)
                except ModeRejected as exc:
                    # The server refuses this response_format (LM Studio: json_object; llama-cpp-python:
                    # json_schema): not the model's fault, so go straight to the next mode.
                    attempt.problems.append(f"{mode}: server rejected the request ({str(exc)[:300]})")
                    break
                except Exception as exc:
                    self._emit("structured", attempt.base, attempt.last_raw, str(exc), t0, attempt.count)
                    raise
                if value is not None:
                    self._emit("structured", attempt.base, attempt.last_raw, None, t0, attempt.count)
                    return value
        message = redact(attempt.failure(self.model_name), self._secret)
        self._emit("structured", attempt.base, attempt.last_raw, message, t0, attempt.count)
        raise LLMOutputError(message, attempts=attempt.count, last_raw=attempt.last_raw)

    # -- internals ------------------------------------------------------------------------------
    def _try_once(self, attempt: "_Attempts", mode: str, msgs: list[Message], context: dict | None,
                  check: Callable | None) -> tuple[BaseModel | None, list[Message]]:
        """One request: the validated value, or None and the messages for the re-ask."""
        attempt.count += 1
        try:
            reply = self.model.complete(msgs, max_tokens=attempt.max_tokens,
                                        response_format=response_format_for(attempt.schema, mode))
        except ReplyCutOff:
            # openai's parse() refuses a reply cut off at max_tokens before we see it.
            why = f"the reply was cut off at the token limit ({attempt.max_tokens}); answer more briefly"
            attempt.problems.append(f"{mode}: {why}")
            return None, msgs + [Message("user", f"Your previous reply was not valid: {why}. "
                                                 "Reply again with only a short JSON object.")]
        raw = attempt.last_raw = self._scrub(reply.text)
        try:
            value = attempt.schema.model_validate(extract_json(raw), context=context)
            if check:
                check(value)
            return value, msgs
        except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
            why = validation_message(exc)
            if reply.finish_reason == "length":
                why = f"the reply was cut off at the token limit ({attempt.max_tokens}); answer more briefly. {why}"
            attempt.problems.append(f"{mode}: {why}")
            return None, msgs + [Message("assistant", raw[:4000]), Message(
                "user", f"That reply was not valid: {why}\nReply again with only the corrected JSON object.")]

    def _scrub(self, text: str) -> str:
        if self._secret and len(self._secret) >= 4:
            return text.replace(self._secret, "****")
        return text

    def _emit(self, kind: str, msgs: list[Message], response: str | None, error: str | None, t0: float,
              attempts: int = 1) -> None:
        if not self._subscribers:
            return
        event = Exchange(self.backend, self.model_name, kind, msgs, response,
                         redact(error, self._secret) if error else None, attempts,
                         (time.perf_counter() - t0) * 1000)
        for subscriber in self._subscribers:
            subscriber(event)


class _Attempts:
    """What one structured() call has tried so far."""

    def __init__(self, base: list[Message], schema: type[BaseModel], max_tokens: int):
        self.base, self.schema, self.max_tokens = base, schema, max_tokens
        self.count = 0
        self.last_raw: str | None = None
        self.problems: list[str] = []

    def start(self, mode: str) -> list[Message]:
        if mode == "json_schema":
            return list(self.base)
        return self.base + [Message("user", schema_instruction(self.schema))]

    def failure(self, model_name: str) -> str:
        return (f"{model_name} gave no valid {self.schema.__name__} after {self.count} attempts "
                f"(json_schema, json_object and prompt-only). Last problem: "
                f"{self.problems[-1] if self.problems else 'none'}")
