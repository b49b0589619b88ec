"""How well `feedback.closeness_to` tells whether a candidate already made an expected point.

    python -m bench.point_made_eval [--json] [--data PATH]

The report's "what a strong answer adds" drops every expected point the candidate made, judged by
`closeness_to(statements)(point) >= feedback.POINT_MADE`. This script measures that decision on our
own labelled statements (bench/data/points_made.yaml, written for this project) and asks which
threshold the data would choose:

- at the shipped POINT_MADE: accuracy, precision and recall of "made", and accuracy per voice
  (terse, paraphrase, negation, ...), because the failures differ by how a statement is phrased;
- leave one problem out: the threshold is chosen on the other problems and applied to the held-out
  one, so the pooled accuracy never scores a threshold on the items that chose it. The in-sample
  best threshold is printed too; the gap between the two is how much the choice overfits;
- as the report applies it (`report_path`): the report scores only the units the evidence engine judges
  to be design content (`feedback.made_check`), so a question about the point or a deferral never
  counts as making it. The figures above score each statement whole, which isolates the scorer.

It reads the data and the scorer only; it never changes POINT_MADE.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from mlsd.content.problems import load_problems
from mlsd.grading import feedback
from mlsd.knowledge.embeddings import get_embedder

DATA = Path(__file__).resolve().parent / "data" / "points_made.yaml"
# Thresholds tried when fitting: the scorer's range is cosine (<= 1) plus term bonuses, but a
# threshold above 1.0 would only ever accept statements sharing distinctive words, never meaning.
GRID = [round(0.3 + 0.01 * i, 2) for i in range(71)]
VOICES = ("terse", "paraphrase", "bullet", "essay", "negation", "question", "near_miss", "other_phase")


@dataclass(frozen=True)
class Item:
    problem: str
    point: str
    text: str
    made: bool
    voice: str
    score: float = 0.0


def load_items(path: Path = DATA) -> list[Item]:
    """Every labelled statement, checked against the problem bank: a point that is not verbatim in its
    problem's expected points would measure nothing the report ever asks about."""
    problems = load_problems()
    items: list[Item] = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        problem, point = entry["problem"], entry["point"]
        if problem not in problems:
            raise ValueError(f"unknown problem {problem!r}")
        if not any(point in pts for pts in problems[problem].expected_points.values()):
            raise ValueError(f"{problem}: not an expected point verbatim: {point!r}")
        for it in entry["items"]:
            if it["voice"] not in VOICES or not isinstance(it["made"], bool):
                raise ValueError(f"{problem}: bad voice or label in {it!r}")
            items.append(Item(problem, point, it["text"].strip(), it["made"], it["voice"]))
    return items


def scored(items: list[Item]) -> list[Item]:
    """Each item with the shipped scorer's closeness of its statement alone to its point.

    Every text the scorer will embed (statements, their clauses, points) is embedded in one batched
    call first; the embedder keeps them, so the per-item calls below are cache hits."""
    pieces = {i.point for i in items}
    for i in items:
        pieces.add(i.text)
        pieces.update(feedback.clauses(i.text))
    get_embedder().embed(sorted(pieces))
    return [Item(i.problem, i.point, i.text, i.made, i.voice, feedback.closeness_to([i.text])(i.point))
            for i in items]


def accuracy(items: list[Item], threshold: float) -> float:
    return sum((i.score >= threshold) == i.made for i in items) / len(items) if items else 0.0


def best_threshold(items: list[Item]) -> float:
    """The grid threshold with the highest accuracy; ties go to the lowest, because erring towards
    "made" costs one missing suggestion while the other way contradicts what the candidate said."""
    return max(GRID, key=lambda t: (accuracy(items, t), -t))


def at_threshold(items: list[Item], threshold: float) -> dict:
    """Accuracy, precision and recall of "made", and accuracy per voice, at one threshold."""
    said = [i for i in items if i.score >= threshold]
    true_pos = sum(i.made for i in said)
    positives = sum(i.made for i in items)
    by_voice: dict[str, list[Item]] = defaultdict(list)
    for i in items:
        by_voice[i.voice].append(i)
    return {
        "threshold": threshold,
        "accuracy": round(accuracy(items, threshold), 3),
        "precision": round(true_pos / len(said), 3) if said else 0.0,
        "recall": round(true_pos / positives, 3) if positives else 0.0,
        "per_voice": {v: {"n": len(by_voice[v]), "accuracy": round(accuracy(by_voice[v], threshold), 3)}
                      for v in VOICES if by_voice[v]},
    }


def leave_one_problem_out(items: list[Item]) -> dict:
    """Pooled held-out accuracy when each problem's threshold is chosen on all the other problems."""
    right, chosen = 0, []
    for problem in sorted({i.problem for i in items}):
        held = [i for i in items if i.problem == problem]
        threshold = best_threshold([i for i in items if i.problem != problem])
        chosen.append(threshold)
        right += sum((i.score >= threshold) == i.made for i in held)
    return {"accuracy": round(right / len(items), 3), "mean_threshold": round(sum(chosen) / len(chosen), 3),
            "min_threshold": min(chosen), "max_threshold": max(chosen)}


def failures(items: list[Item], threshold: float, limit: int = 3) -> dict[str, list[dict]]:
    """The worst misses per voice (furthest from the threshold on the wrong side), to read by hand."""
    out: dict[str, list[dict]] = {}
    for voice in VOICES:
        wrong = [i for i in items if i.voice == voice and (i.score >= threshold) != i.made]
        wrong.sort(key=lambda i: -abs(i.score - threshold))
        if wrong:
            out[voice] = [{"problem": i.problem, "point": i.point, "text": i.text, "made": i.made,
                           "score": round(i.score, 3)} for i in wrong[:limit]]
    return out


def report_path(items: list[Item]) -> dict:
    """Accuracy, overall and per voice, of `feedback.made_check` on each statement judged as one chat turn."""
    from mlsd.content.rubrics import load_rubric
    from mlsd.evidence.engine import EvidenceEngine

    engines: dict[str, EvidenceEngine] = {}
    right: dict[str, list[bool]] = defaultdict(list)
    for i in items:
        engine = engines.setdefault(i.problem, EvidenceEngine(load_rubric(problem_id=i.problem)))
        made = feedback.made_check(engine.analyze([(1, i.text, "")]))(i.point) >= feedback.POINT_MADE
        right[i.voice].append(made == i.made)
    every = [r for rows in right.values() for r in rows]
    return {"accuracy": round(sum(every) / len(every), 3) if every else 0.0,
            "per_voice": {v: round(sum(right[v]) / len(right[v]), 3) for v in VOICES if right[v]}}


def figures(items: list[Item], with_report_path: bool = True) -> dict:
    best = best_threshold(items)
    return {
        "items": len(items),
        "made": sum(i.made for i in items),
        "problems": len({i.problem for i in items}),
        "points": len({(i.problem, i.point) for i in items}),
        "shipped": at_threshold(items, feedback.POINT_MADE),
        "leave_one_problem_out": leave_one_problem_out(items),
        "in_sample": {"threshold": best, "accuracy": round(accuracy(items, best), 3)},
        "failures": failures(items, feedback.POINT_MADE),
        **({"report_path": report_path(items)} if with_report_path else {}),
    }


def print_figures(f: dict) -> None:
    s, lopo, ins = f["shipped"], f["leave_one_problem_out"], f["in_sample"]
    print(f"{f['items']} statements ({f['made']} made) on {f['points']} points of {f['problems']} problems")
    print(f"\nshipped POINT_MADE = {s['threshold']}: accuracy {s['accuracy']:.3f}, "
          f"precision {s['precision']:.3f}, recall {s['recall']:.3f}")
    for voice, v in s["per_voice"].items():
        print(f"  {voice:<12} n={v['n']:<4} accuracy {v['accuracy']:.3f}")
    print(f"\nleave-one-problem-out: held-out accuracy {lopo['accuracy']:.3f}, mean chosen threshold "
          f"{lopo['mean_threshold']:.3f} (range {lopo['min_threshold']}-{lopo['max_threshold']})")
    print(f"in-sample best: threshold {ins['threshold']:.2f}, accuracy {ins['accuracy']:.3f}")
    if "report_path" in f:
        rp = f["report_path"]
        print(f"as the report applies it (design units only): accuracy {rp['accuracy']:.3f} ("
              + ", ".join(f"{v} {a:.3f}" for v, a in rp["per_voice"].items()) + ")")
    print("\nworst failures at the shipped threshold:")
    for voice, rows in f["failures"].items():
        for r in rows:
            print(f"  [{voice}] made={r['made']} score={r['score']:.2f}  {r['text']!r}\n      point: {r['point']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.point_made_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--data", type=Path, default=DATA, help="labelled YAML (default: %(default)s)")
    args = parser.parse_args(argv)
    f = figures(scored(load_items(args.data)))
    if args.json:
        print(json.dumps(f, indent=2))
    else:
        print_figures(f)


if __name__ == "__main__":
    main()
