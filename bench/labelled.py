"""Our labelled data (bench/data/, written for this project; see bench/data/LABELLING.md), validated on load.

Every item carries its group — the source that wrote it, its style and its problem — because
cross-validation holds out whole groups, never random sentences of one text.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mlsd.core.phases import PHASE_IDS

from .corpus import OURS, LabelledAnswer, load_corpus

DATA = Path(__file__).resolve().parent / "data"
Act = Literal["design", "assume", "clarify", "defer", "meta", "offtopic"]
ACTS: tuple[str, ...] = ("design", "assume", "clarify", "defer", "meta", "offtopic")
CONTENT_ACTS = ("design", "assume")


def _known_phases(phases: list[str]) -> list[str]:
    unknown = [p for p in phases if p not in PHASE_IDS]
    if unknown:
        raise ValueError(f"unknown phase(s) {unknown}")
    return phases


class Clause(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=2)
    phases: list[str]
    act: Act
    problem: str
    generic: bool = False
    source: str = ""
    style: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> "Clause":
        _known_phases(self.phases)
        if self.act in CONTENT_ACTS and not self.phases:
            raise ValueError(f"a {self.act} unit names at least one phase: {self.text!r}")
        if self.act not in CONTENT_ACTS and self.phases:
            raise ValueError(f"a {self.act} unit covers no phase: {self.text!r}")
        return self


class DialogueTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["interviewer", "candidate"]
    content: str
    phases: list[str] = Field(default_factory=list)
    generic: list[str] = Field(default_factory=list)
    acts: list[Act] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> "DialogueTurn":
        _known_phases(self.phases + self.generic)
        if self.role == "candidate" and not self.acts:
            raise ValueError(f"a candidate turn lists its acts: {self.content[:60]!r}")
        return self


class Dialogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    problem: str
    style: str
    ends_with_done: bool
    statement: str | None = None
    turns: list[DialogueTurn]
    source: str = ""

    def covered(self) -> set[str]:
        return {p for t in self.turns for p in t.phases}

    def generic_only(self) -> set[str]:
        return {p for t in self.turns for p in t.generic} - self.covered()

    def labels(self) -> dict[str, str]:
        """Transcript-level labels, like the answers': present, uncertain (generic only) or absent."""
        covered, generic = self.covered(), self.generic_only()
        return {p: "present" if p in covered else "uncertain" if p in generic else "absent" for p in PHASE_IDS}


class GateItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    problem: str
    text: str
    kind: str | None = None
    phases: list[str] = Field(default_factory=list)


class Gate(BaseModel):
    adversarial: list[GateItem] = Field(min_length=20)
    short_real: list[GateItem] = Field(min_length=20)


class Clarification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem: str
    question: str
    facts: list[str]
    style: str = ""


class DoneSignal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    kind: Literal["done", "stop", "hint", "model_answer", "not_done"]


def _yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def clauses() -> tuple[Clause, ...]:
    out = []
    for path in sorted((DATA / "clauses").glob("*.yaml")):
        data = _yaml(path)
        for i, item in enumerate(data["clauses"]):
            try:
                out.append(Clause(**item, source=data["source"], style=data["style"]))
            except ValueError as exc:
                raise ValueError(f"{path.name} clause {i}: {exc}") from None
    return tuple(out)


def plain_talk() -> list[Clause]:
    """Clauses in plain talk, measured only, never trained on (bench/data/plain_talk)."""
    out = []
    for path in sorted((DATA / "plain_talk").glob("*.yaml")):
        data = _yaml(path)
        out += [Clause(**item, source=data["source"], style=data["style"]) for item in data["clauses"]]
    return out


def proposals() -> list[Clause]:
    """Design proposals put as questions, measured only, never trained on (proposals_fresh.yaml)."""
    data = _yaml(DATA / "proposals_fresh.yaml")
    return [Clause(**item, source=data["source"], style=data["style"]) for item in data["clauses"]]


FRESH_DIALOGUES = ("dialogues_fresh.yaml", "dialogues_fresh_2.yaml")


def fresh_dialogues(name: str = FRESH_DIALOGUES[0]) -> list[Dialogue]:
    """Dialogues written after the judgment was fitted: measured only, never trained on. The second set
    (dialogues_fresh_2.yaml, 2026-12-02) has a human interviewer's turns, not our interviewer's replies."""
    data = _yaml(DATA / name)
    return [Dialogue(**d, source=data["source"]) for d in data["dialogues"]]


@lru_cache(maxsize=1)
def dialogues() -> tuple[Dialogue, ...]:
    out = []
    for path in sorted((DATA / "dialogues").glob("*.yaml")):
        data = _yaml(path)
        out += [Dialogue(**d, source=data["source"]) for d in data["dialogues"]]
    return tuple(out)


def answers() -> list[LabelledAnswer]:
    return load_corpus(OURS)


GATE_HELD_OUT = "gate_fresh.yaml"
GATE_DEV = ("gate_dev.yaml", "gate_dev_2.yaml", "gate_dev_3.yaml", "gate_dev_4.yaml")


def gate(dev: bool = False) -> Gate:
    """The held-out gate set (`mlsd bench`), or with `dev` the sets the refusal rule was chosen on, merged.
    gate_dev_2.yaml was the held-out set until its misses were read (LABELLING.md)."""
    if not dev:
        return Gate(**_yaml(DATA / GATE_HELD_OUT))
    sets = [_yaml(DATA / name) for name in GATE_DEV]  # merged first: a small set of one kind is welcome here
    return Gate(adversarial=[i for g in sets for i in g["adversarial"]], short_real=[i for g in sets for i in g["short_real"]])


class TalkSentence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=2)
    group: str
    style: str
    design: bool = False


def gate_clauses() -> list[TalkSentence]:
    """bench/data/gate_clauses.yaml, one group per genre: talk around ML that designs nothing, and
    (`design: true`) design choices put in plain words, the voice the clause files have least of."""
    return [TalkSentence(text=t, group=g["group"], style=g["style"], design=g.get("design", False))
            for g in _yaml(DATA / "gate_clauses.yaml")["groups"] for t in g["sentences"]]


def clarifications(fresh: bool = False, dev: bool = False) -> list[Clarification]:
    """Ours (the matcher's thresholds were chosen on them); with `dev`, the 176 written on 2026-12-01 from the
    facts alone whose misses were read to improve the matcher; with `fresh`, the 132 written blind the same
    day: measured only, never fitted or tuned on."""
    name = "clarifications_fresh.yaml" if fresh else "clarifications_dev_2.yaml" if dev else "clarifications.yaml"
    return [Clarification(**c) for c in _yaml(DATA / name)]


def done_signals(fresh: bool = False) -> list[DoneSignal]:
    """The labelled end signals; `fresh`: the set written later (with requests for help), only ever measured
    (bench.intents_fit)."""
    return [DoneSignal(**d) for d in _yaml(DATA / ("done_signals_fresh.yaml" if fresh else "done_signals.yaml"))]
