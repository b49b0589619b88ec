"""Levels from the evidence engine alone, and how criterion levels become a dimension's level and score.

Behaviour-anchored in spirit: naming a thing is level 1, specifics are 2, specifics with reasons 3. A
dimension's level is the mean of its best ~60 % of criteria (nobody covers every criterion in 45
minutes); its score keeps every criterion in view. A criterion with no evidence at all is *missing*;
one with evidence is never listed as missing, whatever its level (the thin ones are reported apart).
"""

from __future__ import annotations

import math

from mlsd.content.rubrics import Dimension, Rubric
from mlsd.evidence import CriterionEvidence, PhaseEvidence
from mlsd.grading.report import CriterionResult, DimensionResult, Quote

EVIDENCE_UNITS_FOR_FULL = 6  # a phase discussed in this many units earns its full criterion score


def offline_level(ev: CriterionEvidence, max_level: int) -> int:
    if not ev.spans:
        return 0
    depth = ev.terms + ev.numbers + ev.reasons
    level = 1
    if depth >= 3 and (ev.numbers or ev.reasons or ev.terms >= 3):
        level = 2
    if ev.units >= 2 and depth >= 5 and (ev.numbers + ev.reasons) >= 1:
        level = 3
    return min(level, max_level)


def grade_dimension_offline(dimension: Dimension, rubric: Rubric, criteria_ev: dict[str, CriterionEvidence],
                            phase_ev: dict[str, PhaseEvidence]) -> DimensionResult:
    results = [CriterionResult(id=c.id, looks_for=c.looks_for, level=offline_level(criteria_ev[c.id], rubric.max_level),
                               evidence=[Quote(turn=s.turn, quote=s.quote) for s in criteria_ev[c.id].spans])
               for c in dimension.criteria]
    if dimension.phase:
        pe = phase_ev[dimension.phase]
        covered, coverage, cap = pe.covered, pe.coverage, pe.depth
    else:
        covered, coverage, cap = any(r.level > 0 for r in results), None, rubric.max_level
    result = assemble_dimension(dimension, rubric, results, covered, coverage)
    if result.level is not None:
        # Criteria can borrow sentences from other phases; the phase's own evidence bounds its depth.
        # The same bound applies to the score whatever the level, so less evidence never scores more.
        result.level = min(result.level, max(1, cap))
        result.level_name = rubric.level_names[result.level]
        result.score = min(result.score, (max(1, cap) + 0.5) / rubric.max_level)
        if dimension.phase:
            # Levels are integers; the amount of the phase's own evidence breaks ties, so removing
            # what a candidate said about a phase always costs something.
            units = phase_ev[dimension.phase].units
            result.score = round(result.score * (0.85 + 0.15 * min(1.0, units / EVIDENCE_UNITS_FOR_FULL)), 4)
    return result


def assemble_dimension(dimension: Dimension, rubric: Rubric, results: list[CriterionResult], covered: bool,
                       coverage: float | None, rationale: str | None = None) -> DimensionResult:
    if not covered:
        # Nothing designed for this phase, so no level; but the candidate's clarifying questions and stated
        # assumptions stay credited to the criterion that counts them (they are not design content, so they
        # never cover the phase, and never leave that criterion listed as missing either).
        asks = {c.id for c in dimension.criteria if c.counts_questions}
        for r in results:
            r.level = 0
            if r.id not in asks:
                r.evidence = []
        level, score = None, 0.0
    else:
        levels = sorted((r.level for r in results), reverse=True)
        best = levels[: max(1, math.ceil(0.6 * len(levels)))]
        level = max(1, min(rubric.max_level, math.floor(sum(best) / len(best) + 0.5)))  # covered: at least 1
        score = max(1, (sum(best) / len(best) + sum(levels) / len(levels)) / 2) / rubric.max_level
    evidence: list[Quote] = []
    for r in sorted(results, key=lambda r: -r.level):
        for q in r.evidence:
            if q not in evidence and len(evidence) < 4:
                evidence.append(q)
    missing = [r.looks_for for r in results if not r.evidence]
    return DimensionResult(id=dimension.id, title=dimension.title, phase=dimension.phase, weight=dimension.weight,
                           level=level, level_name=rubric.level_names[level or 0], max_level=rubric.max_level,
                           covered=covered, coverage=coverage, score=round(score, 4), evidence=evidence,
                           missing=missing, criteria=results, rationale=rationale)
