"""Fit the evidence engine's coverage calibration on OUR labelled answers (bench/data/answers).

    python -m bench.calibrate [--corpus DIR] [--write]

Scores every answer's units once, then searches the unit-level parameters and fits a small
logistic model (shared weights, optional per-phase bias) on the phase features, choosing by
leave-one-answer-out cross-validation of mean(coverage F1, skipped-phase F1). `--write` saves
the result to src/mlsd/data/coverage_model.json. Never point it at the held-out corpus.
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import asdict, replace

import numpy as np

from mlsd.evidence import CALIBRATION_PATH, Calibration, EvidenceEngine
from mlsd.core.phases import PHASE_IDS
from mlsd.content.rubrics import load_rubric

from .corpus import OURS, load_corpus
from .coverage import score_decisions

FEATURES = ["top1", "top2", "count", "terms", "words"]


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> np.ndarray:
    """Newton's method with an L2 penalty (not on the intercept, column 0)."""
    w = np.zeros(X.shape[1])
    reg = np.full(X.shape[1], l2)
    reg[0] = 1e-6
    for _ in range(iters):
        p = 1 / (1 + np.exp(-X @ w))
        grad = X.T @ (p - y) + reg * w
        H = X.T @ (X * (p * (1 - p))[:, None]) + np.diag(reg)
        step = np.linalg.solve(H, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def design(rows, phase_bias: bool) -> np.ndarray:
    cols = [[1.0] + [r["f"][k] for k in FEATURES] + ([float(r["phase"] == p) for p in PHASE_IDS] if phase_bias else [])
            for r in rows]
    return np.array(cols)


def rows_for(engine: EvidenceEngine, states, answers) -> list[dict]:
    rows = []
    for ai, (state, answer) in enumerate(zip(states, answers)):
        for i, phase in enumerate(PHASE_IDS):
            label = answer.labels.get(phase)
            if label in ("present", "absent"):
                rows.append({"answer": ai, "phase": phase, "y": float(label == "present"),
                             "f": engine.phase_features(state.units, i)})
    return rows


def to_calibration(base: Calibration, w: np.ndarray, phase_bias: bool) -> Calibration:
    weights = {k: float(w[1 + j]) for j, k in enumerate(FEATURES)}
    biases = {p: float(w[1 + len(FEATURES) + j]) for j, p in enumerate(PHASE_IDS)} if phase_bias else {}
    return replace(base, weights=weights, bias=float(w[0]), phase_bias=biases)


def cross_validate(rows, phase_bias: bool, l2: float) -> float:
    answers = sorted({r["answer"] for r in rows})
    pairs = []
    for held in answers:
        train = [r for r in rows if r["answer"] != held]
        test = [r for r in rows if r["answer"] == held]
        w = fit_logistic(design(train, phase_bias), np.array([r["y"] for r in train]), l2)
        probs = 1 / (1 + np.exp(-design(test, phase_bias) @ w))
        pairs += [(r["phase"], bool(p >= 0.5), "present" if r["y"] else "absent") for r, p in zip(test, probs)]
    s = score_decisions(pairs)
    return (s["coverage_f1"] + s["skipped_phase_f1"]) / 2


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=str(OURS))
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    answers = load_corpus(args.corpus)
    engine = EvidenceEngine(load_rubric(), Calibration())
    states = [engine.analyze([(0, a.text)]) for a in answers]
    best = None
    grid = itertools.product([0.3, 0.35, 0.4], [0.45, 0.5, 0.55, 0.6], [0.04, 0.08, 0.12], [0.03, 0.05, 0.08],
                             [False, True], [0.3, 1.0, 3.0])
    for thr, alone, margin, lw, pb, l2 in grid:
        engine.cal = replace(Calibration(), unit_threshold=thr, sim_alone=alone, margin=margin, lex_weight=lw)
        rows = rows_for(engine, states, answers)
        score = cross_validate(rows, pb, l2)
        if best is None or score > best[0]:
            best = (score, engine.cal, pb, l2, rows)
    score, cal, pb, l2, rows = best
    w = fit_logistic(design(rows, pb), np.array([r["y"] for r in rows]), l2)
    final = to_calibration(cal, w, pb)
    print(f"answers={len(answers)} labels={len(rows)} cv_mean_f1={score:.3f} phase_bias={pb} l2={l2}")
    print(json.dumps(asdict(final), indent=2))
    if args.write:
        CALIBRATION_PATH.write_text(json.dumps(asdict(final), indent=2) + "\n")
        print(f"wrote {CALIBRATION_PATH}")


if __name__ == "__main__":
    main()
