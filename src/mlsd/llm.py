"""The provider seam: every LLM call in the product goes through `LLM`.

`get_llm(settings)` builds one from explicit settings (LangChain `ChatOpenAI` with `base_url`, so
OpenAI, Ollama, vLLM, llama.cpp, LM Studio and our in-process xllamacpp server all look alike).
Tests build `LLM(ScriptedChatModel(...))` instead (see `mlsd.testing`).

`structured()` is the instructor pattern made robust across servers: request `json_schema`,
validate ourselves, re-ask with the validation error, then fall back to `json_object`, then to a
prompt-only JSON request; it returns a validated instance or raises `LLMOutputError` — never None.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx
import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from .config import PLACEHOLDER_KEY, Settings, resolve_backend
from .errors import ConfigError, LLMOutputError, LLMUnavailableError
from .redact import redact

T = TypeVar("T", bound=BaseModel)
Message = BaseMessage | tuple[str, str] | dict[str, str]

STRUCTURED_MODES = ("json_schema", "json_object", "prompt")
REASKS_PER_MODE = 2


def to_messages(messages: Sequence[Message]) -> list[BaseMessage]:
    out: list[BaseMessage] = []
    for m in messages:
        if isinstance(m, BaseMessage):
            out.append(m)
            continue
        role, content = (m["role"], m["content"]) if isinstance(m, dict) else m
        cls = {"system": SystemMessage, "user": HumanMessage, "human": HumanMessage,
               "assistant": AIMessage, "ai": AIMessage}.get(role)
        if cls is None:
            raise ValueError(f"unknown message role {role!r}")
        out.append(cls(content=content))
    return out


def extract_json(text: str) -> Any:
    """Parse a JSON object from a reply that may wrap it in code fences or prose."""
    text = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if start != -1 and end > start:
            return json.loads(text[start : end + 1])
        raise


def response_format_for(schema: type[BaseModel], mode: str) -> dict | None:
    if mode == "json_schema":
        # strict=False: strict mode rejects maxLength/maxItems, which small local models need.
        return {"type": "json_schema",
                "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema(), "strict": False}}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def max_json_chars(schema: dict, defs: dict | None = None) -> int:
    """Upper bound on the serialized size of any instance of a bounded JSON schema.

    Unbounded strings/lists count as 2000 chars so an unbounded schema still gets a finite budget.
    """
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return max_json_chars(defs[schema["$ref"].split("/")[-1]], defs)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return max(max_json_chars(s, defs) for s in schema[key])
    if "enum" in schema:
        return max(len(json.dumps(v)) for v in schema["enum"])
    if "const" in schema:
        return len(json.dumps(schema["const"]))
    kind = schema.get("type")
    if kind == "string":
        return schema.get("maxLength", 2000) + 2
    if kind in ("integer", "number"):
        return 24
    if kind == "boolean" or kind == "null":
        return 5
    if kind == "array":
        return 2 + schema.get("maxItems", 20) * (max_json_chars(schema.get("items", {}), defs) + 2)
    if kind == "object" or "properties" in schema:
        return 2 + sum(len(k) + 6 + max_json_chars(v, defs) for k, v in schema.get("properties", {}).items())
    return 2000


def token_budget(schema: type[BaseModel], cap: int = 4096) -> int:
    """max_tokens that lets a grammar-constrained reply always finish (worst case 1 token per char)."""
    return min(cap, 64 + max_json_chars(schema.model_json_schema()))


def schema_instruction(schema: type[BaseModel]) -> str:
    return ("Reply with only one JSON object, no prose and no code fences, that validates against "
            f"this JSON schema:\n{json.dumps(schema.model_json_schema(), separators=(',', ':'))}")


class LLM:
    """Chat, streamed chat and validated structured output over one LangChain chat model."""

    def __init__(self, chat_model: BaseChatModel, *, backend: str = "test", model_name: str | None = None,
                 secret: str | None = None, log_db: Path | None = None, send_max_tokens: bool = False):
        self.chat_model = chat_model
        self.backend = backend
        self.model_name = model_name or getattr(chat_model, "model_name", None) or type(chat_model).__name__
        self._secret = secret
        self._log_db = log_db
        # Some servers (llama-cpp-python, older Ollama) ignore max_completion_tokens, which is what
        # LangChain sends; for non-OpenAI endpoints we send the legacy max_tokens as well.
        self._send_max_tokens = send_max_tokens

    # -- public API -----------------------------------------------------------------------------
    def chat(self, messages: Sequence[Message], *, max_tokens: int | None = None) -> str:
        msgs = to_messages(messages)
        t0 = time.perf_counter()
        try:
            reply = self._invoke(msgs, max_tokens=max_tokens)
        except Exception as exc:
            err = self._map_error(exc)
            self._log("chat", msgs, None, str(err), t0)
            raise err from exc
        text = self._scrub(_text(reply))
        self._log("chat", msgs, text, None, t0)
        return text

    def stream(self, messages: Sequence[Message], *, max_tokens: int | None = None,
               info: dict | None = None) -> Iterator[str]:
        """Yield the reply in pieces; `info["finish_reason"]` says how it ended ("length": cut off)."""
        msgs = to_messages(messages)
        t0 = time.perf_counter()
        parts: list[str] = []
        held = ""  # the tail that could be the start of the key, held back until the next piece
        keep = len(self._secret) - 1 if self._secret and len(self._secret) >= 4 else 0
        try:
            for chunk in self.chat_model.stream(msgs, **self._kwargs(max_tokens)):
                finish = (getattr(chunk, "response_metadata", None) or {}).get("finish_reason")
                if finish and info is not None:
                    info["finish_reason"] = finish
                held = self._scrub(held + _text(chunk))
                piece, held = (held[:-keep], held[-keep:]) if keep else (held, "")
                if piece:
                    parts.append(piece)
                    yield piece
            if held:
                parts.append(held)
                yield held
        except Exception as exc:
            err = self._map_error(exc)
            self._log("stream", msgs, "".join(parts), str(err), t0)
            raise err from exc
        self._log("stream", msgs, "".join(parts), None, t0)

    def structured(self, messages: Sequence[Message], schema: type[T], *, max_tokens: int | None = None,
                   context: dict | None = None, check: Callable[[T], None] | None = None) -> T:
        """A validated `schema` instance, or `LLMOutputError` after re-asks and fallbacks.

        `context` is passed to Pydantic validators (e.g. the transcript for verbatim-quote checks);
        `check` may raise ValueError to reject a valid-but-wrong answer and trigger a re-ask.
        """
        base = to_messages(messages)
        max_tokens = max_tokens or token_budget(schema)
        t0 = time.perf_counter()
        attempts = 0
        last_raw: str | None = None
        problems: list[str] = []
        for mode in STRUCTURED_MODES:
            msgs = list(base)
            if mode != "json_schema":
                msgs.append(HumanMessage(content=schema_instruction(schema)))
            for _ in range(1 + REASKS_PER_MODE):
                attempts += 1
                try:
                    reply = self._invoke(msgs, max_tokens=max_tokens, response_format=response_format_for(schema, mode))
                except openai.LengthFinishReasonError:
                    # openai's parse() refuses a reply cut off at max_tokens before we see it.
                    why = f"the reply was cut off at the token limit ({max_tokens}); answer more briefly"
                    problems.append(f"{mode}: {why}")
                    msgs = msgs + [HumanMessage(content=f"Your previous reply was not valid: {why}. "
                                                        "Reply again with only a short JSON object.")]
                    continue
                except openai.BadRequestError as exc:
                    # The server rejects this response_format (LM Studio: json_object; llama-cpp-python:
                    # json_schema): not the model's fault, so go straight to the next mode.
                    problems.append(f"{mode}: server rejected the request ({_short(exc)})")
                    break
                except Exception as exc:
                    err = self._map_error(exc)
                    self._log("structured", base, last_raw, str(err), t0, attempts)
                    raise err from exc
                raw = self._scrub(_text(reply))
                last_raw = raw
                finish = (getattr(reply, "response_metadata", None) or {}).get("finish_reason")
                try:
                    value = schema.model_validate(extract_json(raw), context=context)
                    if check:
                        check(value)
                except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
                    why = _validation_message(exc)
                    if finish == "length":
                        why = f"the reply was cut off at the token limit ({max_tokens}); answer more briefly. {why}"
                    problems.append(f"{mode}: {why}")
                    msgs = msgs + [AIMessage(content=raw[:4000]), HumanMessage(content=(
                        f"That reply was not valid: {why}\nReply again with only the corrected JSON object."))]
                    continue
                self._log("structured", base, raw, None, t0, attempts)
                return value
        message = (f"{self.model_name} gave no valid {schema.__name__} after {attempts} attempts "
                   f"(json_schema, json_object and prompt-only). Last problem: {problems[-1] if problems else 'none'}")
        self._log("structured", base, last_raw, message, t0, attempts)
        raise LLMOutputError(redact(message, self._secret), attempts=attempts, last_raw=last_raw)

    # -- internals ------------------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        """The configured key never comes back out of the seam, even if a server echoes it."""
        if self._secret and len(self._secret) >= 4:
            return text.replace(self._secret, "****")
        return text

    def _kwargs(self, max_tokens: int | None, response_format: dict | None = None) -> dict:
        kw: dict[str, Any] = {}
        if max_tokens is not None:
            kw["max_tokens"] = max_tokens
            if self._send_max_tokens:
                kw["extra_body"] = {"max_tokens": max_tokens}
        if response_format is not None:
            kw["response_format"] = response_format
        return kw

    def _invoke(self, msgs: list[BaseMessage], *, max_tokens: int | None = None,
                response_format: dict | None = None) -> BaseMessage:
        return self.chat_model.invoke(msgs, **self._kwargs(max_tokens, response_format))

    def _map_error(self, exc: Exception) -> Exception:
        if isinstance(exc, (LLMUnavailableError, LLMOutputError, ConfigError)):
            return exc
        where = getattr(self.chat_model, "openai_api_base", None) or self.backend
        if isinstance(exc, openai.AuthenticationError):
            return ConfigError(f"{where} rejected the API key (HTTP 401): check MLSD_API_KEY / OPENAI_API_KEY")
        if isinstance(exc, openai.NotFoundError):
            return ConfigError(f"{where} has no model {self.model_name!r} (HTTP 404): check MLSD_MODEL")
        if isinstance(exc, openai.APITimeoutError):
            return LLMUnavailableError(f"{where} did not answer in time (timeout); is the server overloaded?")
        if isinstance(exc, openai.APIConnectionError):
            return LLMUnavailableError(f"cannot reach the LLM endpoint {where}: {redact(str(exc), self._secret)}")
        if isinstance(exc, openai.RateLimitError):
            return LLMUnavailableError(f"{where} is rate-limiting requests (HTTP 429) after retries")
        if isinstance(exc, openai.APIStatusError):
            return LLMUnavailableError(f"{where} failed with HTTP {exc.status_code}: {_short(exc, self._secret)}")
        if isinstance(exc, openai.APIError):  # e.g. an error event in the middle of a stream
            return LLMUnavailableError(f"{where} failed: {_short(exc, self._secret)}")
        if isinstance(exc, (ConnectionError, TimeoutError, OSError, httpx.TransportError)):
            return LLMUnavailableError(f"cannot reach the LLM endpoint {where}: {redact(str(exc), self._secret)}")
        if isinstance(exc, _MALFORMED):
            # LangChain/openai could not read the reply as a chat completion: HTML from a proxy, an error
            # object with status 200, no choices. The endpoint is not working; say so, don't crash the caller.
            return LLMUnavailableError(f"{where} did not answer with an OpenAI chat completion "
                                       f"({type(exc).__name__}: {_short(exc, self._secret)[:200]}); "
                                       "check MLSD_BASE_URL points at an OpenAI-compatible /v1 endpoint")
        return exc

    def _log(self, kind: str, msgs: list[BaseMessage], response: str | None, error: str | None,
             t0: float, attempts: int = 1) -> None:
        if self._log_db is None:
            return
        from .db import connect, transaction  # local: the seam must import without touching disk

        request = json.dumps([{"role": m.type, "content": _text(m)} for m in msgs])
        row = (self.backend, self.model_name, kind, redact(request, self._secret),
               redact(response, self._secret) if response is not None else None,
               redact(error, self._secret) if error else None, attempts, (time.perf_counter() - t0) * 1000)
        try:
            db = connect(self._log_db)
            with transaction(db):
                db.execute("INSERT INTO exchanges (backend, model, kind, request, response, error, attempts,"
                           " duration_ms) VALUES (?,?,?,?,?,?,?,?)", row)
            db.close()
        except Exception:  # logging must never break an interview
            pass


# What LangChain and openai raise when a 200 response is not a chat completion.
_MALFORMED = (ValueError, TypeError, AttributeError, IndexError, KeyError)  # JSONDecodeError is a ValueError


def _text(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return content or ""


def _short(exc: Exception, secret: str | None = None) -> str:
    return redact(str(exc), secret)[:300]


def _validation_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:8]]
        return "; ".join(parts)
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON ({exc.msg} at char {exc.pos})"
    return str(exc)[:500]


# -- building the real thing --------------------------------------------------------------------
def get_llm(settings: Settings | None = None, *, log: bool = True) -> LLM:
    """The LLM for the configured backend. Offline has no LLM: callers check the backend first."""
    from langchain_openai import ChatOpenAI

    settings = settings or Settings()
    backend, _ = resolve_backend(settings)
    if backend == "offline":
        raise ConfigError("the offline backend has no LLM; set MLSD_LLM=local or MLSD_BASE_URL / OPENAI_API_KEY")
    key = settings.key_value()
    if backend == "local":
        from .local_server import ensure_local_server

        base_url, model = ensure_local_server(settings), "local"
        key = PLACEHOLDER_KEY
    else:
        base_url = settings.base_url
        if not key:
            if not base_url:
                raise ConfigError("MLSD_LLM=openai needs an API key: set MLSD_API_KEY or OPENAI_API_KEY "
                                  "(or MLSD_BASE_URL for a local OpenAI-compatible server)")
            key = PLACEHOLDER_KEY
        model = settings.model or (discover_model(base_url, key, settings.timeout) if base_url else "gpt-4o-mini")
    chat_model = ChatOpenAI(model=model, base_url=base_url, api_key=key, timeout=settings.timeout,
                            max_retries=settings.max_retries, temperature=0.2, use_responses_api=False)
    return LLM(chat_model, backend=backend, model_name=model, secret=settings.key_value(),
               log_db=settings.db_path if log else None, send_max_tokens=bool(base_url))


def discover_model(base_url: str, key: str, timeout: float) -> str:
    """First model the server lists (Ollama, vLLM, LM Studio, llama.cpp all implement /models)."""
    client = openai.OpenAI(base_url=base_url, api_key=key, timeout=min(timeout, 10), max_retries=1)
    try:
        models = client.models.list().data
    except openai.APIConnectionError as exc:
        raise LLMUnavailableError(f"cannot reach the LLM endpoint {base_url} to list its models") from exc
    except openai.APIError as exc:
        raise ConfigError(f"{base_url} did not list its models ({_short(exc, key)}); set MLSD_MODEL") from exc
    if not models:
        raise ConfigError(f"{base_url} serves no models; set MLSD_MODEL")
    return models[0].id
