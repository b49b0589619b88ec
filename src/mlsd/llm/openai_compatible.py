"""Any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp, LM Studio) as a `ChatModel`.

Calls go through LangChain's `ChatOpenAI` with an explicit `base_url`, so every server looks
alike. Vendor exceptions stop here: they become `LLMUnavailableError` (the server is down or
failing: the caller falls back), `ConfigError` (a setting is wrong: the message names it), or the
seam's `ModeRejected` / `ReplyCutOff` signals. When no model is named, the server's first listed
model is discovered on the first call, and a failed discovery is an outage like any other: it is
tried again on the next call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import openai

from mlsd.core.config import PLACEHOLDER_KEY
from mlsd.core.errors import ConfigError, LLMOutputError, LLMUnavailableError
from mlsd.core.redaction import redact
from mlsd.llm.models import Completion, Message, ModeRejected, ReplyCutOff

# What LangChain and openai raise when a 200 response is not a chat completion.
_MALFORMED = (ValueError, TypeError, AttributeError, IndexError, KeyError)  # JSONDecodeError is a ValueError


class OpenAICompatibleModel:
    def __init__(self, *, base_url: str | None, api_key: str | None, model: str | None, timeout: float,
                 max_retries: int, secret: str | None = None):
        self.base_url = base_url
        self.where = base_url or "api.openai.com"
        self._key = api_key or PLACEHOLDER_KEY
        self._secret = secret
        self._timeout, self._max_retries = timeout, max_retries
        # Some servers (llama-cpp-python, older Ollama) ignore max_completion_tokens, which is what
        # LangChain sends; for non-OpenAI endpoints the legacy max_tokens goes too.
        self._send_max_tokens = bool(base_url)
        self._model = model or (None if base_url else "gpt-4o-mini")
        self._chat = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._model or "(not discovered yet)"

    def complete(self, messages: list[Message], *, max_tokens: int | None = None,
                 response_format: dict | None = None) -> Completion:
        try:
            reply = self._client().invoke(_langchain(messages), **self._kwargs(max_tokens, response_format))
        except openai.LengthFinishReasonError as exc:
            raise ReplyCutOff(str(exc)) from exc
        except openai.BadRequestError as exc:
            if response_format is not None:
                raise ModeRejected(_short(exc, self._secret)) from exc
            raise self._mapped(exc) from exc
        except Exception as exc:
            raise self._mapped(exc) from exc
        return Completion(_text(reply), (reply.response_metadata or {}).get("finish_reason"))

    def stream(self, messages: list[Message], *, max_tokens: int | None = None) -> Iterator[Completion]:
        try:
            for chunk in self._client().stream(_langchain(messages), **self._kwargs(max_tokens)):
                yield Completion(_text(chunk), (getattr(chunk, "response_metadata", None) or {}).get("finish_reason"))
        except Exception as exc:
            raise self._mapped(exc) from exc

    # -- internals ----------------------------------------------------------------------------------
    def _client(self):
        with self._lock:
            if self._chat is None:
                from langchain_openai import ChatOpenAI

                if self._model is None:
                    self._model = discover_model(self.base_url or "", self._key, self._timeout)
                self._chat = ChatOpenAI(model=self._model, base_url=self.base_url, api_key=self._key,
                                        timeout=self._timeout, max_retries=self._max_retries, temperature=0.2,
                                        use_responses_api=False)
            return self._chat

    def _kwargs(self, max_tokens: int | None, response_format: dict | None = None) -> dict:
        kw: dict[str, Any] = {}
        if max_tokens is not None:
            kw["max_tokens"] = max_tokens
            if self._send_max_tokens:
                kw["extra_body"] = {"max_tokens": max_tokens}
        if response_format is not None:
            kw["response_format"] = response_format
        return kw

    def _mapped(self, exc: Exception) -> Exception:
        return map_error(exc, self.where, self.name, self._secret)


# Vendor errors that mean "the server is down or failing" (the caller falls back) or "a setting is
# wrong" (the message names it), in the order they are tested: subclasses before their bases.
_MAPPED: list[tuple[type[Exception], type[Exception], str]] = [
    (openai.AuthenticationError, ConfigError, "{where} rejected the API key (HTTP 401): check MLSD_API_KEY / OPENAI_API_KEY"),
    (openai.NotFoundError, ConfigError, "{where} has no model {model!r} (HTTP 404): check MLSD_MODEL"),
    (openai.APITimeoutError, LLMUnavailableError, "{where} did not answer in time (timeout); is the server overloaded?"),
    (openai.APIConnectionError, LLMUnavailableError, "cannot reach the LLM endpoint {where}: {detail}"),
    (openai.RateLimitError, LLMUnavailableError, "{where} is rate-limiting requests (HTTP 429) after retries"),
    (openai.APIStatusError, LLMUnavailableError, "{where} failed with HTTP {status}: {detail}"),
    (openai.APIError, LLMUnavailableError, "{where} failed: {detail}"),  # e.g. an error event mid-stream
    ((ConnectionError, TimeoutError, OSError, httpx.TransportError), LLMUnavailableError,  # type: ignore[list-item]
     "cannot reach the LLM endpoint {where}: {detail}"),
    # LangChain/openai could not read the reply as a chat completion: HTML from a proxy, an error object
    # with status 200, no choices. The endpoint is not working; say so, don't crash the caller.
    (_MALFORMED, LLMUnavailableError, "{where} did not answer with an OpenAI chat completion ({kind}: {detail}); "  # type: ignore[list-item]
                                      "check MLSD_BASE_URL points at an OpenAI-compatible /v1 endpoint"),
]


def map_error(exc: Exception, where: str, model: str, secret: str | None = None) -> Exception:
    """A vendor or transport exception as the product's own error; anything else unchanged."""
    if isinstance(exc, (LLMUnavailableError, LLMOutputError, ConfigError, ModeRejected, ReplyCutOff)):
        return exc
    for vendor, ours, message in _MAPPED:
        if isinstance(exc, vendor):
            return ours(message.format(where=where, model=model, status=getattr(exc, "status_code", "?"),
                                       kind=type(exc).__name__, detail=_short(exc, secret)[:200]))
    return exc


def discover_model(base_url: str, key: str, timeout: float) -> str:
    """First model the server lists (Ollama, vLLM, LM Studio, llama.cpp all implement /models)."""
    client = openai.OpenAI(base_url=base_url, api_key=key, timeout=min(timeout, 10), max_retries=1)
    try:
        models = client.models.list().data
    except (openai.APIConnectionError, openai.APITimeoutError) as exc:
        raise LLMUnavailableError(f"cannot reach the LLM endpoint {base_url} to list its models") from exc
    except openai.APIError as exc:
        raise ConfigError(f"{base_url} did not list its models ({_short(exc, key)}); set MLSD_MODEL") from exc
    if not models:
        raise ConfigError(f"{base_url} serves no models; set MLSD_MODEL")
    return models[0].id


def _langchain(messages: list[Message]) -> list:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[m.role](content=m.content) for m in messages]


def _text(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return content or ""


def _short(exc: Exception, secret: str | None = None) -> str:
    return redact(str(exc), secret)[:300]
