"""Phase-coverage quality of the offline evidence engine on a labelled corpus.

`coverage_f1`: `covered` against the labels, present = positive (uncertain left out).
`skipped_phase_f1`: the same decisions with absent as the positive class — what the
interviewer's follow-ups depend on.
"""

from __future__ import annotations

from pathlib import Path

from mlsd.evidence import EvidenceEngine
from mlsd.core.phases import PHASE_IDS
from mlsd.content.rubrics import load_rubric

from .corpus import LabelledAnswer, load_corpus


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_decisions(pairs: list[tuple[str, bool, str]]) -> dict:
    """pairs: (phase, predicted covered, label). Returns overall and per-phase figures."""
    out: dict = {"per_phase": {}}
    for positive, name in ((True, "coverage"), (False, "skipped_phase")):
        tp = sum(1 for _, c, l in pairs if c == positive and l == ("present" if positive else "absent"))
        fp = sum(1 for _, c, l in pairs if c == positive and l == ("absent" if positive else "present"))
        fn = sum(1 for _, c, l in pairs if c != positive and l == ("present" if positive else "absent"))
        p, r, f = f1(tp, fp, fn)
        out[f"{name}_precision"], out[f"{name}_recall"], out[f"{name}_f1"] = round(p, 3), round(r, 3), round(f, 3)
    for phase in PHASE_IDS:
        sub = [(ph, c, l) for ph, c, l in pairs if ph == phase]
        tp = sum(1 for _, c, l in sub if c and l == "present")
        fp = sum(1 for _, c, l in sub if c and l == "absent")
        fn = sum(1 for _, c, l in sub if not c and l == "present")
        p, r, f = f1(tp, fp, fn)
        out["per_phase"][phase] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3),
                                   "absent": sum(1 for *_, l in sub if l == "absent"),
                                   "absent_caught": sum(1 for _, c, l in sub if not c and l == "absent")}
    out["n_labels"] = sum(1 for *_, l in pairs if l in ("present", "absent"))
    return out


def evaluate_corpus(answers: list[LabelledAnswer], engine: EvidenceEngine | None = None) -> dict:
    engine = engine or EvidenceEngine(load_rubric())
    pairs = []
    for answer in answers:
        phases = engine.analyze([(0, answer.text)]).phases()
        for phase, label in answer.labels.items():
            if label != "uncertain":
                pairs.append((phase, phases[phase].covered, label))
    return score_decisions(pairs)


def coverage_figures(folder: Path | str) -> dict:
    answers = load_corpus(folder)
    result = evaluate_corpus(answers, EvidenceEngine(load_rubric()))
    result["answers"] = len(answers)
    return result
