"""The evidence engine: which phases and criteria a candidate's words cover, with verbatim quotes.

One engine serves the live interviewer (turn by turn, `EvidenceState.add_turn`) and the grader (a
whole transcript, `analyze`). Each turn is cut into units (`segmentation`), each unit embedded once
and judged (`judgment`): what it does (design, a question, a deferral...) and which phases it
covers, sharpened by its context (the interviewer's question, or the heading above it). A phase is
covered when the fitted coverage model says so from its evidence units (the best ones and the share
of the text about it); its depth counts the specific units behind it. A criterion takes evidence only from units judged to cover its own phase (or, for
the clarifying-questions criterion, the candidate's questions and assumptions), so a quote always
sits under the dimension it supports. Every quote is a slice of the turn text: verbatim by
construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlsd.content.rubrics import Rubric
from mlsd.core.phases import PHASE_IDS
from mlsd.evidence.criteria import CriterionEvidence, CriterionMatcher, Span
from mlsd.evidence.judged import JudgedUnit
from mlsd.evidence.judgment import JudgmentModel, load_model
from mlsd.evidence.segmentation import Unit, segment, signpost
from mlsd.knowledge.embeddings import get_embedder

DEPTH_UNITS = (2, 5)  # specific evidence units for "solid" and for "deep"


@dataclass
class PhaseEvidence:
    phase: str
    coverage: float  # the best unit's probability of covering the phase
    covered: bool
    depth: int  # 0 none, 1 thin, 2 solid, 3 deep
    spans: list[Span]
    units: int = 0  # evidence units for this phase


class EvidenceState:
    """Judged units so far; add turns as they arrive, read coverage at any time."""

    def __init__(self, engine: "EvidenceEngine"):
        self.engine = engine
        self.units: list[JudgedUnit] = []
        self.injection_units: list[Unit] = []
        # Units withheld as evidence because they share a paragraph with an injection attempt. They still
        # count as text about no phase: otherwise cutting them raises every other phase's share of the
        # text, and appending a payload to one turn could lift coverage elsewhere.
        self.withheld = 0
        self._said: tuple[int, np.ndarray] = (-1, np.zeros((0, 0), np.float32))

    def add_turn(self, turn: int, content: str, context: str = "") -> list[JudgedUnit]:
        return self.add_turns([(turn, content, context)])

    def add_turns(self, turns: list[tuple[int, str, str]]) -> list[JudgedUnit]:
        """Segment and judge (turn index, candidate text, the interviewer's words before it) in one batch."""
        usable: list[tuple[Unit, str]] = []
        for turn, content, context in turns:
            units = segment(turn, content)
            self.injection_units.extend(u for u in units if u.injection)
            usable.extend((u, context) for u in units if u.usable)
            self.withheld += sum(1 for u in units if u.tainted and not u.injection and u.words >= 2)
        judged = self.engine.judge(usable)
        self.units.extend(judged)
        return judged

    def phases(self) -> dict[str, PhaseEvidence]:
        return self.engine.phase_evidence(self.units, self.withheld)

    def statements(self) -> list[JudgedUnit]:
        """The units that state something (design content or an assumption), in order."""
        return [u for u in self.units if u.content >= 0.5]

    def said(self) -> list[JudgedUnit]:
        """What the candidate has said, for checking whether a point was made already: the statements, and
        the sentences the judgment reads as off-topic that are no question. Plain talk with no ML words
        ("the thing that hurts is when we're late, more than when we're early", off-topic 0.69) reads as
        everyday prose to the judgment, but a sentence that is close in meaning to the interviewer's next
        question was not small talk, and asking it again tells the candidate nobody listened."""
        return [u for u in self.units if u.content >= 0.5 or (u.offtopic >= 0.5 and not u.unit.question)]

    def said_vectors(self) -> np.ndarray:
        """The vectors of `said`, stacked; rebuilt only when units were added, since the interviewer
        compares its candidate questions with them several times a turn."""
        if self._said[0] != len(self.units):
            vectors = [u.vector for u in self.said()]
            self._said = (len(self.units), np.vstack(vectors) if vectors else np.zeros((0, 0), np.float32))
        return self._said[1]

    def criteria(self) -> dict[str, CriterionEvidence]:
        return self.engine.matcher.evidence(self.units)

    def turn_phases(self, turn: int) -> list[str]:
        """Phases the units of one turn cover, most strongly covered first."""
        return self.engine.turn_phases([u for u in self.units if u.unit.turn == turn])


class EvidenceEngine:
    def __init__(self, rubric: Rubric, model: JudgmentModel | None = None):
        self.rubric = rubric
        self.model = model or load_model()
        self.matcher = CriterionMatcher(rubric, self.model.thresholds.unit)

    def new_state(self) -> EvidenceState:
        return EvidenceState(self)

    def analyze(self, turns: list[tuple[int, str]] | list[tuple[int, str, str]]) -> EvidenceState:
        """Judge (turn index, candidate text[, context]) tuples in one batch."""
        state = self.new_state()
        state.add_turns([(t[0], t[1], t[2] if len(t) > 2 else "") for t in turns])
        return state

    # -- judging ----------------------------------------------------------------------------------
    def judge(self, units: list[tuple[Unit, str]]) -> list[JudgedUnit]:
        if not units:
            return []
        texts = [u.judged_text for u, _ in units]
        contexts = [u.heading or context for u, context in units]
        distinct = [c for c in dict.fromkeys(contexts) if c]
        vectors = get_embedder().embed(texts + distinct)
        judged = self.model.judge(vectors[: len(texts)], texts)
        topics = dict(zip(distinct, self.model.context_topics(vectors[len(texts):], distinct))) if distinct else {}
        phases = judged.phases.copy()
        for kind, combiner in (("heading", self.model.heading), ("question", self.model.question)):
            rows = [i for i, (u, _) in enumerate(units) if contexts[i] and bool(u.heading) == (kind == "heading")]
            if rows:
                topic = np.vstack([topics[contexts[i]] for i in rows])
                phases[rows] = combiner.apply(judged.phases[rows], judged.content[rows], topic)
        phases = self.model.signposted(phases, judged.content, [u.named or signpost(u.text) for u, _ in units],
                                       [u.text for u, _ in units])
        return [JudgedUnit(u, vectors[i], phases[i], float(judged.content[i]), float(judged.asks[i]),
                           float(judged.generic[i]), float(judged.offtopic[i]), float(judged.acts[i, 3]),
                           float(judged.acts[i, 4]))
                for i, (u, _) in enumerate(units)]

    # -- aggregation ------------------------------------------------------------------------------
    def phase_evidence(self, units: list[JudgedUnit], withheld: int = 0) -> dict[str, PhaseEvidence]:
        """Per phase: coverage, depth and quotes; `withheld` units (see EvidenceState) count as content
        about no phase."""
        unit_t = self.model.thresholds.unit
        probs = np.vstack([u.phases for u in units]) if units else np.zeros((0, len(PHASE_IDS)))
        generic = np.array([u.generic for u in units])
        content = np.array([u.content for u in units])
        if units and withheld:
            probs = np.vstack([probs, np.zeros((withheld, len(PHASE_IDS)))])
            generic = np.concatenate([generic, np.zeros(withheld)])
            content = np.concatenate([content, np.ones(withheld)])
        coverage = self.model.coverage.probability(probs, generic, content)
        out = {}
        for i, phase in enumerate(PHASE_IDS):
            evidence = sorted(((float(u.phases[i]), u) for u in units if u.phases[i] >= unit_t), key=lambda p: -p[0])
            covered = bool(coverage[i] >= 0.5) and bool(evidence)  # no evidence unit, no coverage
            specific = sum(1 for _, u in evidence if u.specific)
            depth = 0 if not covered else 3 if specific >= DEPTH_UNITS[1] else 2 if specific >= DEPTH_UNITS[0] else 1
            spans = [Span(u.unit.turn, u.unit.text, round(s, 3)) for s, u in evidence[:5]]
            out[phase] = PhaseEvidence(phase, round(float(coverage[i]), 4), covered, depth, spans, len(evidence))
        return out

    def turn_phases(self, units: list[JudgedUnit]) -> list[str]:
        if not units:
            return []
        best = np.vstack([u.phases for u in units]).max(axis=0)
        return [PHASE_IDS[i] for i in np.argsort(-best) if best[i] >= self.model.thresholds.unit]
