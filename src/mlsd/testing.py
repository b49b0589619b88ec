"""Deterministic chat models behind the provider seam, for tests and offline demos.

`ScriptedChatModel` replays queued replies (text, `Reply` with a finish_reason, an exception to
raise, or a function of the messages) and records every call, like llm's MockModel and
pydantic-ai's FunctionModel. Wrap it in `mlsd.llm.LLM` and the code under test cannot tell it
from a server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from .llm import LLM


@dataclass
class Reply:
    text: str
    finish_reason: str = "stop"


Scripted = str | Reply | BaseException | Callable[[list[BaseMessage], dict], "str | Reply"]


class ScriptedChatModel(BaseChatModel):
    """Replies from a queue; when the queue is empty, `default` (or an error) answers."""

    default: str | None = None
    _queue: list = PrivateAttr(default_factory=list)
    _calls: list = PrivateAttr(default_factory=list)

    def __init__(self, replies: list[Scripted] | None = None, **kw: Any):
        super().__init__(**kw)
        self._queue = list(replies or [])
        self._calls = []

    @property
    def calls(self) -> list[tuple[list[BaseMessage], dict]]:
        return self._calls

    def enqueue(self, *replies: Scripted) -> None:
        self._queue.extend(replies)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _next(self, messages: list[BaseMessage], kwargs: dict) -> Reply:
        self._calls.append((list(messages), dict(kwargs)))
        if self._queue:
            item = self._queue.pop(0)
        elif self.default is not None:
            item = self.default
        else:
            raise AssertionError("ScriptedChatModel: no reply queued for this call")
        if callable(item) and not isinstance(item, BaseException):
            item = item(messages, kwargs)
        if isinstance(item, BaseException):
            raise item
        return item if isinstance(item, Reply) else Reply(str(item))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        reply = self._next(messages, kwargs)
        msg = AIMessage(content=reply.text, response_metadata={"finish_reason": reply.finish_reason})
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        reply = self._next(messages, kwargs)
        words = reply.text.split(" ")
        for i, word in enumerate(words):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word if i == 0 else " " + word))


def scripted_llm(*replies: Scripted, default: str | None = None, **kw: Any) -> tuple[LLM, ScriptedChatModel]:
    model = ScriptedChatModel(list(replies), default=default)
    return LLM(model, backend="test", model_name="scripted", **kw), model
