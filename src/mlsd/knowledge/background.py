"""Build the knowledge index in a background thread, so it is ready before the first question.

The app starts one build per process and index (`start`) when the index is missing or stale; any
page can read its progress (`current`) and wait for it. The thread calls `ensure_index`, so the
process counts the index as built afterwards and nothing builds it a second time. A failure is
kept on the build (`error`) for the sidebar to show, never raised in the thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal

from mlsd.core.config import Settings
from mlsd.knowledge.index import BuildReport, ensure_index, index_key


@dataclass
class BackgroundBuild:
    state: Literal["running", "done", "failed"] = "running"
    embedded: int = 0  # chunks embedded so far
    total: int | None = None  # chunks to embed; None until the notes have been compared with the index
    report: BuildReport | None = None
    error: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def fraction(self) -> float:
        return self.embedded / self.total if self.total else 0.0

    @property
    def line(self) -> str:
        """What the sidebar says while it runs."""
        if self.total is None:
            return "Building in the background: reading the notes…"
        return f"Building in the background: {self.embedded} of {self.total} chunks embedded"

    def progress(self, done: int, total: int) -> None:
        self.embedded, self.total = done, total

    def wait(self, timeout: float | None = None) -> bool:
        """True once the build has finished (done or failed)."""
        return self.finished.wait(timeout)


_builds: dict[tuple, BackgroundBuild] = {}
_lock = threading.Lock()


def current(settings: Settings) -> BackgroundBuild | None:
    """The background build this process started for these settings' index, if any."""
    return _builds.get(index_key(settings))


def start(settings: Settings) -> BackgroundBuild:
    """Start building in a daemon thread, unless this process already started a build of this index."""
    key = index_key(settings)
    with _lock:
        build = _builds.get(key)
        if build is not None:
            return build
        build = _builds[key] = BackgroundBuild()
    threading.Thread(target=_run, args=(build, settings), name="mlsd-index-build", daemon=True).start()
    return build


def _run(build: BackgroundBuild, settings: Settings) -> None:
    try:
        index = ensure_index(settings, progress=build.progress)
        build.report = index.last_build
        build.state = "done"
    except Exception as exc:  # kept for the UI: a thread has nobody to raise to
        build.error = f"{type(exc).__name__}: {str(exc)[:300]}"
        build.state = "failed"
    finally:
        build.finished.set()
