"""Choose the clarification matcher's thresholds on our clarifying questions, leaving one problem out.

    python -m bench.clarify_fit

For each problem, the thresholds are chosen on the other problems' questions and scored on its own,
so the reported accuracy is never measured on questions the choice saw. The constants in
src/mlsd/interview/clarify.py are then set to the choice made on all problems (printed last).
"""

from __future__ import annotations

import itertools
import json


from mlsd.content.problems import get_problem
from mlsd.interview import clarify
from mlsd.interview.clarify import FactMatcher, question_parts

from . import labelled

GRID = list(itertools.product((0.35, 0.375, 0.4, 0.425, 0.45, 0.5, 0.55, 0.6), (0.0, 0.02, 0.04), (0.0, 0.05, 0.1, 0.15)))


def scored_questions(items) -> list[tuple]:
    """(item, fact ids, per-part score arrays without the trigger bonus, per-part trigger hits)."""
    out, matchers = [], {}
    for item in items:
        m = matchers.setdefault(item.problem, FactMatcher(get_problem(item.problem)))
        ids = [f.id for f in m.facts]
        parts = question_parts(item.question)
        saved, clarify.TRIGGER_BONUS = clarify.TRIGGER_BONUS, 0.0
        base = [m.scores(p) for p in parts]
        clarify.TRIGGER_BONUS = 1.0
        hits = [m.scores(p) - b for p, b in zip(parts, base)]
        clarify.TRIGGER_BONUS = saved
        out.append((item, ids, base, hits))
    return out


def predict(ids, base, hits, match: float, second: float, bonus: float) -> tuple[set[str], int]:
    """The matcher's own decision (clarify.choose_facts) with these constants."""
    found, unmatched = clarify.choose_facts([b + bonus * (h > 0.5) for b, h in zip(base, hits)], match, second)
    return {ids[j] for j in found}, unmatched


def accuracy(rows, params) -> float:
    right = 0
    for item, ids, base, hits in rows:
        found, _ = predict(ids, base, hits, *params)
        right += found == set(item.facts)
    return right / len(rows) if rows else 0.0


def main() -> None:
    rows = scored_questions(labelled.clarifications())
    problems = sorted({r[0].problem for r in rows})
    right = 0
    for problem in problems:
        train = [r for r in rows if r[0].problem != problem]
        test = [r for r in rows if r[0].problem == problem]
        best = max(GRID, key=lambda g: accuracy(train, g))
        right += accuracy(test, best) * len(test)
    final = max(GRID, key=lambda g: accuracy(rows, g))
    print(json.dumps({"leave_one_problem_out_accuracy": round(right / len(rows), 3), "questions": len(rows),
                      "chosen": dict(zip(("MATCH", "SECOND", "TRIGGER_BONUS"), final)),
                      "in_sample_accuracy": round(accuracy(rows, final), 3)}, indent=2))


if __name__ == "__main__":
    main()
