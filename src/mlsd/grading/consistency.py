"""Does a report say two things at once? The `report_contradictions` figure, counted on any report.

Three kinds, each checked from the report and the transcript, independently of how the report was built:

- a criterion listed as missing while quoted (or a dimension "not covered" while quoted);
- a "what a strong answer adds" point the candidate made: most of the point's content words in one
  candidate turn of the transcript as given (the report applies the same lexical test, beside its
  check by meaning; this recount from the raw turns keeps that guarantee from quietly regressing);
- a quote filed under a dimension whose phase the offline judgment does not find in it (clarifying
  questions and assumptions excepted: a rubric criterion counts them).
"""

from __future__ import annotations

from mlsd.content.problems import resolve_problem, rubric_for
from mlsd.content.rubrics import Rubric
from mlsd.core.phases import PHASE_IDS
from mlsd.evidence import EvidenceEngine, EvidenceState
from mlsd.grading.feedback import said_in_words
from mlsd.grading.report import GradeReport
from mlsd.grading.transcript import Transcript
from mlsd.knowledge.lexical import lexical_terms


def contradictions(report: GradeReport, transcript: Transcript, state: EvidenceState | None = None) -> list[str]:
    if report.status != "graded":
        return []
    if state is None:
        rubric = rubric_for(resolve_problem(transcript.problem), None)
        state = EvidenceEngine(rubric).analyze(transcript.candidate_turns_in_context())
    return (quoted_yet_missing(report, state.engine.rubric) + adds_already_said(report, transcript)
            + misfiled_quotes(report, state))


def quoted_yet_missing(report: GradeReport, rubric: Rubric | None = None) -> list[str]:
    """Missing yet quoted, or not covered yet quoted. The criterion that counts clarifying questions and
    assumptions keeps its quotes in a phase nothing was designed for: asking is not designing."""
    found = []
    for d in report.dimensions:
        quoted = {c.looks_for for c in d.criteria if c.evidence}
        found += [f"{d.id}: missing yet quoted: {m[:70]}" for m in d.missing if m in quoted]
        asks = {c.id for c in d.criteria if rubric is not None and rubric.criterion(c.id).counts_questions}
        if not d.covered and any(c.evidence for c in d.criteria if c.id not in asks):
            found.append(f"{d.id}: not covered yet quoted")
    return found


def adds_already_said(report: GradeReport, transcript: Transcript) -> list[str]:
    turns = [set(lexical_terms(t.content)) for _, t in transcript.candidate_turns()]
    return [f"strong answer adds what the candidate said: {point[:70]}"
            for point in (line.split(": ", 1)[-1] for line in report.strong_answer_adds)
            if said_in_words(point, turns)]


def misfiled_quotes(report: GradeReport, state: EvidenceState) -> list[str]:
    """Quotes whose units the judgment does not place in the dimension's phase. Clarifying questions
    and assumptions are exempt: the rubric files them under the criterion that counts them."""
    threshold = state.engine.model.thresholds.unit
    rubric = state.engine.rubric
    found = []
    for d in report.dimensions:
        if d.phase is None:
            continue
        column = PHASE_IDS.index(d.phase)
        for c in d.criteria:
            if rubric.criterion(c.id).counts_questions:
                continue
            for q in c.evidence:
                units = [u for u in state.units
                         if u.unit.turn == q.turn and (q.quote in u.unit.text or u.unit.text in q.quote)]
                if units and max(float(u.phases[column]) for u in units) < threshold:
                    found.append(f"{d.id}: quote not about {d.phase}: {q.quote[:70]}")
    return found
