"""Vectors of the project's own content, kept on disk: a new process does not embed them again.

Matching by meaning compares what a candidate says with texts of ours — each rubric criterion's
descriptions and examples (`evidence.criteria`), each hidden fact's example questions
(`interview.clarify`). There are hundreds of them, about 10 ms each, and every `mlsd grade` or
`mlsd interview` is a new process: embedded at each start they would cost seconds before the first
word is judged. They are embedded once and kept in `MLSD_HOME/content_vectors.npz`, keyed by the
embedding model and the text, so an edited example is embedded afresh and a removed one is never read.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

from mlsd.core.config import Settings
from mlsd.knowledge.embeddings import MODEL_NAME, get_embedder

FILE_NAME = "content_vectors.npz"
_lock = threading.Lock()


def _key(text: str) -> str:
    return hashlib.sha1(f"{MODEL_NAME}\0{text}".encode("utf-8")).hexdigest()


def content_vectors(texts: list[str], home: Path | None = None) -> np.ndarray:
    """Unit vectors for `texts` (content of ours), in order: from this process, else from the disk, else embedded
    and then written to the disk for the next process."""
    embedder = get_embedder()
    missing = embedder.missing(texts)
    if missing:
        path = (home or Settings().home_dir) / FILE_NAME
        with _lock:
            stored = _read(path)
            found = [t for t in missing if _key(t) in stored]
            if found:
                embedder.remember(found, np.vstack([stored[_key(t)] for t in found]))
            new = [t for t in missing if _key(t) not in stored]
            if new:
                stored.update({_key(t): v for t, v in zip(new, embedder.embed(new))})
                _write(path, stored)
    return embedder.embed(texts)


def _read(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as data:
            return dict(zip(data["keys"].tolist(), data["vectors"]))
    except (OSError, KeyError, ValueError):  # none yet, or unreadable: embedded again and rewritten
        return {}


def _write(path: Path, stored: dict[str, np.ndarray]) -> None:
    """Atomically: another process reading meanwhile sees the old file or the new one, never half of one."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".content_vectors-", suffix=".npz")
        with os.fdopen(fd, "wb") as out:
            np.savez(out, keys=np.array(list(stored)), vectors=np.vstack(list(stored.values())).astype(np.float32))
        os.replace(tmp, path)
    except OSError:  # a read-only or full home: the vectors are still right, only not kept
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
