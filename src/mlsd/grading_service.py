"""Grade from raw input with the configured backend: the one entry point for CLI and app."""

from __future__ import annotations

from .config import Settings, resolve_backend
from .grader import GradeReport, grade
from .transcript import parse_transcript


def grade_text(data: str | bytes, *, source: str = "transcript", problem: str | None = None,
               rubric_id: str | None = None, settings: Settings | None = None, llm=None) -> GradeReport:
    settings = settings or Settings()
    transcript = parse_transcript(data, source=source, problem=problem)
    backend, _ = resolve_backend(settings)
    if llm is None and backend != "offline":
        from .llm import get_llm

        llm = get_llm(settings)
    return grade(transcript, rubric_id=rubric_id, llm=llm, backend=backend if llm is not None else "offline")
