"""Chroma for the knowledge index: one client per path or server per process, and metadata flags.

Storage is `PersistentClient(settings.index_dir)`, or `HttpClient` when MLSD_CHROMA_HOST is set.
Filtering: each chunk stores boolean flags `phase_<id>` and `tag_<tag>` (plus comma-joined
`phases`/`tags` strings for display). Flags work with an exact `where` on every Chroma version and
server (list-valued metadata does not), and filtering inside Chroma means k filtered results are
really the k best of that phase, where post-filtering a larger k can come back short.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from mlsd.content.notes import Chunk, index_format
from mlsd.core.config import Settings
from mlsd.core.errors import ConfigError

_clients: dict[tuple, Any] = {}
_clients_lock = threading.Lock()


def client_key(settings: Settings) -> tuple:
    if settings.chroma_host:
        return ("http", settings.chroma_host, settings.chroma_port)
    return ("path", str(settings.index_dir.resolve()))


def chroma_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    key = client_key(settings)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            chroma_settings = ChromaSettings(anonymized_telemetry=False)  # telemetry reaches the network
            if settings.chroma_host:
                try:
                    client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                                 settings=chroma_settings)
                except Exception as exc:
                    raise ConfigError(f"cannot reach Chroma at {settings.chroma_host}:{settings.chroma_port} "
                                      f"(MLSD_CHROMA_HOST/MLSD_CHROMA_PORT): {str(exc)[:200]}") from exc
            else:
                settings.index_dir.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
            _clients[key] = client
        return client


def where_text(settings: Settings) -> str:
    if settings.chroma_host:
        return f"Chroma at {settings.chroma_host}:{settings.chroma_port}"
    return f"index at {settings.index_dir}"


# -- metadata ---------------------------------------------------------------------------------------
def phase_flag(phase: str) -> str:
    return f"phase_{phase}"


def tag_flag(tag: str) -> str:
    return f"tag_{tag.strip().lower().replace(' ', '-')}"


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "path": chunk.path, "title": chunk.title, "heading": chunk.heading, "index": chunk.index,
        "sha256": chunk.sha256, "format": index_format(),
        "phases": ",".join(chunk.phases), "tags": ",".join(chunk.tags),
    }
    meta.update({phase_flag(p): True for p in chunk.phases})
    meta.update({tag_flag(t): True for t in chunk.tags})
    return meta


def metadata_filter(phases: Sequence[str] | None, tags: Sequence[str] | None) -> dict | None:
    """Chroma `where`: any of the phases AND any of the tags."""
    clauses = []
    for flags in ([phase_flag(p) for p in phases or []], [tag_flag(t) for t in tags or []]):
        if len(flags) == 1:
            clauses.append({flags[0]: True})
        elif flags:
            clauses.append({"$or": [{f: True} for f in flags]})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def split_flags(value: Any) -> list[str]:
    return [v for v in str(value or "").split(",") if v]




def is_missing(exc: Exception) -> bool:
    """True when Chroma says the collection does not exist (wording differs across versions and servers)."""
    text = f"{type(exc).__name__} {exc}".lower()
    return "notfound" in text or "does not exist" in text or "not found" in text
