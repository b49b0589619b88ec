"""What the report tells the candidate beyond the levels: strengths, gaps, thin points, what a strong
answer adds, and what to study next — and never anything that contradicts the evidence.

- A criterion is *missing* only when nothing the candidate said supports it; one with a quote but a
  low level is *thin*, with the quote and what would deepen it.
- "What a strong answer adds" leaves out every point the candidate made, checked by meaning against
  their own design statements, not by words.
- Study starts with the phases not covered, then the weakest; it lists the phase's guide and general
  notes, and topic notes only when their topic is this problem's (two-tower retrieval is not for fraud).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from mlsd.content.notes import knowledge_root, load_notes, note_title
from mlsd.content.problems import Problem, load_problems
from mlsd.content.rubrics import Rubric
from mlsd.evidence import EvidenceState
from mlsd.grading.report import GradeReport, StudyLink, ThinCriterion, cut
from mlsd.knowledge.embeddings import get_embedder
from mlsd.knowledge.lexical import lexical_terms, stem

# How close the candidate came to making a point: the best cosine between the point and one of their
# statements (or a clause of one), plus TERM_BONUS for each distinctive content word they share —
# words rare among all problems' expected points (DISTINCTIVE_DF), like "velocity" or "shadow", not
# "model" or "features". MiniLM alone scores "velocity features over 10 minutes" against "computes
# velocity features" at 0.4; words alone would drop advice that merely reuses a term. At POINT_MADE
# the point counts as made. Erring towards "made" costs one suggestion; the other way tells the
# candidate to add what they said — the contradiction this module exists to avoid.
POINT_MADE = 0.6
TERM_BONUS = 0.15
DISTINCTIVE_DF = 10
MAX_STUDY = 10


def add_feedback(report: GradeReport, rubric: Rubric, problem: Problem | None, state: EvidenceState,
                 said: list[str]) -> None:
    """Strengths, thin criteria, what a strong answer adds and what to study. `said`: the candidate's turns as
    written, headings and bullets included ("- Online" above "A/B randomised by store"), for the word test of
    points already made (the judged units lose a bare "- Online" line)."""
    for d in report.dimensions:
        if d.level is not None and d.level >= 2 and d.evidence:
            report.strengths.append(f"{d.title}: “{cut(d.evidence[0].quote)}”")
        for c in d.criteria:
            if d.covered and c.evidence and c.level <= 1:
                deepen = rubric.criterion(c.id).levels.get(min(rubric.max_level, c.level + 1), "")
                d.thin.append(ThinCriterion(looks_for=c.looks_for, quote=cut(c.evidence[0].quote), deepen=deepen))
    weak = sorted((d for d in report.dimensions if d.level is None or d.level <= 1),
                  key=lambda d: (d.level is not None, d.score))
    made = made_check(state)
    turns = [set(lexical_terms(text)) for text in said]
    for d in weak:
        state_name = "not covered" if d.level is None else d.level_name
        first_gap = d.missing[0] if d.missing else (d.thin[0].looks_for if d.thin else "")
        report.gaps.append(f"{d.title}: {state_name}" + (f" — {first_gap}" if first_gap else ""))
        points = problem.expected_points.get(d.phase, []) if problem and d.phase else []
        closeness = {p: made(p) for p in points}
        fresh = sorted((p for p in points if closeness[p] < POINT_MADE and not said_in_words(p, turns)),
                       key=closeness.get)[:2]
        if fresh:
            report.strong_answer_adds.extend(f"{d.title}: {p}" for p in fresh)
        elif not points:
            top = rubric.dimension(d.id).criteria[0].levels[rubric.max_level]
            report.strong_answer_adds.append(f"{d.title}: {top}")
    report.study = study_links(weak, rubric, problem)


def made_check(state: EvidenceState) -> Callable[[str], float]:
    """A function scoring how nearly the candidate already made a point (by meaning, in any phase)."""
    return closeness_to([u.unit.judged_text for u in state.units if u.content >= 0.5])


def closeness_to(statements: list[str]) -> Callable[[str], float]:
    """Score a point against these statements: best cosine (statement or clause) plus term bonus."""
    pieces = list(dict.fromkeys(statements + [c for s in statements for c in clauses(s)]))
    if not pieces:
        return lambda point: 0.0
    vectors = get_embedder().embed(pieces)
    terms = [set(map(stem, lexical_terms(p))) for p in pieces]
    common = _common_terms()

    def closeness(point: str) -> float:
        similarity = vectors @ get_embedder().embed([point])[0]
        wanted = set(map(stem, lexical_terms(point))) - common
        shared = np.array([len(_overlap(wanted, t)) for t in terms])
        return float(np.max(similarity + TERM_BONUS * shared))

    return closeness


# A second, lexical test of "already said", of a different kind from the embedding one so that each
# catches what the other misses (a paraphrase that MiniLM scores low but that reuses the point's
# words): most of the point's content words in one candidate turn. Points with fewer content words
# are too vague to call said by words alone.
SAID = 0.6
MIN_TERMS = 3


def said_in_words(point: str, turns: list[set[str]]) -> bool:
    """Are most of the point's content words in one turn (each turn given as its content words)?"""
    wanted = set(lexical_terms(point))
    return len(wanted) >= MIN_TERMS and any(len(wanted & said) >= SAID * len(wanted) for said in turns)


@lru_cache(maxsize=1)
def _common_terms() -> frozenset[str]:
    """Content words used by more than DISTINCTIVE_DF expected points across all problems."""
    counts: Counter[str] = Counter()
    for problem in load_problems().values():
        for points in problem.expected_points.values():
            counts.update({stem(t) for p in points for t in lexical_terms(p)})
    return frozenset(t for t, n in counts.items() if n > DISTINCTIVE_DF)


_CLAUSE = re.compile(r",\s+|;\s+|\s+(?:and|plus|but|so|then)\s+|\s+[—–-]\s+")


def clauses(statement: str) -> list[str]:
    """The clauses of a statement with at least three words: one long sentence often makes two points."""
    return [c for c in _CLAUSE.split(statement) if len(c.split()) >= 3]


def _overlap(wanted: set[str], have: set[str]) -> set[str]:
    """Shared stems; a word containing the other's stem of five letters or more counts ("downsampl", "sampl")."""
    return {w for w in wanted if w in have or any(_contains(w, h) or _contains(h, w) for h in have)}


def _contains(longer: str, stem: str) -> bool:
    return len(stem) >= 5 and stem in longer


@lru_cache(maxsize=1)
def _notes() -> tuple[dict[str, tuple[frozenset[str], frozenset[str]]], frozenset[str]]:
    """{note path: (phases, tags)} and every problem topic (as note tags spell them)."""
    notes = {n.path: (frozenset(n.phases), frozenset(n.tags)) for n in load_notes(knowledge_root())}
    topics = frozenset(t.replace("_", "-") for p in load_problems().values() for t in p.topics)
    return notes, topics


def relevant(path: str, phase: str | None, problem: Problem | None) -> bool:
    """A note for this phase that is general, or whose topic is this problem's."""
    notes, topics = _notes()
    if path not in notes:
        return False
    phases, tags = notes[path]
    if phase and phases and phase not in phases:
        return False
    topical = tags & topics
    mine = {t.replace("_", "-") for t in problem.topics} if problem else set()
    return not topical or bool(topical & mine)


def study_links(weak, rubric: Rubric, problem: Problem | None) -> list[StudyLink]:
    """Notes for the not-covered dimensions first, then the thin ones; within each tier one note per
    dimension in turn (its phase guide first), so three skipped phases all get their guide."""
    links: list[StudyLink] = []
    seen: set[str] = set()
    for tier in ([d for d in weak if d.level is None], [d for d in weak if d.level is not None]):
        queues = [(d, _notes_for(d, rubric, problem)) for d in tier]
        while len(links) < MAX_STUDY and any(q for _, q in queues):
            for d, queue in queues:
                while queue and queue[0] in seen:
                    queue.pop(0)
                if queue and len(links) < MAX_STUDY:
                    path = queue.pop(0)
                    links.append(StudyLink(path=path, title=note_title(path), dimension=d.id))
                    seen.add(path)
    return links


def _notes_for(d, rubric: Rubric, problem: Problem | None) -> list[str]:
    guide = [f"knowledge/phases/{d.phase}.md"] if d.phase else []
    criteria = [p for c in rubric.dimension(d.id).criteria for p in c.study]
    case = [problem.case_note] if problem and problem.case_note and d.phase else []
    return [p for p in dict.fromkeys(guide + case + criteria)
            if p in guide or p in case or relevant(p, d.phase, problem)]
