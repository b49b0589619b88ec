"""Grade from raw input with the configured backend: the one entry point for CLI and app."""

from __future__ import annotations

from mlsd.core.config import Settings
from mlsd.grading.grader import grade
from mlsd.grading.llm_grading import Budget, Progress
from mlsd.grading.report import GradeReport
from mlsd.grading.transcript import Transcript, parse_transcript
from mlsd.llm import LLM, get_llm


def grading_budget(settings: Settings, progress: Progress | None = None) -> Budget:
    return Budget(seconds=settings.grade_budget_s, concurrency=settings.concurrency(), progress=progress)


def parse_and_grade(data: str | bytes, *, source: str = "transcript", problem: str | None = None,
                    rubric_id: str | None = None, settings: Settings | None = None,
                    llm: LLM | None = None, progress: Progress | None = None) -> tuple[Transcript, GradeReport]:
    """The transcript as read (to keep it) and its grade; `progress(done, total, dimension)` while an LLM grades."""
    settings = settings or Settings()
    transcript = parse_transcript(data, source=source, problem=problem)
    return transcript, grade(transcript, rubric_id=rubric_id, llm=llm or get_llm(settings),
                             budget=grading_budget(settings, progress))


def grade_text(data: str | bytes, *, source: str = "transcript", problem: str | None = None,
               rubric_id: str | None = None, settings: Settings | None = None, llm: LLM | None = None,
               progress: Progress | None = None) -> GradeReport:
    return parse_and_grade(data, source=source, problem=problem, rubric_id=rubric_id, settings=settings, llm=llm,
                           progress=progress)[1]
