"""More ways of saying each criterion, for matching only: rubrics/criterion_examples.yaml.

A rubric criterion carries a few `evidence_examples`, written to be read by people. Matching a
candidate's sentence to a criterion by meaning needs more than that: the same point said in terse
chat with typos, in a learner's English, as a note, hedged, or in plain words that share none of the
rubric's. These examples are ours, several voices per criterion, and are never shown in a report.
A criterion with none keeps its own examples only.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import RootModel

from mlsd.content.files import content_root, error_at, load_yaml_model_cached
from mlsd.content.types import Sentence
from mlsd.core.errors import DataFileError

FILE_NAME = "criterion_examples.yaml"


class CriterionExamples(RootModel[dict[str, list[Sentence]]]):
    """criterion id -> example statements."""


def examples_path(root: Path | str | None = None) -> Path:
    return content_root(root) / "rubrics" / FILE_NAME


def load_criterion_examples(root: Path | str | None = None) -> dict[str, list[str]]:
    """The examples by criterion id (no file: none). Ids are checked by `mlsd rubrics check`."""
    path = examples_path(root)
    return load_yaml_model_cached(path, CriterionExamples).root if path.is_file() else {}


def unknown_ids(known_ids: set[str], root: Path | str | None = None) -> list[DataFileError]:
    """An id in the file that is no criterion of any rubric: a renamed criterion would silently lose its examples."""
    path = examples_path(root)
    return [error_at(path, (key,), f"'{key}' is not a criterion of any rubric")
            for key in sorted(set(load_criterion_examples(root)) - known_ids)]
