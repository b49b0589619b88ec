"""Grade from raw input with the configured backend: the one entry point for CLI and app."""

from __future__ import annotations

from mlsd.core.config import Settings
from mlsd.grading.grader import grade
from mlsd.grading.report import GradeReport
from mlsd.grading.transcript import parse_transcript
from mlsd.llm import LLM, get_llm


def grade_text(data: str | bytes, *, source: str = "transcript", problem: str | None = None,
               rubric_id: str | None = None, settings: Settings | None = None, llm: LLM | None = None) -> GradeReport:
    transcript = parse_transcript(data, source=source, problem=problem)
    return grade(transcript, rubric_id=rubric_id, llm=llm or get_llm(settings or Settings()))
