"""The evidence engine: which phases and criteria a candidate's words cover, with verbatim quotes.

One engine serves the live interviewer (turn by turn, `EvidenceState.add_turn`) and the grader
(whole transcript, `analyze`). Offline it scores each sentence-sized unit of candidate text
against the rubric: embedding similarity to each criterion's description and evidence examples,
plus lexical hits on the criterion's signal terms. Headings, questions, stubs ("TBD") and
injection attempts are never evidence. A phase's coverage is a calibrated probability from the
strength of its evidence units (`data/coverage_model.json`, fitted by `bench/calibrate.py` on
our own labelled answers). Every quote is a slice of the turn text, so it is verbatim by
construction, and `verify_quote` checks any quote that came from elsewhere (the LLM).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from mlsd.knowledge.embeddings import get_embedder
from mlsd.evidence.segmentation import Unit, segment
from mlsd.core.phases import PHASE_IDS
from mlsd.content.phase_specs import load_phase_specs
from mlsd.content.rubrics import Rubric

CALIBRATION_PATH = Path(__file__).parent / "data" / "coverage_model.json"

_REASON = re.compile(r"\b(because|so that|since|which means|to avoid|instead of|rather than|trade-?off|"
                     r"otherwise|at the cost of|the downside|in exchange)\b", re.I)
# "10M DAU", "200 ms p99", "5k QPS": requirements, which belong to problem definition.
_REQUIREMENT = re.compile(
    r"\b\d[\d,.]*\s*(?:k|m|b|bn|million|billion|thousand)?\s*(?:qps|rps|tps|dau|mau|users|requests|"
    r"queries|ms|milliseconds|seconds|events|transactions|per second|/s)\b", re.I)


# -- signals and prototypes from the rubric ---------------------------------------------------------
def _signal_pattern(term: str) -> re.Pattern:
    # Short terms (ann, psi, kl) must be whole words; longer ones may be stems ("downsampl").
    tail = r"\b" if len(term) <= 4 else ""
    return re.compile(r"(?<![a-z0-9])" + re.escape(term) + tail)


@lru_cache(maxsize=4096)
def _compiled(term: str) -> re.Pattern:
    return _signal_pattern(term)


def lexical_hits(text: str, signals: list[str]) -> int:
    low = text.lower()
    return sum(1 for s in signals if _compiled(s).search(low))


_PROTOTYPE_VECTORS: dict[str, np.ndarray] = {}


def embed_cached(texts: list[str]) -> np.ndarray:
    """Rubric prototype texts repeat across rubrics and sessions: embed each one once per process."""
    missing = [t for t in dict.fromkeys(texts) if t not in _PROTOTYPE_VECTORS]
    if missing:
        for text, vec in zip(missing, get_embedder().embed(missing)):
            _PROTOTYPE_VECTORS[text] = vec
    return np.vstack([_PROTOTYPE_VECTORS[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)


@dataclass
class CriterionModel:
    id: str
    dimension: str
    phase: str | None
    signals: list[str]
    prototypes: np.ndarray  # (k, 384)


@dataclass
class RubricModel:
    """What the engine needs from a rubric, embedded once."""

    criteria: list[CriterionModel]
    phase_terms: list[list[str]]  # per phase, in PHASE_IDS order
    phase_prototypes: list[np.ndarray]

    @classmethod
    def build(cls, rubric: Rubric) -> "RubricModel":
        criteria = []
        for dimension, criterion in rubric.criteria():
            texts = [criterion.looks_for, *criterion.evidence_examples]
            criteria.append(CriterionModel(criterion.id, dimension.id, dimension.phase, list(criterion.signals),
                                           embed_cached(texts)))
        specs = load_phase_specs().phases
        terms = [list(specs[p].techniques) for p in PHASE_IDS]
        prototypes = [embed_cached(list(specs[p].prototypes)) for p in PHASE_IDS]
        return cls(criteria, terms, prototypes)


_MODELS: dict[str, RubricModel] = {}


def rubric_model(rubric: Rubric) -> RubricModel:
    key = rubric.model_dump_json()
    if key not in _MODELS:
        _MODELS[key] = RubricModel.build(rubric)
    return _MODELS[key]


# -- calibration --------------------------------------------------------------------------------
@dataclass
class Calibration:
    """Parameters fitted by bench/calibrate.py; defaults are sane before any fitting."""

    lex_weight: float = 0.05
    unit_threshold: float = 0.35
    sim_alone: float = 0.55
    margin: float = 0.08
    weights: dict[str, float] = field(default_factory=lambda: {"top1": 4.0, "top2": 2.0, "count": 1.0, "terms": 1.0,
                                                               "words": 0.0})
    bias: float = -4.5
    phase_bias: dict[str, float] = field(default_factory=dict)
    decision: float = 0.5
    criterion_threshold: float = 0.4

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> "Calibration":
        if not path.is_file():
            return cls()
        return cls(**json.loads(path.read_text()))


# -- results -------------------------------------------------------------------------------------
@dataclass
class Span:
    turn: int
    quote: str
    score: float


@dataclass
class PhaseEvidence:
    phase: str
    coverage: float  # calibrated probability that the phase is covered
    covered: bool
    depth: int  # 0 none, 1 thin, 2 solid, 3 deep
    spans: list[Span]
    features: dict[str, float]
    units: int = 0  # evidence units for this phase


@dataclass
class CriterionEvidence:
    criterion: str
    dimension: str
    spans: list[Span]
    units: int  # evidence units
    best: float  # best unit score
    terms: int  # distinct signal terms across the evidence
    numbers: int  # evidence units with a number in them
    reasons: int  # evidence units that give a reason (because, so that, instead of...)


@dataclass
class ScoredUnit:
    unit: Unit
    criterion_scores: np.ndarray  # (n_criteria,)
    specific: bool
    phase_sims: np.ndarray  # (8,) embedding similarity to the phase's prototypes
    phase_hits: np.ndarray  # (8,) distinct technique terms of the phase in the unit


class EvidenceState:
    """Scored units so far; add turns as they arrive, read coverage at any time."""

    def __init__(self, engine: "EvidenceEngine"):
        self.engine = engine
        self.units: list[ScoredUnit] = []
        self.injection_units: list[Unit] = []

    def add_turn(self, turn: int, content: str) -> list[ScoredUnit]:
        return self.add_turns([(turn, content)])

    def add_turns(self, turns: list[tuple[int, str]]) -> list[ScoredUnit]:
        """Segment and score (turn index, candidate text) pairs, all units in one batch."""
        usable: list[Unit] = []
        for turn, content in turns:
            units = segment(turn, content)
            self.injection_units.extend(u for u in units if u.injection)
            usable.extend(u for u in units if u.usable)
        scored = self.engine.score_units(usable)
        self.units.extend(scored)
        return scored

    def phases(self) -> dict[str, PhaseEvidence]:
        return self.engine.phase_evidence(self.units)

    def criteria(self) -> dict[str, CriterionEvidence]:
        return self.engine.criterion_evidence(self.units)


class EvidenceEngine:
    def __init__(self, rubric: Rubric, calibration: Calibration | None = None):
        self.rubric = rubric
        self.model = rubric_model(rubric)
        self.cal = calibration or Calibration.load()
        self._phase_of = [c.phase for c in self.model.criteria]

    def new_state(self) -> EvidenceState:
        return EvidenceState(self)

    def analyze(self, turns: list[tuple[int, str]]) -> EvidenceState:
        """Score (turn index, candidate text) pairs in one batch."""
        state = self.new_state()
        state.add_turns(turns)
        return state

    def score_units(self, units: list[Unit]) -> list[ScoredUnit]:
        if not units:
            return []
        vecs = get_embedder().embed([u.text for u in units])
        lw = self.cal.lex_weight
        out = []
        scal = PHASE_IDS.index("scalability")
        for u, v in zip(units, vecs):
            low = u.text.lower()
            crit = np.array([float(np.max(c.prototypes @ v)) + lw * min(lexical_hits(low, c.signals), 3)
                             for c in self.model.criteria], dtype=np.float32)
            sims = np.array([float(np.max(P @ v)) for P in self.model.phase_prototypes], dtype=np.float32)
            hits = np.array([lexical_hits(low, terms) for terms in self.model.phase_terms], dtype=np.float32)
            if hits[scal] == 0 and _REQUIREMENT.search(u.text):
                # A requirement number is problem definition, not a technique for meeting scale.
                sims[scal] -= 0.1
            specific = bool(hits.sum() >= 2 or re.search(r"\d|[A-Z]{2,}", u.text))
            out.append(ScoredUnit(u, crit, specific, sims, hits))
        return out

    # -- aggregation ----------------------------------------------------------------------------
    def phase_scores(self, su: ScoredUnit) -> np.ndarray:
        """Per-phase score of a unit: similarity plus a bonus per technique named (capped)."""
        return su.phase_sims + self.cal.lex_weight * np.minimum(su.phase_hits, 3)

    def _assigned(self, units: list[ScoredUnit], i: int) -> list[tuple[float, ScoredUnit]]:
        cal = self.cal
        keep = []
        for su in units:
            z = self.phase_scores(su)
            s = float(z[i])
            if su.unit.question or s < cal.unit_threshold:
                continue
            if su.phase_hits[i] == 0 and su.phase_sims[i] < cal.sim_alone:
                continue  # no technique named and not unmistakably about this phase
            if s < float(np.max(z)) - cal.margin:
                continue
            keep.append((s, su))
        keep.sort(key=lambda pair: -pair[0])
        return keep

    def phase_features(self, units: list[ScoredUnit], i: int) -> dict[str, float]:
        ev = self._assigned(units, i)
        scores = [s for s, _ in ev]
        top1 = scores[0] if scores else 0.0
        top2 = float(np.mean(scores[:3])) if scores else 0.0
        terms = set()
        for _, su in ev:
            low = su.unit.text.lower()
            terms.update(t for t in self.model.phase_terms[i] if _compiled(t).search(low))
        return {"top1": top1, "top2": top2, "count": math.log1p(len(scores)),
                "terms": math.log1p(len(terms)), "words": math.log1p(sum(su.unit.words for _, su in ev))}

    def phase_evidence(self, units: list[ScoredUnit]) -> dict[str, PhaseEvidence]:
        cal = self.cal
        out = {}
        for i, p in enumerate(PHASE_IDS):
            feats = self.phase_features(units, i)
            z = cal.bias + cal.phase_bias.get(p, 0.0) + sum(cal.weights.get(k, 0.0) * v for k, v in feats.items())
            prob = 1 / (1 + math.exp(-z))
            ev = self._assigned(units, i)
            n = len(ev)
            if n == 0:
                prob = 0.0  # no evidence is "not covered", whatever the prior for this phase says
            covered = prob >= cal.decision
            depth = 0 if not covered else (3 if n >= 5 else 2 if n >= 2 else 1)
            spans = [Span(su.unit.turn, su.unit.text, round(s, 3)) for s, su in ev[:5]]
            out[p] = PhaseEvidence(p, round(prob, 4), covered, depth, spans, feats, n)
        return out

    def criterion_evidence(self, units: list[ScoredUnit]) -> dict[str, CriterionEvidence]:
        """Per criterion: its evidence units and how deep they go.

        A unit counts for at most its three best-matching phase criteria (and one cross-cutting one), so one vague sentence cannot
        prop up a whole dimension; depth comes from distinct signal terms, numbers and reasons.
        """
        thr = self.cal.criterion_threshold
        assigned: dict[int, list[tuple[float, ScoredUnit]]] = {j: [] for j in range(len(self.model.criteria))}
        for su in units:
            if su.unit.question:
                continue
            order = [int(j) for j in np.argsort(-su.criterion_scores)]
            best = [j for j in order if self._phase_of[j] is not None][:3]
            best += [j for j in order if self._phase_of[j] is None][:1]  # cross-cutting: trade-offs, communication
            for j in best:
                score = float(su.criterion_scores[j])
                if score >= thr:
                    assigned[j].append((score, su))
        out = {}
        for j, c in enumerate(self.model.criteria):
            ev = sorted(assigned[j], key=lambda pair: -pair[0])
            terms: set[str] = set()
            for _, su in ev:
                low = su.unit.text.lower()
                terms.update(t for t in c.signals if _compiled(t).search(low))
            numbers = sum(1 for _, su in ev if re.search(r"\d", su.unit.text))
            reasons = sum(1 for _, su in ev if _REASON.search(su.unit.text))
            spans = [Span(su.unit.turn, su.unit.text, round(score, 3)) for score, su in ev[:3]]
            out[c.id] = CriterionEvidence(c.id, c.dimension, spans, len(ev), ev[0][0] if ev else 0.0,
                                          len(terms), numbers, reasons)
        return out
