"""Which rubric criterion a statement is evidence for: the report's per-criterion levels, quotes and
"missing" lists all come from this assignment (mlsd.evidence.criteria).

    python -m bench.criteria_bench [--json]

bench/data/criteria_fresh.yaml holds 72 statements of ours labelled with the criteria they serve, three per
phase criterion, written before the criteria's chat-voice examples and never fitted on. The eight examples
per criterion of rubrics/criterion_examples.yaml (2026-12-02) were written by helpers who never read it; measured
once after they were added: recall 0.712 -> 0.781, precision 0.765 -> 0.792; with only questions and
assumptions as evidence for the clarifying-questions criterion, 0.781 / 0.803; unchanged by the `names` of
the model-choice and fallback criteria. Each is judged as a
candidate turn of its own, exactly as the grader judges one:
- criterion_recall: labelled (statement, criterion) pairs the statement is assigned to;
- criterion_precision: of the criteria of the statement's phase it is assigned to, the share labelled;
- phase_found: statements whose labelled phase the judgment finds at all (a statement the judgment puts in
  no phase is evidence for none of its criteria, so this bounds the recall).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

from mlsd.content.rubrics import load_rubric
from mlsd.evidence.engine import EvidenceEngine

DATA = Path(__file__).resolve().parent / "data" / "criteria_fresh.yaml"


def load_items(path: Path = DATA) -> list[dict]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    known = {c.id: d.phase for d, c in load_rubric("base").criteria()}
    for n, item in enumerate(items):
        wrong = [c for c in item["criteria"] if known.get(c) != item["phase"]]
        if wrong:
            raise ValueError(f"{path}: item {n + 1}: {wrong} not criteria of phase {item['phase']!r} in rubrics/base.yaml")
    return items


def criterion_figures(items: list[dict] | None = None) -> dict:
    items = load_items() if items is None else items
    engine = EvidenceEngine(load_rubric("base"))
    matcher = engine.matcher
    hits = labelled = assigned_own = assigned_right = found = 0
    misses = []
    for item in items:
        state = engine.analyze([(0, item["text"])])
        units = state.units
        scores, terms = matcher.scores(units) if units else (None, None)
        assignment = matcher.assignments(units, scores, terms) if units else {}
        got = {matcher.criteria[j][1].id for j, pairs in assignment.items() if pairs}
        own = {c.id for d, c in matcher.criteria if d.phase == item["phase"]}
        found += item["phase"] in {p for u in units for p in engine.turn_phases([u])}
        want = set(item["criteria"])
        hits, labelled = hits + len(want & got), labelled + len(want)
        assigned_own, assigned_right = assigned_own + len(got & own), assigned_right + len(got & own & want)
        if want - got:
            misses.append(f"{item['text'][:70]!r}: want {sorted(want - got)}, got {sorted(got & own)}")
    return {"criterion_recall": round(hits / labelled, 3), "criterion_precision": round(assigned_right / max(assigned_own, 1), 3),
            "phase_found": round(found / len(items), 3), "statements": len(items), "misses": misses}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    figures = criterion_figures()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print({k: v for k, v in figures.items() if k != "misses"})
    print("\n".join(figures["misses"]))


if __name__ == "__main__":
    main()
