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

# (MATCH, SECOND, ELABORATION, LEXICAL_WEIGHT)
GRID = list(itertools.product([round(0.3 + 0.025 * i, 3) for i in range(16)], (0.0, 0.02, 0.04), (0.0, 0.05, 0.1),
                              (0.0, 0.1, 0.2, 0.3)))
NAMES = ("MATCH", "SECOND", "ELABORATION", "LEXICAL_WEIGHT")


def scored_questions(items) -> list[tuple]:
    """(item, fact ids, per-part similarity arrays, per-part word-overlap arrays)."""
    out, matchers = [], {}
    for item in items:
        m = matchers.setdefault(item.problem, FactMatcher(get_problem(item.problem)))
        parts = question_parts(item.question)
        out.append((item, [f.id for f in m.facts], [m.similarities(p) for p in parts], [m.overlaps(p) for p in parts]))
    return out


def predict(ids, similarities, overlaps, match: float, second: float, elaboration: float,
            lexical: float) -> tuple[set[str], int]:
    """The matcher's own decision (clarify.choose_facts) with these constants."""
    found, unmatched = clarify.choose_facts([s + lexical * o for s, o in zip(similarities, overlaps)], match, second,
                                            elaboration)
    return {ids[j] for j in found}, unmatched


def accuracy(rows, params) -> float:
    """Right = exactly the facts asked for, and "not specified" said when nothing was (as the bench counts it)."""
    right = 0
    for item, ids, similarities, overlaps in rows:
        found, unmatched = predict(ids, similarities, overlaps, *params)
        expected = set(item.facts)
        right += found == expected and (bool(unmatched) or bool(expected) or not found)
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
                      "chosen": dict(zip(NAMES, final)),
                      "in_sample_accuracy": round(accuracy(rows, final), 3)}, indent=2))


if __name__ == "__main__":
    main()
