"""The model protocol every provider implements, and the message types the seam speaks.

`mlsd.llm.LLM` (chat, stream, validated structured output) is written against `ChatModel` only:
the OpenAI-compatible adapter (any server, through LangChain), the offline provider and the test
double all implement it, as pydantic-ai's models do. A model raises the product's own errors
(`LLMUnavailableError`, `ConfigError`) or one of the two signals below, never a vendor exception.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]
_ROLES = {"system": "system", "user": "user", "human": "user", "assistant": "assistant", "ai": "assistant"}


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


MessageLike = Message | tuple[str, str] | dict[str, str]


def to_messages(messages: Sequence[MessageLike]) -> list[Message]:
    """Messages from `Message`s, `(role, content)` pairs or `{"role", "content"}` dicts."""
    out: list[Message] = []
    for m in messages:
        if isinstance(m, Message):
            out.append(m)
            continue
        role, content = (m["role"], m["content"]) if isinstance(m, dict) else m
        if role not in _ROLES:
            raise ValueError(f"unknown message role {role!r}")
        out.append(Message(_ROLES[role], content))  # type: ignore[arg-type]
    return out


@dataclass(frozen=True)
class Completion:
    """A whole reply, or one streamed piece of it (the last piece carries the finish reason)."""

    text: str
    finish_reason: str | None = None


class ModeRejected(Exception):
    """The server refused the requested response_format: not the model's fault, try the next mode."""


class ReplyCutOff(Exception):
    """The reply stopped at the token limit before it could be read."""


@runtime_checkable
class ChatModel(Protocol):
    name: str  # the model's name, for logs and messages
    where: str  # where it runs (an endpoint URL, "offline"), for error messages

    def complete(self, messages: list[Message], *, max_tokens: int | None = None,
                 response_format: dict | None = None) -> Completion: ...

    def stream(self, messages: list[Message], *, max_tokens: int | None = None) -> Iterator[Completion]: ...
