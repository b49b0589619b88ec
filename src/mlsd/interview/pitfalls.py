"""Questionable choices the interviewer challenges: "a random split" on events ordered in time, accuracy
with rare positives, rebalancing before the split, a huge model with no baseline, all traffic at once.

A good interviewer does not let those pass; nor does it accuse a candidate of what they did not say.
So a challenge needs the choice named in one of the turn's own design statements (never in a question,
an aside or a deferral), no qualifier beside it in that sentence ("not a random split", "SMOTE only on
the training fold", "after the A/B test"), and a problem whose material makes it wrong (a random split
matters where events are ordered in time). Each pitfall is challenged once per interview. The patterns
live in problems/_pitfalls.yaml with the reasons; `mlsd bench` measures them on sentences written by
someone who had not seen them.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mlsd.content.files import load_yaml_model_cached
from mlsd.content.problems import Problem, problems_dir
from mlsd.content.types import PhaseId
from mlsd.evidence import JudgedUnit

PITFALLS_FILE = "_pitfalls.yaml"
DESIGN = 0.5  # a unit's design-content probability above which it states the candidate's own choice


class Pitfall(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    phase: PhaseId
    when: list[str] = Field(min_length=1)
    unless: list[str] = Field(default_factory=list)
    applies_when: list[str] = Field(default_factory=list)
    not_when: list[str] = Field(default_factory=list)
    question: str = Field(min_length=10)

    @field_validator("when", "unless")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from None
        return patterns

    @cached_property
    def _when(self) -> list[re.Pattern]:
        return [re.compile(p, re.I) for p in self.when]

    @cached_property
    def _unless(self) -> list[re.Pattern]:
        return [re.compile(p, re.I) for p in self.unless]

    def named_in(self, sentence: str) -> bool:
        """Does `sentence` state this choice, with nothing beside it that avoids or qualifies it?"""
        return any(p.search(sentence) for p in self._when) and not any(p.search(sentence) for p in self._unless)

    def revisited_in(self, sentence: str) -> bool:
        """Does `sentence` name this choice with its qualifier ("a random split over query logs would leak, so
        by time")? The candidate has dealt with it: a challenge kept for later must not be put any more."""
        return any(p.search(sentence) for p in self._when) and any(p.search(sentence) for p in self._unless)

    def applies(self, problem_vocabulary: frozenset[str] | None) -> bool:
        """None: no problem to check against (a sentence alone), so the words decide."""
        if problem_vocabulary is None:
            return True
        if set(self.not_when) & problem_vocabulary:
            return False
        return not self.applies_when or bool(set(self.applies_when) & problem_vocabulary)


class PitfallFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pitfalls: list[Pitfall] = Field(min_length=1)

    @field_validator("pitfalls")
    @classmethod
    def _distinct(cls, pitfalls: list[Pitfall]) -> list[Pitfall]:
        ids = [p.id for p in pitfalls]
        if len(ids) != len(set(ids)):
            raise ValueError(f"pitfall ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
        return pitfalls


def load_pitfalls(root: Path | str | None = None) -> list[Pitfall]:
    return load_yaml_model_cached(problems_dir(root) / PITFALLS_FILE, PitfallFile).pitfalls


def pitfall_in(sentence: str, pitfalls: list[Pitfall], problem_vocabulary: frozenset[str] | None = None) -> Pitfall | None:
    """The first pitfall `sentence` states for a problem with these words (None: any problem)."""
    return next((p for p in pitfalls if p.applies(problem_vocabulary) and p.named_in(sentence)), None)


class PitfallReader:
    """Finds a pitfall in a candidate's turn, for one problem."""

    def __init__(self, problem: Problem, pitfalls: list[Pitfall] | None = None):
        self.pitfalls = load_pitfalls() if pitfalls is None else pitfalls
        self.vocabulary = problem.vocabulary

    def revisited(self, judged: list[JudgedUnit], pitfall_id: str) -> bool:
        return any(p.revisited_in(u.unit.text) for p in self.pitfalls if p.id == pitfall_id for u in judged)

    def find(self, judged: list[JudgedUnit], challenged: tuple[str, ...] = ()) -> Pitfall | None:
        """The first pitfall not challenged yet that one of the turn's design statements states."""
        open_ = [p for p in self.pitfalls if p.id not in challenged]
        for unit in judged:
            if unit.unit.question or unit.content < DESIGN or unit.asks >= 0.5 or unit.defer >= 0.5:
                continue  # a question, an aside or a deferral is not the candidate's choice
            found = pitfall_in(unit.unit.text, open_, self.vocabulary)
            if found:
                return found
        return None
