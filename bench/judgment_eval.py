"""Judging our dialogues and answers with a candidate model, and choosing its context weights and thresholds.

Units are cut by the product's own segmenter; each chat turn carries the interviewer's words before
it as context and each written unit its heading, exactly as the evidence engine does it. The base
judgments are computed once per model; the context combiners and thresholds are then searched on
those arrays, which is cheap.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np

from mlsd.core.phases import PHASE_IDS
from mlsd.evidence.judgment import Context, Coverage, JudgmentModel, Thresholds, coverage_features
from mlsd.evidence.segmentation import segment, signpost
from mlsd.knowledge.embeddings import get_embedder

from .coverage import f1, score_decisions

UNIT_THRESHOLDS = (0.4, 0.5, 0.6, 0.7)
# Context moves a unit's judgment, never decides it: mild weights only. Stronger heading weights gained
# almost nothing in cross-validation on our answers (0.004 mean F1) and would let a broad heading such as
# "Scaling, monitoring and updates" carry whatever generic line sits under it.
CONTEXT_GRID = list(itertools.product((0.0, 0.5, 1.0, 1.5, 2.0), (-1.0, -0.5, 0.0)))


@dataclass
class JudgedText:
    """One chat turn or one written answer: its units' base judgments and their contexts' topics."""

    source: str
    phases: np.ndarray  # (units, 8) before context
    content: np.ndarray  # (units,)
    generic: np.ndarray  # (units,) P(a generic one-liner)
    topic: np.ndarray  # (units, 8) topic of each unit's context; zeros when it has none
    has_context: np.ndarray  # (units,) bool
    gold: set[str]  # chat turn: labelled phases
    generic_phases: set[str]
    labels: dict[str, str] | None = None  # written answer / whole dialogue: present | absent | uncertain
    group: str = ""  # the dialogue a turn belongs to
    texts: list[str] | None = None  # the units as written (for their signposts)


def judge_text(model: JudgmentModel, text: str, context: str, **fields) -> JudgedText:
    units = [u for u in segment(0, text) if u.usable]
    texts = [u.text for u in units]
    contexts = [u.heading or context for u in units]
    distinct = [c for c in dict.fromkeys(contexts) if c]
    vectors = get_embedder().embed(texts + distinct) if texts else np.zeros((0, 384))
    judged = model.judge(vectors[: len(texts)], texts)
    topics = dict(zip(distinct, model.context_topics(vectors[len(texts):], distinct))) if distinct else {}
    topic = np.vstack([topics.get(c, np.zeros(len(PHASE_IDS))) for c in contexts]) if texts else np.zeros((0, 8))
    return JudgedText(phases=judged.phases, content=judged.content, generic=judged.generic, topic=topic,
                      has_context=np.array([bool(c) for c in contexts], dtype=bool), texts=texts, **fields)


def judge_dialogues(model: JudgmentModel, dialogues) -> list[JudgedText]:
    out = []
    for d in dialogues:
        previous = ""
        for t in d.turns:
            if t.role == "interviewer":
                previous = t.content
                continue
            out.append(judge_text(model, t.content, previous, source=d.source, gold=set(t.phases),
                                  generic_phases=set(t.generic), group=d.id))
    return out


def judge_answers(model: JudgmentModel, answers) -> list[JudgedText]:
    return [judge_text(model, a.text, "", source=a.source, gold=set(), generic_phases=set(), labels=a.labels, group=str(a.path))
            for a in answers]


def combined(item: JudgedText, context: Context) -> np.ndarray:
    """The units' phases with their context applied, as the engine does it (signposts last)."""
    out = item.phases.copy()
    rows = item.has_context
    if rows.any():
        out[rows] = context.apply(item.phases[rows], item.content[rows], item.topic[rows])
    return JudgmentModel.signposted(out, item.content, [signpost(t) for t in item.texts], item.texts) \
        if item.texts else out


def best(item: JudgedText, context: Context) -> np.ndarray:
    probs = combined(item, context)
    return probs.max(axis=0) if len(probs) else np.zeros(len(PHASE_IDS))


def turn_scores(turns: list[JudgedText], context: Context, unit_t: float) -> dict:
    tp = fp = fn = 0
    for t in turns:
        predicted = {p for p, b in zip(PHASE_IDS, best(t, context)) if b >= unit_t}
        tp += len(predicted & t.gold)
        fp += len(predicted - t.gold - t.generic_phases)
        fn += len(t.gold - predicted)
    p, r, f = f1(tp, fp, fn)
    return {"turn_phase_f1": round(f, 3), "turn_precision": round(p, 3), "turn_recall": round(r, 3),
            "counts": (tp, fp, fn)}


def transcripts(turns: list[JudgedText], dialogues) -> list[tuple[str, np.ndarray, dict]]:
    """Chat turns regrouped into dialogues: (source, phases (units, 8) with context applied later, labels)."""
    by_id = {d.id: d for d in dialogues}
    grouped: dict[str, list[JudgedText]] = {}
    for t in turns:
        grouped.setdefault(t.group, []).append(t)
    return [(by_id[g].source, items, by_id[g].labels()) for g, items in grouped.items()]


def transcript_rows(answers: list[JudgedText], chats, question: Context, heading: Context) -> list[tuple]:
    """(coverage features (8, F), labels, source) per written answer and per dialogue."""
    rows = []
    for item in answers:
        rows.append((coverage_features(combined(item, heading), item.generic, item.content), item.labels, item.source))
    for source, items, labels in chats:
        stacked = [(combined(t, question), t.generic, t.content) for t in items if len(t.phases)]
        if stacked:
            phases, generic, content = (np.concatenate(parts) for parts in zip(*stacked))
            rows.append((coverage_features(phases, generic, content), labels, source))
    return rows


def _xy(rows) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(f[j], labels[p] == "present") for f, labels, _ in rows for j, p in enumerate(PHASE_IDS)
             if labels.get(p) in ("present", "absent")]
    return np.array([x for x, _ in pairs]), np.array([y for _, y in pairs], dtype=float)


def fit_coverage(rows, l2: float = 1.0) -> Coverage:
    """Logistic regression (Newton) of present-vs-absent labels on the coverage features."""
    x, y = _xy(rows)
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    reg = np.full(xb.shape[1], l2)
    reg[-1] = 1e-6
    for _ in range(30):
        p = 1 / (1 + np.exp(-xb @ w))
        step = np.linalg.solve((xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg), xb.T @ (p - y) + reg * w)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return Coverage([round(float(v), 5) for v in w[:-1]], round(float(w[-1]), 5))


def transcript_scores(rows, coverage: Coverage) -> dict:
    pairs = []
    for f, labels, _ in rows:
        prob = 1 / (1 + np.exp(-(f @ np.asarray(coverage.weights) + coverage.bias)))
        pairs += [(p, bool(prob[j] >= 0.5), labels[p]) for j, p in enumerate(PHASE_IDS)
                  if labels.get(p) in ("present", "absent")]
    s = score_decisions(pairs)
    return {"coverage_f1": s["coverage_f1"], "skipped_phase_f1": s["skipped_phase_f1"], "n_labels": s["n_labels"]}


def mean_f1(s: dict) -> float:
    return (s["coverage_f1"] + s["skipped_phase_f1"]) / 2


def choose_chat(turns: list[JudgedText]) -> tuple[Context, float]:
    """The question combiner and unit threshold with the best per-turn F1 on these turns."""
    options = [(Context(1.0, c, b), t) for (c, b) in CONTEXT_GRID for t in UNIT_THRESHOLDS]
    return max(options, key=lambda o: (turn_scores(turns, o[0], o[1])["turn_phase_f1"], -abs(o[1] - 0.5)))


def choose_transcript(answers: list[JudgedText], chats, question: Context) -> tuple[Context, Coverage]:
    """The heading combiner, and the coverage model fitted with it, with the best mean present/skipped F1."""
    best = None
    for cue, bias in CONTEXT_GRID:
        heading = Context(1.0, cue, bias)
        rows = transcript_rows(answers, chats, question, heading)
        coverage = fit_coverage(rows)
        score = mean_f1(transcript_scores(rows, coverage))
        if best is None or score > best[0]:
            best = (score, heading, coverage)
    return best[1], best[2]


def calibrated(model: JudgmentModel, turns: list[JudgedText], answers: list[JudgedText], dialogues) -> JudgmentModel:
    """`model` with its question/heading combiners, unit threshold and coverage model chosen on these (our) texts."""
    question, unit_t = choose_chat(turns)
    heading, coverage = choose_transcript(answers, transcripts(turns, dialogues), question)
    return replace(model, question=question, heading=heading, coverage=coverage, thresholds=Thresholds(unit=unit_t))
