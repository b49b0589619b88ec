"""rubrics/phases.yaml: what counts as covering each design phase (technique terms, prototype sentences)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mlsd.content.files import content_root, load_yaml_model_cached
from mlsd.core.phases import PHASE_IDS


class PhaseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    techniques: list[str] = Field(min_length=5, max_length=200)
    prototypes: list[str] = Field(min_length=3, max_length=30)


class PhaseSpecs(BaseModel):
    """rubrics/phases.yaml: what counts as covering each phase."""

    model_config = ConfigDict(extra="forbid")

    phases: dict[str, PhaseSpec]

    @model_validator(mode="after")
    def _all_phases(self) -> "PhaseSpecs":
        missing = [p for p in PHASE_IDS if p not in self.phases]
        unknown = [p for p in self.phases if p not in PHASE_IDS]
        if missing or unknown:
            raise ValueError(f"phases must be exactly the eight phase ids (missing {missing}, unknown {unknown})")
        return self


def load_phase_specs(root: Path | None = None) -> PhaseSpecs:
    return load_yaml_model_cached(content_root(root) / "rubrics" / "phases.yaml", PhaseSpecs)
