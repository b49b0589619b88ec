"""The judgment's figures: how it generalises (cross-validated at training time), the gate, and its speed.

- Cross-validated figures come from the shipped model's own record (`python -m bench.train_judgment`
  holds out whole sources: clause sources, dialogue sources, answer sources), so no figure here is
  measured on text the model was fitted or calibrated on.
- The gate: our non-answers (everyday prose with ML words, salted word salad, buzzwords, talk about the
  interview, repeats, bare injections) must all be refused; our short real answers never.
- Speed against its floor: the seconds spent embedding units (the MiniLM floor) beside the total, for
  one interviewer turn and for grading the 40-turn transcript, each from a cold cache.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from mlsd.evidence.judgment import load_model
from mlsd.grading.grader import grade
from mlsd.grading.transcript import Transcript, Turn
from mlsd.knowledge.embeddings import get_embedder

from . import labelled
from .grading_bench import long_transcript


def cv_figures() -> dict:
    cv = load_model().meta.get("cv", {})
    chat, answers, units = cv.get("chat_cv", {}), cv.get("answer_cv", {}), cv.get("unit_cv", {})
    return {"chat_turn_f1_cv": chat.get("per_turn", {}).get("turn_phase_f1"),
            "chat_coverage_f1_cv": chat.get("transcript", {}).get("coverage_f1"),
            "chat_skipped_f1_cv": chat.get("transcript", {}).get("skipped_phase_f1"),
            "answers_coverage_f1_cv": answers.get("pooled", {}).get("coverage_f1"),
            "answers_skipped_f1_cv": answers.get("pooled", {}).get("skipped_phase_f1"),
            "unit_phase_f1_cv": units.get("unit_phase_f1"), "act_accuracy_cv": units.get("act_accuracy")}


def fresh_chat_figures(name: str = labelled.FRESH_DIALOGUES[0]) -> dict:
    """The shipped judgment on chat dialogues written after it was fitted (a file of labelled.FRESH_DIALOGUES):
    per-turn phase F1, as the cross-validation measures it, and each dialogue's coverage / skipped F1 as
    the grader reads the whole chat."""
    from mlsd.content.rubrics import load_rubric
    from mlsd.evidence import EvidenceEngine

    from .coverage import score_decisions
    from .judgment_eval import judge_dialogues, turn_scores

    model, dialogues = load_model(), labelled.fresh_dialogues(name)
    turns = turn_scores(judge_dialogues(model, dialogues), model.question, model.thresholds.unit)
    engine, pairs = EvidenceEngine(load_rubric()), []
    for d in dialogues:
        chat = Transcript(turns=[Turn(role=t.role, content=t.content) for t in d.turns])
        phases = engine.analyze(chat.candidate_turns_in_context()).phases()  # as the grader reads a chat
        pairs += [(p, phases[p].covered, label) for p, label in d.labels().items() if label != "uncertain"]
    whole = score_decisions(pairs)
    return {"dialogues": len(dialogues), "turns": sum(t.role == "candidate" for d in dialogues for t in d.turns),
            "chat_turn_f1_fresh": turns["turn_phase_f1"], "chat_coverage_f1_fresh": whole["coverage_f1"],
            "chat_skipped_f1_fresh": whole["skipped_phase_f1"]}


def proposal_figures() -> dict:
    """Design proposals put as questions ("What if we shard by user?"), judged as the engine reads them (as
    the statement proposed, segmentation.as_proposed): unit phase F1 against their labels, and the share
    read as design content at all. bench/data/proposals_fresh.yaml is never trained on."""
    from mlsd.evidence.segmentation import as_proposed

    model, items = load_model(), labelled.proposals()
    texts = [as_proposed(c.text) or c.text for c in items]
    judged = model.judge(get_embedder().embed(texts), texts)
    return {"proposals": len(items), "proposal_phase_f1": _unit_phase_f1(items, judged.phases, model.thresholds.unit),
            "proposal_read_as_design": round(float((judged.content >= 0.5).mean()), 3)}


def plain_talk_figures() -> dict:
    """Design said in plain talk, with no ML words ("what we'd learn from is every past order…"), and everyday
    sentences from the same trades: bench/data/plain_talk, written 2026-12-02, never trained on (fitting on
    them was tried and not kept: see bench/train_judgment.py). Unit phase F1 of the design clauses, the share
    of them read as design content, and the share of the everyday ones read as design content."""
    model, items = load_model(), labelled.plain_talk()
    texts = [c.text for c in items]
    judged = model.judge(get_embedder().embed(texts), texts)
    design = np.array([c.act in ("design", "assume") for c in items])
    read = judged.content >= 0.5
    return {"plain_talk": len(items), "plain_talk_phase_f1": _unit_phase_f1(items, judged.phases, model.thresholds.unit),
            "plain_talk_read_as_design": round(float(read[design].mean()), 3),
            "plain_everyday_read_as_design": round(float(read[~design].mean()), 3)}


def _unit_phase_f1(items, phases: np.ndarray, threshold: float) -> float:
    """Phase F1 of labelled units (each with `.phases`) judged `phases`, a phase read at `threshold`."""
    from mlsd.core.phases import PHASE_IDS

    from .coverage import f1

    tp = fp = fn = 0
    for item, row in zip(items, phases):
        predicted, gold = {p for p, v in zip(PHASE_IDS, row) if v >= threshold}, set(item.phases)
        tp, fp, fn = tp + len(predicted & gold), fp + len(predicted - gold), fn + len(gold - predicted)
    return round(f1(tp, fp, fn)[2], 3)


def gate_figures() -> dict:
    gate = labelled.gate()
    def refused(item) -> bool:
        report = grade(Transcript(problem=item.problem, turns=[Turn(role="candidate", content=item.text)]))
        return report.status == "insufficient_evidence"
    adversarial = [(i.id, i.kind, refused(i)) for i in gate.adversarial]
    real = [(i.id, refused(i)) for i in gate.short_real]
    return {"adversarial_refused": round(sum(r for *_, r in adversarial) / len(adversarial), 3),
            "short_real_refused": round(sum(r for _, r in real) / len(real), 3),
            "adversarial": len(adversarial), "short_real": len(real),
            "adversarial_graded": [f"{i} ({k})" for i, k, r in adversarial if not r],
            "short_real_refused_ids": [i for i, r in real if r]}


def _embedding_seconds() -> float:
    return get_embedder().seconds


def grade_speed(runs: int = 3) -> dict:
    """The 40-turn transcript graded from a cold embedding cache: total seconds and embedding seconds."""
    transcript = long_transcript(40)
    grade(transcript)  # rubric prototypes and the model loaded once, as in a running app
    totals, embeds = [], []
    for _ in range(runs):
        get_embedder().cache_clear()
        e0, t0 = _embedding_seconds(), time.perf_counter()
        grade(transcript)
        totals.append(time.perf_counter() - t0)
        embeds.append(_embedding_seconds() - e0)
    total, embedding = statistics.median(totals), statistics.median(embeds)
    return {"grade_40_turns_s": round(total, 3), "grade_40_turns_embedding_s": round(embedding, 3),
            "grade_overhead_ratio": round(total / embedding, 3) if embedding else None,
            "units_words": sum(len(t.content.split()) for t in transcript.turns if t.role == "candidate")}


def turn_speed(texts: list[str]) -> dict:
    """Interviewer turns (offline): each turn's total time and the part spent embedding its new units."""
    from mlsd.interview.interviewer import Interviewer
    from mlsd.interview.sessions import SessionStore

    totals, embeds = [], []
    get_embedder().cache_clear()  # as in a fresh process: earlier parts of the bench embedded these turns
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp) / "bench.db")
        iv = Interviewer.start(store, problem_id="bank_fraud_detection", time_budget_min=240)
        iv.respond("Let me start with the goal.")  # load the model and the rubric once
        for text in texts:
            if iv.state.status == "wrapped":
                iv.state.status = "active"
            e0, t0 = _embedding_seconds(), time.perf_counter()
            iv.respond(text)
            totals.append(time.perf_counter() - t0)
            embeds.append(_embedding_seconds() - e0)
        store.close()
    total, embedding = sum(totals), sum(embeds)
    return {"turn_ms_p50": round(1000 * statistics.median(totals), 1),
            "turn_embedding_ms_p50": round(1000 * statistics.median(embeds), 1),
            "turn_overhead_ratio": round(total / embedding, 3) if embedding else None, "turns": len(totals)}
