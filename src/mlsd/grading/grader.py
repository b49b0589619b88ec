"""The structured grader: per-criterion levels with verbatim evidence, the score computed in code.

Levels come from the evidence engine (`offline`); with an LLM, a criterion's level may come from the
model when its quote is verbatim and backed by the offline judgment (`llm_grading`). Either way the
overall score and hire band are computed here from levels and weights — never asked of the LLM — a
phase with no evidence is "not covered" (level null), and the feedback never contradicts the
evidence (`feedback`).
"""

from __future__ import annotations

import re

import numpy as np

from mlsd.content.problems import resolve_problem, rubric_for
from mlsd.evidence import EvidenceEngine, EvidenceState
from mlsd.evidence.talk import TalkFilter, load_talk_filter
from mlsd.grading.feedback import add_feedback
from mlsd.grading.llm_grading import Budget, grade_with_llm
from mlsd.grading.offline import assemble_dimension, grade_dimension_offline
from mlsd.grading.report import DimensionResult, Flags, GradeReport, cut
from mlsd.grading.transcript import Transcript
from mlsd.grading.verse import is_verse
from mlsd.grading.drawings import attach_drawings
from mlsd.llm import LLM, offline_llm

MIN_CANDIDATE_WORDS = 60
# Enough design content to grade: three concrete design statements, or two on different phases. A
# 60-word real answer is three or four sentences ("model: GBDT on 30 days of chargebacks, ... ; served
# behind the auth API at 20 ms p99"), so two on two phases is already a design; the everyday prose,
# word salad and buzzwords of bench/data/gate_dev*.yaml rarely reach two such statements at all. Two
# are enough only in a short answer or in a chat, where the interviewer's questions set the topic.
MIN_DESIGN_STATEMENTS = 3
MIN_STATEMENTS_ON_TWO_PHASES = 2
SHORT_ANSWER_WORDS = 150
# A longer text standing alone (an essay on AI, a coach's notes, a press release) can let three or four
# sentences through the judgment and the talk filter, yet a real answer is mostly design: in our
# development sets the non-answers' design statements make up at most 29 % of their sentences and
# number at most four, while every real answer has a third of its sentences as design or states five
# things or more (the long essays and reports among our answers: 26-48 % and 15 or more). So a long
# text standing alone needs five statements, or three that are over a third of what it says.
MANY_DESIGN_STATEMENTS = 5
MIN_DESIGN_SHARE = 0.35
FILTER_BATCH = 8  # units read by the talk filter at a time, until enough statements are found


# -- gates ----------------------------------------------------------------------------------------
def insufficient_reason(transcript: Transcript, state: EvidenceState, talk_filter: TalkFilter | None = None) -> str | None:
    words = [w for _, t in transcript.candidate_turns() for w in t.content.split()]
    if len(words) < MIN_CANDIDATE_WORDS:
        return (f"too short to grade: {len(words)} word{'s' if len(words) != 1 else ''} of candidate text; at least {MIN_CANDIDATE_WORDS} "
                "are needed to judge any phase")
    from mlsd.knowledge.embeddings import get_embedder

    clean = [w.strip(".,;:!?()[]\"'*-`") for w in words]
    clean = [w for w in clean if w.isalpha()]
    known = sum(1 for w in clean if get_embedder().is_known_word(w))
    if known / max(1, len(clean)) < 0.5:
        return "the candidate text does not read as language (mostly non-words); nothing to grade"
    if is_verse("\n".join(t.content for _, t in transcript.candidate_turns())):
        return "the candidate text is rhymed verse, not a design answer; nothing to grade"
    chat = any(t.role == "interviewer" for t in transcript.turns)
    if len(words) > SHORT_ANSWER_WORDS and not chat:
        return _long_text_reason(state, talk_filter)
    statements = design_statements(state, talk_filter, enough=MIN_DESIGN_STATEMENTS)
    design, phases = len(statements), len(set(statements.values()))
    enough = design >= MIN_DESIGN_STATEMENTS or (design >= MIN_STATEMENTS_ON_TWO_PHASES and phases >= 2)
    if not enough or not any(p.covered for p in state.phases().values()):
        return ("off-topic: nothing in the candidate's answer is a concrete statement about designing this ML "
                f"system ({design} such statement{'s' if design != 1 else ''} on {phases} phase{'s' if phases != 1 else ''}; "
                f"at least {MIN_DESIGN_STATEMENTS}, or {MIN_STATEMENTS_ON_TWO_PHASES} on two phases, needed)")
    return None


def _long_text_reason(state: EvidenceState, talk_filter: TalkFilter | None) -> str | None:
    # The search stops at MANY_DESIGN_STATEMENTS; below that every unit was read, so the share is exact.
    design = len(design_statements(state, talk_filter, enough=MANY_DESIGN_STATEMENTS))
    sentences = max(1, len(state.units))
    enough = design >= MANY_DESIGN_STATEMENTS or (design >= MIN_DESIGN_STATEMENTS and design / sentences >= MIN_DESIGN_SHARE)
    if enough and any(p.covered for p in state.phases().values()):
        return None
    return ("off-topic: little of the candidate's answer is a concrete statement about designing this ML system "
            f"({design} such statement{'s' if design != 1 else ''} among {sentences} sentences; a text this long "
            f"standing alone needs {MANY_DESIGN_STATEMENTS}, or {MIN_DESIGN_STATEMENTS} that are over a third of it)")


def design_statements(state: EvidenceState, talk_filter: TalkFilter | None = None,
                      enough: int | None = None) -> dict[str, int]:
    """Distinct units judged to be specific design content covering some phase, each with its main
    phase: everyday prose that borrows ML words, buzzwords, questions and talk about the interview do
    not count, and neither does what the talk filter reads as talk around ML rather than a design
    choice (an essay on AI, a press release). With `enough`, the search stops once that many are found:
    a long real transcript passes the gate on its first few statements, and the filter's lexical cues
    cost about a millisecond a unit."""
    threshold = state.engine.model.thresholds.unit
    units = [u for u in state.units if u.specific and u.content >= 0.5 and float(u.phases.max()) >= threshold]
    units = [u for u in units if not only_generic_lines(state, u.unit.judged_text)]
    talk_filter = talk_filter or load_talk_filter()
    found: dict[str, int] = {}
    for start in range(0, len(units), FILTER_BATCH):
        batch = units[start:start + FILTER_BATCH]
        kept = talk_filter.is_design(np.vstack([u.vector for u in batch]), [u.unit.judged_text for u in batch])
        found.update({" ".join(u.unit.text.lower().split()): int(u.phases.argmax()) for u, ok in zip(batch, kept) if ok})
        if enough is not None and len(found) >= enough:
            break
    return found


# a list marker: "-", "*", "•", "1.", "2)", "(3)", "a)"; a number needs a space after it ("2.5 ms" is prose)
_BULLET = re.compile(r"^\s*(?:[-*•·]+|\(?\d+[.)](?=\s)|[a-z][.)](?=\s))\s*")


# An agenda item: a line telling oneself what to bring up ("Note the constraints", "Mention privacy", "Discuss
# trade-offs"). When the judgment sees no design in it either, it is a heading for a talk, not a choice.
_AGENDA = re.compile(r"^\W*(?:note|mention|consider|think about|talk about|discuss|remember|cover|address|bring up|"
                     r"touch on|keep in mind|be (?:ready|prepared)|ask about|clarify|go over|list|state|identify)\b", re.I)


def only_generic_lines(state: EvidenceState, text: str) -> bool:
    """Is this a list of lines each of which is a generic one-liner ("try a few models / keep the best
    one") or an agenda item with no design in it ("note the constraints")? The judgment reads a unit
    whole, and a few such lines together read as more than any of them says; an outline naming every
    phase and choosing nothing must not pass the gate on them. A list with one concrete line ("GBDT on
    30-day spend features") is a statement, and so is a hard-wrapped sentence: only lines after the first
    that open with a bullet or a number make a list. A terse line that names a choice ("GBDT", "two-tower
    + ANN") can read as neither design nor generic on its own, so a line without design counts as saying
    nothing only when it is an agenda item."""
    from mlsd.knowledge.embeddings import get_embedder

    raw = [line for line in text.splitlines() if line.strip()]
    if len(raw) < 2 or not all(_BULLET.match(line) for line in raw[1:]):
        return False
    lines = [line for line in (_BULLET.sub("", r).strip() for r in raw) if line]
    judged = state.engine.model.judge(get_embedder().embed(lines), lines)
    agenda = np.array([bool(_AGENDA.match(line)) for line in lines]) & (judged.content < 0.5)
    return bool(((judged.generic >= 0.5) | agenda).all())


# -- the whole report -------------------------------------------------------------------------------
def grade(transcript: Transcript, *, rubric_id: str | None = None, llm: LLM | None = None,
          budget: Budget | None = None) -> GradeReport:
    """Grade `transcript`. Every level comes from the evidence engine; an LLM (not the offline provider) may
    raise a criterion's level only with a quote the offline judgment backs, within `budget`."""
    llm = llm or offline_llm()
    problem = resolve_problem(transcript.problem)
    rubric = rubric_for(problem, rubric_id)
    state = EvidenceEngine(rubric).analyze(transcript.candidate_turns_in_context())
    flags = Flags()
    if state.injection_units:
        flags = Flags(injection_suspected=True,
                      injection_turns=sorted({u.turn for u in state.injection_units}),
                      injection_examples=[cut(u.text, 120) for u in state.injection_units[:3]])
    base = dict(rubric=rubric.id + "".join(f"+{o}" for o in rubric.applied_overlays),
                problem=problem.id if problem and problem.id != "custom" else transcript.problem,
                backend=llm.backend, flags=flags)
    reason = insufficient_reason(transcript, state)
    if reason:
        return attach_drawings(GradeReport(status="insufficient_evidence", reason=reason, overall=None, band=None,
                                           dimensions=[], **base), transcript)
    phase_ev, criteria_ev = state.phases(), state.criteria()
    dims = {d.id: grade_dimension_offline(d, rubric, criteria_ev, phase_ev) for d in rubric.dimensions}
    fallbacks: list[str] = []
    if not llm.offline:
        def reassemble(dimension, result):
            return assemble_dimension(dimension, rubric, result.criteria, result.covered, result.coverage, result.rationale)

        graded, fallbacks = grade_with_llm(llm, rubric, transcript, problem, state, dims, set(flags.injection_turns),
                                           budget or Budget(), reassemble)
        dims.update(graded)
    ordered = [dims[d.id] for d in rubric.dimensions]
    overall = overall_score(ordered)
    report = GradeReport(status="graded", reason=None, overall=overall, band=rubric.band_for(overall),
                         dimensions=ordered, fallbacks=fallbacks, **base)
    add_feedback(report, rubric, problem, state, [t.content for _, t in transcript.candidate_turns()])
    return attach_drawings(report, transcript)


def overall_score(dims: list[DimensionResult]) -> float:
    """0-100 from the dimensions' criterion-level scores and the rubric weights; not covered counts 0."""
    return round(100 * sum(d.weight * d.score for d in dims), 1)
