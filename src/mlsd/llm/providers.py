"""Which provider answers: decided here, and only here, from the settings.

`get_llm(settings)` returns an `LLM` for every backend — the offline one included — so no caller
asks which backend is on; it asks `llm.offline` when a job has a deterministic path to take
instead. `describe_backend` says which backend is on and why, for `mlsd config` and the app.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from mlsd.core.config import PLACEHOLDER_KEY, Settings, mask_secret, resolve_backend
from mlsd.core.errors import ConfigError
from mlsd.llm.client import LLM
from mlsd.llm.events import ExchangeLog
from mlsd.llm.offline import OfflineModel
from mlsd.llm.openai_compatible import OpenAICompatibleModel


def get_llm(settings: Settings | None = None, *, log: bool = True) -> LLM:
    """The LLM for the configured backend; exchanges are logged to the database unless `log=False`."""
    settings = settings or Settings()
    backend, _ = resolve_backend(settings)
    key = settings.key_value()
    if backend == "offline":
        return offline_llm()
    if backend == "local":
        from mlsd.llm.local import ensure_local_server

        model = OpenAICompatibleModel(base_url=ensure_local_server(settings), api_key=PLACEHOLDER_KEY, model="local",
                                      timeout=settings.timeout, max_retries=settings.max_retries)
    else:
        if not key and not settings.base_url:
            raise ConfigError("MLSD_LLM=openai needs an API key: set MLSD_API_KEY or OPENAI_API_KEY "
                              "(or MLSD_BASE_URL for a local OpenAI-compatible server)")
        model = OpenAICompatibleModel(base_url=settings.base_url, api_key=key, model=settings.model,
                                      timeout=settings.timeout, max_retries=settings.max_retries, secret=key)
    llm = LLM(model, backend=backend, secret=key)
    if log:
        llm.subscribe(ExchangeLog(settings.database, secret=key, owner=settings.user))
    return llm


# -- describing the backend (the sidebar, `mlsd config`) ---------------------------------------------
BACKEND_CHOICES: dict[str, str] = {
    "auto": "Auto (from the environment)",
    "offline": "Offline (built-in, no key)",
    "local": "Local model (llama.cpp, in-process)",
    "openai": "OpenAI-compatible endpoint",
}
BACKEND_NAMES: dict[str, str] = {"offline": "offline", "local": "local", "openai": "OpenAI-compatible"}


@dataclass
class BackendInfo:
    backend: str  # offline | local | openai
    name: str  # what the sidebar calls it
    reason: str  # why this backend is on
    details: list[str] = field(default_factory=list)  # endpoint, model, masked key
    problem: str | None = None  # a setting that will make calls fail, said before they do

    @property
    def line(self) -> str:
        return f"Backend: {self.name}"


def build_settings(choice: str = "auto", *, base_url: str | None = None, model: str | None = None,
                   api_key: str | None = None, configured_key: bool = True) -> Settings:
    """Settings for the sidebar's choice, as in-memory overrides of the environment.

    Blank fields are left out, so the environment (or .env) still fills them; the key lives only in
    the returned object (and the caller's session), never on disk. The configured (environment) key
    is left out when `configured_key` is False (a visitor who is not signed in), and whenever the
    sidebar points at another endpoint than the configured one: it is never sent where its owner
    did not send it.
    """
    if choice not in BACKEND_CHOICES:
        raise ValueError(f"unknown backend choice {choice!r}; expected one of {', '.join(BACKEND_CHOICES)}")
    overrides: dict = {}
    if choice != "auto":
        overrides["llm"] = choice
    if choice == "openai":
        for name, value in (("base_url", base_url), ("model", model), ("api_key", api_key)):
            if value and value.strip():
                overrides[name] = value.strip()
    settings = Settings(**overrides)
    elsewhere = "base_url" in overrides and overrides["base_url"] != Settings().base_url
    if (elsewhere or not configured_key) and "api_key" not in overrides and settings.api_key is not None:
        settings = Settings(**overrides, api_key=None)
    return settings


def describe_backend(settings: Settings, *, chosen_in_ui: bool = False) -> BackendInfo:
    """Which backend answers, why, and the settings that matter for it (the key masked)."""
    backend, reason = resolve_backend(settings)
    if chosen_in_ui and settings.llm != "auto":
        reason = "chosen in the sidebar"
    info = BackendInfo(backend=backend, name=BACKEND_NAMES.get(backend, backend), reason=reason)
    if backend == "offline":
        info.details.append("Built-in deterministic interviewer, grader and extractive answers: no key, no server.")
    elif backend == "local":
        info.details.append(f"Model: {settings.local_model or 'the bundled SmolLM2-135M GGUF (plumbing demo only)'}")
        info.details.append("llama.cpp runs in this process on a loopback port.")
    else:
        info.details.append(f"Endpoint: {settings.base_url or 'api.openai.com (default)'}")
        default_model = "discovered from /models" if settings.base_url else "gpt-4o-mini"
        info.details.append(f"Model: {settings.model or default_model}")
        info.details.append(f"Key: {mask_secret(settings.key_value())}")
        if not settings.base_url and not settings.api_key:
            info.problem = "An OpenAI-compatible backend needs an API key or a base URL (e.g. a local Ollama server)."
    return info


def secret_fingerprint(secret: str | None) -> str:
    """A short one-way tag telling keys apart in a cache key; the key itself is never kept there."""
    if not secret:
        return ""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


def llm_cache_key(settings: Settings) -> tuple:
    """Everything that makes one LLM client differ from another (the key only as a fingerprint)."""
    backend, _ = resolve_backend(settings)
    return (backend, settings.base_url, settings.model, str(settings.local_model or ""), settings.timeout,
            settings.max_retries, settings.database, secret_fingerprint(settings.key_value()))


def offline_llm() -> LLM:
    """The offline provider on its own: what a job uses when it is given no LLM."""
    return LLM(OfflineModel(), backend="offline")
