"""Choose the clarification matcher's thresholds on our clarifying questions, leaving one problem out.

    python -m bench.clarify_fit

For each problem, the thresholds are chosen on the other problems' questions and scored on its own,
so the reported accuracy is never measured on questions the choice saw. The constants in
src/mlsd/interview/clarify.py are then set to the choice made on all problems (printed last).
DOMAIN_SHARE changes the similarities themselves, so the questions are scored once per value of it.
"""

from __future__ import annotations

import itertools
import json


from mlsd.content.problems import get_problem
from mlsd.interview import clarify
from mlsd.interview.clarify import FactMatcher, question_parts

from . import labelled

# (MATCH, SECOND, ELABORATION, LEXICAL_WEIGHT); taking the domain out lowers every similarity, so MATCH
# reaches higher than it did without it.
GRID = list(itertools.product([round(0.3 + 0.025 * i, 3) for i in range(24)], (0.0, 0.02, 0.04), (0.0, 0.05, 0.1),
                              (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)))
DOMAIN_SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
NAMES = ("DOMAIN_SHARE", "MATCH", "SECOND", "ELABORATION", "LEXICAL_WEIGHT")


def scored_questions(items, domain_share: float | None = None) -> list[tuple]:
    """(item, fact ids, per-part similarity arrays, per-part word-overlap arrays)."""
    out, matchers = [], {}
    for item in items:
        m = matchers.setdefault(item.problem, FactMatcher(get_problem(item.problem), domain_share))
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


def right_per_problem(items) -> dict[tuple, dict[str, int]]:
    """For every setting (DOMAIN_SHARE, *GRID point): the questions it gets right, per problem."""
    out = {}
    for share in DOMAIN_SHARES:
        rows = scored_questions(items, share)
        by_problem: dict[str, list] = {}
        for row in rows:
            by_problem.setdefault(row[0].problem, []).append(row)
        for params in GRID:
            out[(share, *params)] = {p: round(accuracy(rs, params) * len(rs)) for p, rs in by_problem.items()}
    return out


def main() -> None:
    items = labelled.clarifications()
    right = right_per_problem(items)
    problems = sorted({item.problem for item in items})
    held_out = 0
    for problem in problems:
        best = max(right, key=lambda s: sum(n for p, n in right[s].items() if p != problem))
        held_out += right[best][problem]
    final = max(right, key=lambda s: sum(right[s].values()))
    print(json.dumps({"leave_one_problem_out_accuracy": round(held_out / len(items), 3), "questions": len(items),
                      "chosen": dict(zip(NAMES, final)),
                      "in_sample_accuracy": round(sum(right[final].values()) / len(items), 3)}, indent=2))


if __name__ == "__main__":
    main()
