"""Grading rubrics as editable YAML data: schema, loader, overlay merge and checks.

A base rubric (rubrics/<id>.yaml) has one dimension per design phase plus
non-phase dimensions such as communication. Overlays (rubrics/overlays/<id>.yaml)
add problem-specific criteria to existing dimensions; they never add dimensions or
change weights, so scores stay comparable across problems.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mlsd.content.criterion_examples import unknown_ids
from mlsd.content.files import (ErrorCollector, FieldValueError, content_root, error_at, load_yaml_model_cached,
                                unknown_id_message)
from mlsd.core.errors import DataFileError, NotFoundError
from mlsd.content.types import Descriptor, NotePath, PhaseId, Sentence, Signal, SnakeId, Title
from mlsd.core.phases import PHASE_IDS

class Criterion(BaseModel):
    """One thing a grader looks for, with behaviour-anchored level descriptors."""

    model_config = ConfigDict(extra="forbid")

    id: SnakeId
    looks_for: Descriptor
    # Keys must be exactly 0..max_level of the rubric; checked by Rubric because
    # the criterion alone does not know max_level.
    levels: dict[int, Descriptor] = Field(min_length=2, max_length=11)
    evidence_examples: list[Sentence] = Field(min_length=2, max_length=5)
    signals: list[Signal] = Field(min_length=5, max_length=25)
    study: list[NotePath] = Field(default_factory=list, max_length=6)
    # Terms whose mere naming, in a statement judged to be about the criterion's phase, is evidence for it at
    # level 1 whatever the statement's similarity: naming a model family is choosing one ("GBDT with price as a
    # monotone feature…" scores 0.16 against the model-choice prototypes, its meaning spread over pricing).
    # Only for terms that cannot be said in passing; a word like "retention" belongs in `signals`.
    names: list[Signal] = Field(default_factory=list, max_length=40)
    # Clarifying questions and stated assumptions are evidence for this criterion (they cover no
    # phase's design content, but asking and scoping is what it looks for).
    counts_questions: bool = False

    @model_validator(mode="after")
    def _signals_unique(self) -> Criterion:
        seen: set[str] = set()
        for index, signal in enumerate(self.signals):
            if signal in seen:
                raise FieldValueError(f"duplicate signal '{signal}'", "signals", index)
            seen.add(signal)
        return self


class Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: SnakeId
    title: Title
    weight: float = Field(gt=0, le=1)
    phase: PhaseId | None = None  # None for cross-cutting dimensions (communication, tradeoffs)
    criteria: list[Criterion] = Field(min_length=1, max_length=8)


class HireBand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_score: float = Field(ge=0, le=100)
    band: Title


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: SnakeId
    title: Title
    version: int = Field(ge=1)
    description: Annotated[str, StringConstraints(max_length=1000)] = ""
    max_level: int = Field(default=3, ge=1, le=10)
    level_names: dict[int, Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(max_length=11)
    hire_bands: list[HireBand] = Field(min_length=1, max_length=8)
    dimensions: list[Dimension] = Field(min_length=1, max_length=16)
    # Filled in by load_rubric when overlays are merged; not written in base files.
    applied_overlays: list[SnakeId] = Field(default_factory=list, max_length=16)

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        expected_levels = set(range(self.max_level + 1))
        _check_level_keys(self.level_names, expected_levels, ("level_names",))

        bands = self.hire_bands
        for index in range(1, len(bands)):
            if bands[index].min_score >= bands[index - 1].min_score:
                raise FieldValueError(
                    "hire_bands must be ordered from highest min_score to lowest, without ties",
                    "hire_bands", index, "min_score",
                )
        if bands[-1].min_score != 0:
            raise FieldValueError(
                "the last hire band must have min_score 0 so every score gets a band",
                "hire_bands", len(bands) - 1, "min_score",
            )

        dimension_ids: set[str] = set()
        criterion_ids: dict[str, str] = {}
        phase_owner: dict[str, str] = {}
        for d_index, dimension in enumerate(self.dimensions):
            if dimension.id in dimension_ids:
                raise FieldValueError(f"duplicate dimension id '{dimension.id}'", "dimensions", d_index, "id")
            dimension_ids.add(dimension.id)
            if dimension.phase is not None:
                if dimension.phase in phase_owner:
                    raise FieldValueError(
                        f"phase '{dimension.phase}' already has dimension '{phase_owner[dimension.phase]}';"
                        " each phase needs exactly one",
                        "dimensions", d_index, "phase",
                    )
                phase_owner[dimension.phase] = dimension.id
            for c_index, criterion in enumerate(dimension.criteria):
                where = ("dimensions", d_index, "criteria", c_index)
                if criterion.id in criterion_ids:
                    raise FieldValueError(
                        f"duplicate criterion id '{criterion.id}' (already used in dimension"
                        f" '{criterion_ids[criterion.id]}'); criterion ids must be unique across the rubric",
                        *where, "id",
                    )
                criterion_ids[criterion.id] = dimension.id
                _check_level_keys(criterion.levels, expected_levels, (*where, "levels"))

        missing = [phase for phase in PHASE_IDS if phase not in phase_owner]
        if missing:
            raise FieldValueError(f"no dimension covers phase(s): {', '.join(missing)}", "dimensions")

        total = sum(dimension.weight for dimension in self.dimensions)
        if abs(total - 1.0) > 1e-6:
            raise FieldValueError(f"dimension weights must sum to 1.0 (they sum to {total:.4f})", "dimensions")
        return self

    # --- convenience for graders and UIs ---

    def band_for(self, score: float) -> str:
        """Hire band for a 0–100 score (bands are ordered high to low, the last starts at 0)."""
        for band in self.hire_bands:
            if score >= band.min_score:
                return band.band
        return self.hire_bands[-1].band

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise NotFoundError(f"rubric '{self.id}' has no dimension '{dimension_id}'")

    def criteria(self) -> list[tuple[Dimension, Criterion]]:
        """Every (dimension, criterion) pair in rubric order."""
        return [(dimension, criterion) for dimension in self.dimensions for criterion in dimension.criteria]

    def criterion(self, criterion_id: str) -> Criterion:
        for _, criterion in self.criteria():
            if criterion.id == criterion_id:
                return criterion
        raise NotFoundError(f"rubric '{self.id}' has no criterion '{criterion_id}'")


def _check_level_keys(levels: dict[int, str], expected: set[int], loc: tuple[str | int, ...]) -> None:
    keys = set(levels)
    if keys != expected:
        missing = sorted(expected - keys)
        extra = sorted(keys - expected)
        parts = []
        if missing:
            parts.append(f"missing level(s) {missing}")
        if extra:
            parts.append(f"unexpected level(s) {extra}")
        raise FieldValueError(
            f"levels must have keys exactly 0..{max(expected)}: {'; '.join(parts)}", *loc
        )


class RubricOverlay(BaseModel):
    """Problem-specific criteria added to dimensions of a base rubric."""

    model_config = ConfigDict(extra="forbid")

    id: SnakeId
    extends: SnakeId
    title: Title
    description: Annotated[str, StringConstraints(max_length=1000)] = ""
    problems: list[SnakeId] = Field(default_factory=list, max_length=40)
    add_criteria: dict[SnakeId, list[Criterion]] = Field(min_length=1, max_length=16)

    @model_validator(mode="after")
    def _criteria_unique(self) -> RubricOverlay:
        seen: set[str] = set()
        for dimension_id, criteria in self.add_criteria.items():
            if not criteria:
                raise FieldValueError(
                    "list at least one criterion, or remove the dimension", "add_criteria", dimension_id
                )
            for index, criterion in enumerate(criteria):
                if criterion.id in seen:
                    raise FieldValueError(
                        f"duplicate criterion id '{criterion.id}'", "add_criteria", dimension_id, index, "id"
                    )
                seen.add(criterion.id)
        return self


# --- files ---


def rubrics_dir(root: Path | str | None = None) -> Path:
    return content_root(root) / "rubrics"


def _base_path(rubric_id: str, root: Path | str | None) -> Path:
    return rubrics_dir(root) / f"{rubric_id}.yaml"


def _overlay_path(overlay_id: str, root: Path | str | None) -> Path:
    return rubrics_dir(root) / "overlays" / f"{overlay_id}.yaml"


# rubrics/ also holds grading data that is not a rubric: phases.yaml belongs to the
# evidence engine (mlsd.evidence). Those files, and any file starting with "_", are
# skipped here so they are neither listed as rubrics nor validated as one.
NON_RUBRIC_FILES = frozenset({"phases.yaml", "criterion_examples.yaml"})


def _is_rubric_file(path: Path) -> bool:
    return not path.name.startswith("_") and path.name not in NON_RUBRIC_FILES


def _base_ids(root: Path | str | None) -> list[str]:
    directory = rubrics_dir(root)
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.glob("*.yaml") if _is_rubric_file(p))


def _overlay_ids(root: Path | str | None) -> list[str]:
    directory = rubrics_dir(root) / "overlays"
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.glob("*.yaml") if not p.name.startswith("_"))


def list_rubrics(root: Path | str | None = None) -> list[str]:
    """Ids usable with load_rubric: base rubrics first, then overlays (each sorted)."""
    return _base_ids(root) + _overlay_ids(root)


def list_overlays(root: Path | str | None = None) -> list[str]:
    return _overlay_ids(root)


_RubricFileT = TypeVar("_RubricFileT", Rubric, RubricOverlay)


def _load_checked(path: Path, model_cls: type[_RubricFileT]) -> _RubricFileT:
    model = load_yaml_model_cached(path, model_cls)
    if model.id != path.stem:
        raise error_at(path, ("id",), f"id '{model.id}' must match the file name '{path.stem}'")
    return model


def load_overlay(overlay_id: str, root: Path | str | None = None) -> RubricOverlay:
    path = _overlay_path(overlay_id, root)
    if overlay_id not in _overlay_ids(root):
        raise NotFoundError(unknown_id_message("rubric overlay", overlay_id, _overlay_ids(root)))
    return _load_checked(path, RubricOverlay)


def apply_overlay(rubric: Rubric, overlay: RubricOverlay, overlay_path: Path | str) -> Rubric:
    """Return a new rubric with the overlay's criteria appended to their dimensions.

    Problems are reported against the overlay file, since that is what needs fixing.
    """
    if overlay.extends != rubric.id:
        raise error_at(
            overlay_path, ("extends",), f"overlay extends '{overlay.extends}' but was applied to '{rubric.id}'"
        )
    merged = rubric.model_copy(deep=True)
    existing_ids = {criterion.id for _, criterion in merged.criteria()}
    expected_levels = set(range(merged.max_level + 1))
    dimension_ids = [dimension.id for dimension in merged.dimensions]
    for dimension_id, criteria in overlay.add_criteria.items():
        if dimension_id not in dimension_ids:
            close = difflib.get_close_matches(dimension_id, dimension_ids, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(dimension_ids)}"
            raise error_at(
                overlay_path,
                ("add_criteria", dimension_id),
                f"unknown dimension '{dimension_id}' in rubric '{rubric.id}'{hint}",
            )
        dimension = merged.dimension(dimension_id)
        for index, criterion in enumerate(criteria):
            loc = ("add_criteria", dimension_id, index)
            if criterion.id in existing_ids:
                raise error_at(
                    overlay_path, (*loc, "id"), f"criterion id '{criterion.id}' already exists in the rubric"
                )
            try:
                _check_level_keys(criterion.levels, expected_levels, ())
            except FieldValueError as exc:
                raise error_at(overlay_path, (*loc, "levels"), exc.message) from None
            existing_ids.add(criterion.id)
            dimension.criteria.append(criterion.model_copy(deep=True))
        if len(dimension.criteria) > 8:
            raise error_at(
                overlay_path,
                ("add_criteria", dimension_id),
                f"dimension '{dimension_id}' would have {len(dimension.criteria)} criteria after merging (max 8)",
            )
    merged.applied_overlays = [*merged.applied_overlays, overlay.id]
    return merged


def load_rubric(
    rubric_id: str = "base", *, problem_id: str | None = None, root: Path | str | None = None
) -> Rubric:
    """Load a rubric, merging overlays.

    `rubric_id` names a base rubric or an overlay (which then brings its base).
    With `problem_id`, every overlay of that base whose `problems` lists the
    problem is merged too (in id order, each at most once).
    """
    overlays_to_apply: list[str] = []
    if rubric_id in _base_ids(root):
        base_id = rubric_id
    elif rubric_id in _overlay_ids(root):
        base_id = load_overlay(rubric_id, root).extends
        overlays_to_apply.append(rubric_id)
    else:
        raise NotFoundError(unknown_id_message("rubric", rubric_id, list_rubrics(root)))

    if base_id not in _base_ids(root):
        overlay_path = _overlay_path(rubric_id, root)
        raise error_at(overlay_path, ("extends",), f"extends unknown base rubric '{base_id}'")
    rubric = _load_checked(_base_path(base_id, root), Rubric)

    if problem_id is not None:
        for overlay_id in _overlay_ids(root):
            if overlay_id in overlays_to_apply:
                continue
            overlay = load_overlay(overlay_id, root)
            if overlay.extends == base_id and problem_id in overlay.problems:
                overlays_to_apply.append(overlay_id)

    for overlay_id in overlays_to_apply:
        rubric = apply_overlay(rubric, load_overlay(overlay_id, root), _overlay_path(overlay_id, root))
    return rubric


def check_rubrics(root: Path | str | None = None) -> list[DataFileError]:
    """Validate every rubric and overlay file, each overlay merged onto its base, and the criterion ids of
    rubrics/criterion_examples.yaml."""
    found = ErrorCollector(rubrics_dir(root), "rubrics")
    if found.errors:
        return found.errors
    bases = {base_id: found.load(_load_checked, _base_path(base_id, root), Rubric) for base_id in _base_ids(root)}
    overlays = []
    for overlay_id in _overlay_ids(root):
        path = _overlay_path(overlay_id, root)
        overlay = found.load(_load_checked, path, RubricOverlay)
        if overlay is None:
            continue
        if bases.get(overlay.extends) is None:
            if overlay.extends not in bases:  # a broken base is already reported above
                found.errors.append(error_at(path, ("extends",), f"extends unknown base rubric '{overlay.extends}'"))
            continue
        found.load(apply_overlay, bases[overlay.extends], overlay, path)
        overlays.append(overlay)
    if found.errors:  # a broken rubric's criteria are unknown: its errors say enough
        return found.errors
    known = {c.id for base in bases.values() for _, c in base.criteria()}
    known |= {c.id for overlay in overlays for criteria in overlay.add_criteria.values() for c in criteria}
    return found.errors + (found.load(unknown_ids, known, root) or [])
