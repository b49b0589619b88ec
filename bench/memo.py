"""A run-wide embedding memo for the quality parts of the benchmark (speed parts run without it)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np


@contextlib.contextmanager
def embedding_memo(stats: dict | None = None) -> Iterator[None]:
    """Memoise the shared embedder's `embed` by text for the duration of the block.

    Misses are embedded in batches of similar length (less padding); each vector is independent of
    its batch mates, so results are identical to the uncached embedder's.
    """
    from mlsd.knowledge.embeddings import get_embedder

    embedder = get_embedder()
    if "embed" in vars(embedder):  # already inside a memo
        yield
        return
    original = embedder.embed
    memo: dict[str, np.ndarray] = {}
    stats = stats if stats is not None else {}
    stats.setdefault("hits", 0)
    stats.setdefault("misses", 0)

    def embed(texts: list[str]) -> np.ndarray:
        texts = list(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in memo]
        stats["hits"] += len(texts) - len(missing)
        stats["misses"] += len(missing)
        if missing:
            missing.sort(key=len)
            for text, vector in zip(missing, original(missing)):
                memo[text] = vector
        return np.vstack([memo[t] for t in texts]) if texts else original(texts)

    embedder.embed = embed
    try:
        yield
    finally:
        del embedder.embed


@contextlib.contextmanager
def no_memo() -> Iterator[None]:
    """Speed figures must pay for every embedding: lift any memo for the duration of the block."""
    from mlsd.knowledge.embeddings import get_embedder

    embedder = get_embedder()
    saved = vars(embedder).pop("embed", None)
    try:
        yield
    finally:
        if saved is not None:
            embedder.embed = saved
