"""`mlsd rubrics check`: every content file validated, each broken file reported by name, field and line."""

from __future__ import annotations

from pathlib import Path

from mlsd.content.files import ErrorCollector
from mlsd.content.phase_specs import load_phase_specs
from mlsd.content.problems import check_problems
from mlsd.content.rubrics import check_rubrics
from mlsd.core.errors import DataFileError


def check_content(root: Path | str | None = None) -> list[DataFileError]:
    found = ErrorCollector()
    found.errors.extend(check_rubrics(root) + check_problems(root))
    found.load(load_phase_specs, Path(root) if root is not None else None)
    return found.errors
