"""Field types shared by the content schemas, bounded so the models can double as LLM JSON schemas."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints

from mlsd.core.phases import PHASE_IDS

PhaseId = Literal[PHASE_IDS]  # type: ignore[valid-type]  # Literal over the stable tuple of phase ids
SnakeId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=2, max_length=64)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]
Descriptor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


def must_be_lowercase(value: str) -> str:
    # Signals and question triggers are matched against lowercased candidate text: an uppercase one never matches.
    if value != value.lower():
        raise ValueError(f"must be lowercase (got '{value}')")
    return value


def _must_be_knowledge_note(value: str) -> str:
    if not (value.startswith("knowledge/") and value.endswith(".md")) or ".." in value:
        raise ValueError(f"must be a path like knowledge/concepts/<name>.md (got '{value}')")
    return value


Signal = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60), AfterValidator(must_be_lowercase)
]
NotePath = Annotated[str, StringConstraints(max_length=160), AfterValidator(_must_be_knowledge_note)]
