"""Fit the grader's talk filter (src/mlsd/evidence/talk.py) on OUR data and report how it generalises.

    python -m bench.train_gate [--write] [--no-docs]

Design statements: the design and assumption clauses of bench/data/clauses that are not generic.
Talk that designs nothing: the off-topic clauses there plus the talk groups of
bench/data/gate_clauses.yaml (essays, press releases, reports, stories and everyday prose that use ML
words); its design groups add choices put in plain words. Validation holds out one whole
group at a time (a clause source or a talk genre), never random sentences. Whole texts are then
checked as the grader reads them: our answers and dialogues must all stay gradable, and
bench/data/gate_dev*.yaml (the sets the refusal rule is chosen on) show how many
non-answers it now refuses.
bench/data/gate_fresh.yaml is not used here: it is the held-out figure `mlsd bench` reports. Never point
this at ../shared/eval-corpus.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, replace

import numpy as np

from mlsd.evidence.talk import TALK_FILTER_PATH, TalkFilter, talk_features
from mlsd.knowledge.embeddings import get_embedder

from . import labelled
from .train_judgment import turn_units

L2 = 1.0  # on the class-balanced mean loss × n: strong enough that no single writer's phrasing dominates
KEEP_DESIGN = 0.95


@dataclass(frozen=True)
class Sentence:
    text: str
    design: bool
    group: str


def sentences() -> list[Sentence]:
    out = [Sentence(c.text, True, c.source) for c in labelled.clauses() if c.act in labelled.CONTENT_ACTS
           and not c.generic]
    # Chat turns that are one design unit: plain and terse voices the clause files have fewer of.
    out += [Sentence(u.text, True, u.source) for u in turn_units(labelled.dialogues()) if u.phases and not u.generic]
    out += [Sentence(c.text, False, c.source + "_offtopic") for c in labelled.clauses() if c.act == "offtopic"]
    out += [Sentence(s.text, s.design, s.group) for s in labelled.gate_clauses()]
    return out


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 25) -> TalkFilter:
    """Class-balanced L2 logistic regression by Newton steps (a few hundred unknowns: exact and fast)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    weight = np.where(y == 1, 0.5 / max(1, y.sum()), 0.5 / max(1, (1 - y).sum())) * len(y)
    beta = np.zeros(xb.shape[1])
    ridge = np.full(xb.shape[1], l2)
    ridge[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(xb @ beta)))
        gradient = xb.T @ (weight * (p - y)) + ridge * beta
        hessian = (xb * (weight * p * (1 - p))[:, None]).T @ xb + np.diag(ridge)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return TalkFilter(beta[:-1], float(beta[-1]))


def group_cv(items: list[Sentence], x: np.ndarray) -> dict:
    """Hold out one whole group at a time. The veto threshold is then chosen on these held-out
    probabilities: the filter may only veto where it keeps KEEP_DESIGN of the design sentences it never
    saw, because a vetoed design statement can cost a real answer its grade. Reported per group: the
    share read as design at that threshold (a design source should be near 1, a talk genre near 0)."""
    y = np.array([s.design for s in items], dtype=float)
    groups = np.array([s.group for s in items])
    held_out = np.zeros(len(y))
    for group in sorted(set(groups)):
        held = groups == group
        held_out[held] = fit(x[~held], y[~held]).probability(x[held])
    threshold = float(np.quantile(held_out[y == 1], 1 - KEEP_DESIGN))
    out = {g: {"design": bool(y[groups == g][0]), "n": int((groups == g).sum()),
               "read_as_design": round(float((held_out[groups == g] >= threshold).mean()), 3)} for g in sorted(set(groups))}
    return {"threshold": round(threshold, 3), "groups": out,
            "design_recall": round(float((held_out[y == 1] >= threshold).mean()), 3),
            "talk_read_as_design": round(float((held_out[y == 0] >= threshold).mean()), 3)}


def whole_texts(items: list[Sentence], x: np.ndarray, threshold: float) -> dict:
    """Our texts as the grader reads them: every real one must stay gradable. A dialogue is read by the
    filter fitted without its source's turns."""
    from mlsd.content.problems import resolve_problem, rubric_for
    from mlsd.evidence import EvidenceEngine
    from mlsd.grading.grader import insufficient_reason
    from mlsd.grading.transcript import Transcript, Turn

    y, groups = np.array([s.design for s in items], dtype=float), np.array([s.group for s in items])
    filters = {g: replace(fit(x[groups != g], y[groups != g]), threshold=threshold)
               for g in {d.source for d in labelled.dialogues()}}
    filters[None] = replace(fit(x, y), threshold=threshold)

    def refused(problem: str | None, turns: list[tuple[str, str]], source: str | None = None) -> bool:
        transcript = Transcript(problem=problem or "custom", turns=[Turn(role=r, content=c) for r, c in turns])
        state = EvidenceEngine(rubric_for(resolve_problem(transcript.problem), None)).analyze(
            transcript.candidate_turns_in_context())
        return insufficient_reason(transcript, state, filters.get(source, filters[None])) is not None

    real = {a.path.name: refused(None, [("candidate", a.text)]) for a in labelled.answers()}
    for d in list(labelled.dialogues()) + [d for name in labelled.FRESH_DIALOGUES for d in labelled.fresh_dialogues(name)]:
        real[d.id] = refused(d.problem, [(t.role, t.content) for t in d.turns], d.source)
    dev = labelled.gate(dev=True)
    real |= {i.id: refused(i.problem, [("candidate", i.text)]) for i in dev.short_real}
    adversarial = {f"{i.id} ({i.kind})": refused(i.problem, [("candidate", i.text)]) for i in dev.adversarial}
    return {"real_texts": len(real), "real_refused": sorted(k for k, v in real.items() if v),
            "dev_adversarial_refused": round(sum(adversarial.values()) / len(adversarial), 3),
            "dev_adversarial_graded": sorted(k for k, v in adversarial.items() if not v)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"save the filter fitted on everything to {TALK_FILTER_PATH}")
    parser.add_argument("--no-docs", action="store_true", help="skip the whole-text check")
    args = parser.parse_args()
    items = sentences()
    x = talk_features(get_embedder().embed([s.text for s in items]), [s.text for s in items])
    y = np.array([s.design for s in items], dtype=float)
    report = {"sentences": len(items), "design": int(y.sum()), "talk": int(len(y) - y.sum()), "cv": group_cv(items, x)}
    model = replace(fit(x, y), threshold=report["cv"]["threshold"])
    if not args.no_docs:
        report["whole_texts"] = whole_texts(items, x, model.threshold)
    if args.write:
        meta = {k: report[k] for k in ("sentences", "design", "talk")} | {
            "design_recall_cv": report["cv"]["design_recall"], "talk_read_as_design_cv": report["cv"]["talk_read_as_design"]}
        TALK_FILTER_PATH.write_text(json.dumps(model.to_dict(meta)) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
