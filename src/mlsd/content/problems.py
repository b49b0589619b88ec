"""The problem bank: schema, loader, custom problems and checks.

Each problems/<id>.yaml is one interview prompt with a hidden spec the interviewer
reveals only when asked, per-phase follow-ups and expected points, and a model
answer outline. problems/_generic.yaml holds phase-generic material used when the
candidate brings their own problem statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mlsd.content.files import (ErrorCollector, FieldValueError, content_root, error_at, load_yaml_model_cached,
                                unknown_id_message)
from mlsd.core.errors import DataFileError, MLSDError, NotFoundError
from mlsd.core.phases import PHASE_IDS
from mlsd.core.text import normalise
from mlsd.content.rubrics import Rubric, list_overlays, load_overlay, load_rubric
from mlsd.content.types import PhaseId, SnakeId, Title, must_be_lowercase

CUSTOM_PROBLEM_ID = "custom"
MAX_STATEMENT_CHARS = 4000
GENERIC_FILE = "_generic.yaml"


AskPhrase = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60), AfterValidator(must_be_lowercase)
]
Topic = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Point = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=300)]
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=300)]
Paragraph = Annotated[str, StringConstraints(strip_whitespace=True, min_length=40, max_length=2000)]
PointList = Annotated[list[Point], Field(min_length=1, max_length=8)]
QuestionList = Annotated[list[Question], Field(min_length=1, max_length=10)]


class SpecFact(BaseModel):
    """A fact the interviewer reveals when a clarifying question matches `asks`."""

    model_config = ConfigDict(extra="forbid")

    id: SnakeId
    asks: list[AskPhrase] = Field(min_length=1, max_length=12)
    fact: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=300)]
    # Clarifying questions a candidate might ask for this fact, in varied words: the interviewer matches a
    # question to facts by meaning against these (and `asks`), so a paraphrase finds its fact.
    examples: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=200)]] = Field(
        default_factory=list, max_length=10)


class RequirementChange(BaseModel):
    """A mid-interview twist, announced once the named phase has been discussed."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=600)]
    after_phase: PhaseId

    @model_validator(mode="after")
    def _not_after_last_phase(self) -> RequirementChange:
        if self.after_phase == PHASE_IDS[-1]:
            raise FieldValueError(
                f"after_phase cannot be the last phase ('{PHASE_IDS[-1]}'): no discussion would follow it",
                "after_phase",
            )
        return self


def _phase_map_complete(mapping: dict[str, object], field: str) -> None:
    missing = [phase for phase in PHASE_IDS if phase not in mapping]
    if missing:
        raise FieldValueError(f"missing phase(s): {', '.join(missing)}", field)


def _per_phase_counts(mapping: dict[str, list], low: int, high: int, what: str, field: str) -> None:
    for phase, items in mapping.items():
        if not low <= len(items) <= high:
            raise FieldValueError(f"list {low} to {high} {what} (has {len(items)})", field, phase)


def _followups_distinct(followups: dict[str, list[str]]) -> None:
    # A repeated follow-up would make the interviewer ask the same thing twice.
    seen: dict[str, str] = {}
    for phase, questions in followups.items():
        for index, question in enumerate(questions):
            key = normalise(question)
            if key in seen:
                raise FieldValueError(
                    f"duplicate follow-up (also under '{seen[key]}'): {question}", "followups", phase, index
                )
            seen[key] = phase


def words_in(text: str) -> frozenset[str]:
    """The lower-case words of a text, as `applies_when` and the pitfalls' word lists name them."""
    return frozenset(re.findall(r"[a-z][a-z-]*", text.lower()))


class Problem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def weight(self, phase: str) -> float:
        return self.phase_weights.get(phase, 1.0)

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every word of the problem's own material: statement, hidden facts and their trigger phrases, the
        requirement change, expected points, follow-ups and model answer. Read on every interviewer turn
        (generic follow-ups, challenges), so worked out once per problem."""
        texts = [self.statement, *(t for f in self.hidden_spec for t in (f.fact, *f.asks)),
                 self.requirement_change.text if self.requirement_change else "",
                 *(t for field in (self.expected_points, self.followups) for items in field.values() for t in items),
                 *self.model_answer.values()]
        return words_in(" ".join(texts))

    id: SnakeId
    title: Title
    statement: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=MAX_STATEMENT_CHARS)]
    topics: list[Topic] = Field(default_factory=list, max_length=8)
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    hidden_spec: list[SpecFact] = Field(default_factory=list, max_length=12)
    expected_points: dict[PhaseId, PointList] = Field(max_length=len(PHASE_IDS))
    followups: dict[PhaseId, QuestionList] = Field(max_length=len(PHASE_IDS))
    requirement_change: RequirementChange | None = None
    # How much each phase matters for this problem (1 = ordinary): the interviewer spends its remaining time and
    # raises gaps in this order (serving and latency for real-time fraud, freshness for a news feed).
    phase_weights: dict[PhaseId, Annotated[float, Field(ge=0.2, le=3.0)]] = Field(default_factory=dict)
    model_answer: dict[PhaseId, Paragraph] = Field(max_length=len(PHASE_IDS))
    rubric_overlay: SnakeId | None = None
    case_note: Annotated[str, StringConstraints(pattern=r"^knowledge/[a-z0-9_/]+\.md$", max_length=160)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Problem:
        for field in ("expected_points", "followups", "model_answer"):
            _phase_map_complete(getattr(self, field), field)
        _followups_distinct(self.followups)
        fact_ids: set[str] = set()
        for index, fact in enumerate(self.hidden_spec):
            if fact.id in fact_ids:
                raise FieldValueError(f"duplicate spec fact id '{fact.id}'", "hidden_spec", index, "id")
            fact_ids.add(fact.id)
        return self


class ProblemFile(Problem):
    """A problem from the bank: stricter than Problem, which also covers custom prompts."""

    @model_validator(mode="after")
    def _bank_rules(self) -> ProblemFile:
        if not 6 <= len(self.hidden_spec) <= 12:
            raise FieldValueError(
                f"a bank problem needs 6 to 12 hidden spec facts (has {len(self.hidden_spec)})", "hidden_spec"
            )
        if not self.topics:
            raise FieldValueError("list at least one topic", "topics")
        if re.search(r"\d", self.statement):
            # Numbers belong in the hidden spec so the candidate has to ask for them.
            raise FieldValueError("statement must not contain numbers; put them in hidden_spec", "statement")
        _per_phase_counts(self.expected_points, 3, 6, "expected points", "expected_points")
        _per_phase_counts(self.followups, 4, 6, "follow-ups", "followups")
        return self


class GenericGuide(BaseModel):
    """problems/_generic.yaml: phase-generic material for custom problems."""

    model_config = ConfigDict(extra="forbid")

    expected_points: dict[PhaseId, PointList] = Field(max_length=len(PHASE_IDS))
    followups: dict[PhaseId, QuestionList] = Field(max_length=len(PHASE_IDS))
    model_answer: dict[PhaseId, Paragraph] = Field(max_length=len(PHASE_IDS))
    # A generic follow-up or point that fits only some problems ("How would you choose the decision
    # threshold?" means nothing for a sales forecast): used for a problem only when its own material
    # mentions one of these words.
    applies_when: dict[str, list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z-]*$")]]] = Field(default_factory=dict)

    def applies(self, text: str, problem_vocabulary: frozenset[str]) -> bool:
        """Does generic `text` fit a problem whose own material has these words (`Problem.vocabulary`)?"""
        words = self.applies_when.get(text)
        return not words or bool(set(words) & problem_vocabulary)

    @model_validator(mode="after")
    def _complete(self) -> GenericGuide:
        for field in ("expected_points", "followups", "model_answer"):
            _phase_map_complete(getattr(self, field), field)
        known = {t for field in (self.followups, self.expected_points) for items in field.values() for t in items}
        unknown = sorted(set(self.applies_when) - known)
        if unknown:
            raise ValueError(f"applies_when: {unknown[0]!r} is not a generic follow-up or expected point")
        _per_phase_counts(self.followups, 6, 10, "generic follow-ups", "followups")
        _per_phase_counts(self.expected_points, 3, 8, "expected points", "expected_points")
        _followups_distinct(self.followups)
        return self


class InvalidStatementError(MLSDError, ValueError):
    """A custom problem statement is empty or too long."""


# --- files ---


def problems_dir(root: Path | str | None = None) -> Path:
    return content_root(root) / "problems"


def _problem_paths(root: Path | str | None) -> list[Path]:
    directory = problems_dir(root)
    if not directory.is_dir():
        return []
    # Files starting with "_" are shared material, not problems.
    return sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("_"))


def _load_problem_file(path: Path) -> ProblemFile:
    problem = load_yaml_model_cached(path, ProblemFile)
    if problem.id != path.stem:
        raise error_at(path, ("id",), f"id '{problem.id}' must match the file name '{path.stem}'")
    return problem


def load_problems(root: Path | str | None = None) -> dict[str, Problem]:
    """Every bank problem by id, sorted by id. Raises DataFileError on the first broken file.

    Each call returns fresh copies (parsing is cached per file until it changes).
    """
    problems: dict[str, Problem] = {}
    for path in _problem_paths(root):
        problem = _load_problem_file(path)
        problems[problem.id] = problem
    return dict(sorted(problems.items()))


def list_problem_ids(root: Path | str | None = None) -> list[str]:
    """Problem ids from file names, without parsing (for menus and completion)."""
    return [p.stem for p in _problem_paths(root)]


def get_problem(problem_id: str, root: Path | str | None = None) -> Problem:
    path = problems_dir(root) / f"{problem_id}.yaml"
    if problem_id.startswith("_") or not re.fullmatch(r"[a-z0-9_]+", problem_id or "") or not path.is_file():
        known = list_problem_ids(root)
        message = unknown_id_message("problem", problem_id, known)
        if problem_id == CUSTOM_PROBLEM_ID:
            message += " Use a free-text statement to practise a custom problem."
        raise NotFoundError(message)
    return _load_problem_file(path)


def load_generic(root: Path | str | None = None) -> GenericGuide:
    return load_yaml_model_cached(problems_dir(root) / GENERIC_FILE, GenericGuide)


def custom_problem(statement: str, *, root: Path | str | None = None) -> Problem:
    """A Problem for a candidate-supplied statement, graded with the base rubric."""
    text = (statement or "").strip()
    if not text:
        raise InvalidStatementError("the problem statement is empty; describe the system you want to design")
    if len(text) > MAX_STATEMENT_CHARS:
        raise InvalidStatementError(
            f"the problem statement is {len(text)} characters; keep it under {MAX_STATEMENT_CHARS}"
        )
    generic = load_generic(root)
    # Generic material that fits only some problems fits this one when its statement says so: "predicts how long
    # a restaurant will take" is asked about neither class imbalance nor a decision threshold.
    words = words_in(text)
    fitting = lambda field: {phase: [t for t in items if generic.applies(t, words)] or items  # noqa: E731
                             for phase, items in field.items()}
    first_line = text.splitlines()[0].strip()
    title = first_line if len(first_line) <= 80 else first_line[:77].rstrip() + "..."
    return Problem(
        id=CUSTOM_PROBLEM_ID,
        title=title if len(title) >= 2 else "Custom problem",
        statement=text if len(text) >= 10 else f"Design: {text}",
        topics=[],
        difficulty="medium",
        hidden_spec=[],
        expected_points=fitting(generic.expected_points),
        followups=fitting(generic.followups),
        requirement_change=None,
        model_answer=generic.model_answer,
        rubric_overlay=None,
        case_note=None,
    )


def check_problems(root: Path | str | None = None) -> list[DataFileError]:
    """Validate every problem file and _generic.yaml, plus each problem's link to its rubric overlay."""
    found = ErrorCollector(problems_dir(root), "problems")
    if found.errors:
        return found.errors
    found.load(load_generic, root)
    overlay_ids = set(list_overlays(root))
    for path in _problem_paths(root):
        problem = found.load(_load_problem_file, path)
        if problem is not None and problem.rubric_overlay is not None:
            found.errors.extend(_overlay_link_errors(problem, path, overlay_ids, root))
    return found.errors


def _overlay_link_errors(problem: Problem, path: Path, overlay_ids: set[str], root) -> list[DataFileError]:
    if problem.rubric_overlay not in overlay_ids:
        return [error_at(path, ("rubric_overlay",), unknown_id_message(
            "rubric overlay", problem.rubric_overlay, sorted(overlay_ids)) + " (looked in rubrics/overlays/)")]
    try:
        overlay = load_overlay(problem.rubric_overlay, root)
    except (DataFileError, NotFoundError):
        return []  # the overlay's own error is reported by check_rubrics
    if problem.id not in overlay.problems:
        # Both sides name the link; keep them in step so load_rubric(problem_id=...) finds it.
        return [error_at(path, ("rubric_overlay",), f"overlay '{overlay.id}' does not list '{problem.id}' in its problems")]
    return []


# -- resolving a transcript's problem and its rubric -------------------------------------------------
def resolve_problem(problem: str | None) -> Problem | None:
    if not problem:
        return None
    key = problem.strip()
    if re.fullmatch(r"[a-z][a-z0-9_]{1,63}", key):
        try:
            return get_problem(key)
        except NotFoundError:
            pass
    return custom_problem(key[:4000])


def rubric_for(problem: Problem | None, rubric_id: str | None = None) -> Rubric:
    pid = problem.id if problem and problem.id != "custom" else None
    return load_rubric(rubric_id or "base", problem_id=pid)


# -- choosing a problem -------------------------------------------------------------------------------
DIFFICULTIES = ("easy", "medium", "hard")


def topic_options(problems: Iterable[Problem]) -> list[str]:
    return sorted({t for p in problems for t in p.topics})


def filter_problems(problems: Iterable[Problem], topics: Sequence[str] | None = None,
                    difficulties: Sequence[str] | None = None) -> list[Problem]:
    """Problems having any of `topics` and one of `difficulties`; an empty filter keeps everything."""
    topics, difficulties = set(topics or ()), set(difficulties or ())
    return [p for p in problems
            if (not topics or topics & set(p.topics)) and (not difficulties or p.difficulty in difficulties)]


def topic_label(topic: str) -> str:
    return topic.replace("_", " ")
