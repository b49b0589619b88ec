"""Interviewer benchmarks: skipped-phase probing, per-turn overhead, prompt size at turn 40.

skip_probe: for each labelled answer and each phase labelled present, remove every paragraph in
which the evidence engine finds that phase, replay the rest as one candidate turn, then reply once
with a neutral, content-free answer. The two follow-ups (to the answer, to the neutral reply)
should target the removed phase (`skip_probe_recall`, over "clean" cases where no other phase was
labelled absent; `skip_probe_recall_all_cases` over all) and should not target a phase the text
covers well (`false_probe_rate`: share of follow-ups aimed at another phase labelled present). Where
another phase is missing too, asking about it first is no error the interviewer could avoid (it cannot
know which was cut): `misses_to_another_gap` counts those misses.

A paragraph removed for one phase can hold the only mention of another ("we log impressions and
train daily" is data and modeling): that phase is then gone from the replayed text too, so a
follow-up about it is right, not a false probe, and a case that lost one is not "clean" (the
removed phase is no longer the only one to chase). Both are decided from the same paragraph
ownership as the removal; `collateral_cases` counts them.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path


from mlsd.evidence import EvidenceEngine
from mlsd.interview.interviewer import Interviewer
from mlsd.core.phases import PHASE_IDS
from mlsd.content.rubrics import load_rubric
from mlsd.interview.sessions import SessionStore
from mlsd.knowledge.embeddings import get_embedder

from .corpus import LabelledAnswer

NEUTRAL = ["Let me think about that for a second.", "Good point, I have not decided that part yet."]


def paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks; a heading starts a new block."""
    blocks, cur = [], []
    for line in text.splitlines():
        if not line.strip() or re.match(r"^\s*#{1,6}\s", line):
            if cur:
                blocks.append("\n".join(cur))
                cur = []
            if line.strip():
                cur.append(line)
            continue
        cur.append(line)
    if cur:
        blocks.append("\n".join(cur))
    return [b for b in blocks if b.strip()]


def block_phases(engine: EvidenceEngine, block: str) -> set[str]:
    """Phases with at least one evidence unit in this block: removing a phase removes all of them."""
    return {p for p, ev in engine.analyze([(0, block)]).phases().items() if ev.units}


def replay(store: SessionStore, statement: str, turns: list[str], extra: list[str]) -> list:
    iv = Interviewer.start(store, problem_text=statement[:3900] or "Design an ML system.", time_budget_min=240)
    results = []
    for text in turns + extra:
        if iv.state.status == "wrapped":
            break
        results.append(iv.respond(text))
    return results, iv


def skip_probe(answers: list[LabelledAnswer], max_cases: int | None = None) -> dict:
    engine = EvidenceEngine(load_rubric())
    hits, cases, false_probes, followups, clean_cases, clean_hits, collateral, other_gap = 0, 0, 0, 0, 0, 0, 0, 0
    details = []
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp) / "bench.db")
        for answer in answers:
            blocks = paragraphs(answer.text)
            owner = [block_phases(engine, b) for b in blocks]
            for phase in PHASE_IDS:
                if answer.labels.get(phase) != "present" or not any(phase in o for o in owner):
                    continue
                if max_cases is not None and cases >= max_cases:
                    break
                kept = [b for b, o in zip(blocks, owner) if phase not in o]
                if not kept:
                    continue
                still = set().union(*(o for o in owner if phase not in o))
                lost = {p for p in PHASE_IDS if p != phase and answer.labels.get(p) == "present" and p not in still}
                collateral += bool(lost)
                # The reduced answer is one candidate turn (as the grader sees a written answer); the
                # follow-ups are the reply to it and the reply after a neutral, content-free answer.
                results, _ = replay(store, answer.problem, ["\n\n".join(kept)], NEUTRAL[:1])
                after = results[:2]
                targets = [r.target_phase for r in after]
                cases += 1
                ok = len(targets) == 2 and all(t == phase for t in targets)
                hits += ok
                # a miss that went to another gap the text really has (labelled absent or generic only, or
                # lost with the removed paragraphs): the interviewer cannot know which one was cut
                other_gap += not ok and bool(targets) and all(
                    t and t != phase and (answer.labels.get(t) != "present" or t in lost) for t in targets)
                # "clean": every other phase was labelled present or uncertain, so the removed one is
                # the only phase the interviewer should be chasing
                clean = not lost and all(answer.labels.get(p) != "absent" for p in PHASE_IDS if p != phase)
                clean_cases += clean
                clean_hits += clean and ok
                for t in targets:
                    followups += 1
                    if t and t != phase and answer.labels.get(t) == "present" and t not in lost:
                        false_probes += 1
                details.append({"answer": answer.path.name, "removed": phase, "targets": targets, "ok": ok,
                                "clean": clean})
        store.close()
    return {"skip_probe_recall": round(clean_hits / clean_cases, 3) if clean_cases else None,
            "skip_probe_recall_all_cases": round(hits / cases, 3) if cases else None, "clean_cases": clean_cases,
            "false_probe_rate": round(false_probes / followups, 3) if followups else None,
            "cases": cases, "collateral_cases": collateral, "misses_to_another_gap": other_gap, "details": details}


def turn_overhead(answers: list[LabelledAnswer], turns: int = 40, database: str | None = None) -> dict:
    """Non-LLM work per interviewer turn (evidence, state, persistence), offline backend.

    The session store is a SQLite file in a temp folder, or `database` (e.g. a PostgreSQL URL)."""
    texts = [b for a in answers for b in paragraphs(a.text)][: turns * 3]
    times, floor = [], []  # floor: the part of each turn spent embedding
    # each store's run starts from an empty embedding cache, so the second run (PostgreSQL after SQLite)
    # pays for embedding the same texts too and the two figures compare the stores alone
    get_embedder().cache_clear()
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(database or Path(tmp) / "bench.db")
        iv = Interviewer.start(store, problem_id="bank_fraud_detection", time_budget_min=240)
        iv.respond("Let me start with the goal.")  # warm the embedder and rubric model
        for text in texts[:turns]:
            if iv.state.status == "wrapped":
                iv.state.status = "active"
            e, t = get_embedder().seconds, time.perf_counter()
            iv.respond(text)
            times.append((time.perf_counter() - t) * 1000)
            floor.append((get_embedder().seconds - e) * 1000)
        store.close()
    times.sort()
    return {"turn_overhead_ms_p50": round(statistics.median(times), 1),
            "turn_overhead_ms_p95": round(times[int(0.95 * (len(times) - 1))], 1), "turns": len(times),
            "embedding_ms_p50": round(statistics.median(floor), 1)}


def prompt_tokens_at_turn(answers: list[LabelledAnswer], turn: int = 40) -> dict:
    texts = [b for a in answers for b in paragraphs(a.text)]
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp) / "bench.db")
        iv = Interviewer.start(store, problem_id="ecommerce_recommendations", time_budget_min=240)
        action = None
        for text in texts[:turn]:
            if iv.state.status == "wrapped":
                iv.state.status = "active"
            action = iv.plan(text)
            list(iv.deliver(action))
        prompt = iv.prompt(action)
        store.close()
    tokens = sum(get_embedder().count_tokens(content) for _, content in prompt)
    return {"prompt_tokens_turn_40": tokens, "candidate_turns": min(turn, len(texts))}


if __name__ == "__main__":
    import json
    import sys

    from .corpus import OURS, load_corpus

    folder = sys.argv[1] if len(sys.argv) > 1 else str(OURS)
    answers = load_corpus(folder)
    res = skip_probe(answers)
    print(json.dumps({k: v for k, v in res.items() if k != "details"}))
    for d in res["details"]:
        if not d["ok"]:
            print(d)
