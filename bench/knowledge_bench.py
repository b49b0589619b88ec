"""Knowledge index benchmark: retrieval hit@k, answer match, out-of-scope refusal, cold and warm build times.

    .venv/bin/python -m bench.knowledge_bench [--k 5]

Questions come from bench/data/concept_questions.yaml (`questions: [{q, expect: [paths] |
"out_of_scope", terms: [...]}]`). A question is a hit when any expected note is among the top-k
distinct notes; its answer matches when the offline answer text contains every labelled term.
Everything runs against a fresh temporary MLSD_HOME, so the developer's own index is untouched.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from pathlib import Path

import yaml
from pydantic import BaseModel

from mlsd.core.config import Settings
from mlsd.core.text import normalise
from mlsd.knowledge.ask import IN_SCOPE_THRESHOLD, ask, scope_score
from mlsd.knowledge.index import KnowledgeIndex, ensure_index

QUESTIONS = Path(__file__).resolve().parent / "data" / "concept_questions.yaml"
FRESH_QUESTIONS = Path(__file__).resolve().parent / "data" / "concept_questions_fresh.yaml"
# Written blind on 2026-12-01, after FRESH_QUESTIONS had been read to diagnose misses: the held-out set now.
FRESH_2_QUESTIONS = Path(__file__).resolve().parent / "data" / "concept_questions_fresh_2.yaml"
CHUNK_POOL = 40  # chunks fetched per question before collapsing to distinct notes


class LabelledQuestion(BaseModel):
    q: str
    expect: list[str] | str  # note paths, or "out_of_scope"
    terms: list[str] = []  # what a correct answer says; "a|b" alternatives, "calibrat*" a word prefix

    @property
    def out_of_scope(self) -> bool:
        return self.expect == "out_of_scope"


def load_questions(path: Path = QUESTIONS) -> list[LabelledQuestion]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [LabelledQuestion.model_validate(item) for item in data["questions"]]


def bench_settings(home: Path) -> Settings:
    return Settings(home=home, llm="offline", chroma_host=None, embeddings_base_url=None)


def distinct_notes(index: KnowledgeIndex, question: str, k: int) -> list[str]:
    paths: list[str] = []
    for hit in index.search(question, k=CHUNK_POOL):
        if hit.path not in paths:
            paths.append(hit.path)
    return paths[:k]


def retrieval_hit_at_k(k: int = 5, settings: Settings | None = None) -> dict:
    """hit@k over in-scope questions; refusal rate over out-of-scope ones (ask's threshold)."""
    temp = None
    if settings is None:
        temp = Path(tempfile.mkdtemp(prefix="mlsd-bench-"))
        settings = bench_settings(temp)
    try:
        index = ensure_index(settings)
        questions = load_questions()
        hits, misses, in_scores, out_scores, false_refusals, leaks = 0, [], [], [], [], []
        for item in questions:
            scope = scope_score(index.search(item.q, k=5))
            if item.out_of_scope:
                out_scores.append(scope)
                if scope >= IN_SCOPE_THRESHOLD:
                    leaks.append(f"{item.q} ({scope:.3f})")
                continue
            in_scores.append(scope)
            if scope < IN_SCOPE_THRESHOLD:
                false_refusals.append(f"{item.q} ({scope:.3f})")
            top = distinct_notes(index, item.q, k)
            if any(path in item.expect for path in top):
                hits += 1
            else:
                misses.append(f"{item.q} -> {top[:3]}")
        lowest_in, highest_out = min(in_scores, default=0.0), max(out_scores, default=0.0)
        return {
            "k": k,
            "in_scope_questions": len(in_scores),
            "hit_at_k": round(hits / max(len(in_scores), 1), 4),
            "misses": misses,
            "out_of_scope_questions": len(out_scores),
            "refusal_rate": round(1 - len(leaks) / max(len(out_scores), 1), 4),
            "in_scope_pass_rate": round(1 - len(false_refusals) / max(len(in_scores), 1), 4),
            "threshold": IN_SCOPE_THRESHOLD,
            "lowest_in_scope_score": round(lowest_in, 4),
            "highest_out_of_scope_score": round(highest_out, 4),
            # Midway between the classes; only meaningful when they are separable.
            "suggested_threshold": round((lowest_in + highest_out) / 2, 4) if lowest_in > highest_out else None,
            "false_refusals": false_refusals,
            "leaks": leaks,
        }
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")


def term_found(term: str, text: str) -> bool:
    """Any "|" alternative of `term` in `text` as whole words, case and punctuation ignored ("x*": a prefix)."""
    words = f" {normalise(_POSSESSIVE.sub('', text))} "  # "the teacher's scores" names the teacher
    for alternative in term.split("|"):
        prefix = alternative.endswith("*")
        wanted = normalise(alternative.rstrip("*"))
        if wanted and f" {wanted}{'' if prefix else ' '}" in words:
            return True
    return False


def answer_match(settings: Settings, limit: int | None = None, path: Path = QUESTIONS) -> dict:
    """Share of labelled in-scope questions whose offline answer text has every expected term."""
    labelled = [q for q in load_questions(path) if not q.out_of_scope and q.terms][:limit]
    matched, misses, not_answered, sentences = 0, [], [], []
    for item in labelled:
        answer = ask(item.q, settings=settings)
        missing = [t for t in item.terms if not term_found(t, answer.answer)]
        matched += not missing
        if missing:
            where = repr(answer.sources[0].heading) if answer.sources else "nowhere: refused as out of scope"
            misses.append(f"{item.q} -> missing {missing} (answered from {where})")
        if not answer.answered:
            not_answered.append(item.q)
        else:
            sentences.append(len(re.findall(r"\[\d+\]", answer.answer)))
    return {"questions": len(labelled), "answer_match": round(matched / max(len(labelled), 1), 4),
            "not_answered": not_answered, "misses": misses,
            "sentences": {n: sentences.count(n) for n in sorted(set(sentences))}}


def index_timings(home: Path | None = None) -> dict:
    """Cold build into an empty MLSD_HOME, then a warm build with nothing changed."""
    temp = None
    if home is None:
        home = temp = Path(tempfile.mkdtemp(prefix="mlsd-bench-"))
    try:
        settings = bench_settings(home)
        started, cpu_started = time.perf_counter(), time.process_time()
        cold = KnowledgeIndex(settings).build()
        cold_wall, cold_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        warm = KnowledgeIndex(settings).build()  # a fresh object: nothing cached but the client
        return {
            "notes": len(cold.added_files),
            "cold_seconds": round(cold_wall, 2),
            # CPU time summed over threads: wall time on a busy machine says little on its own.
            "cold_cpu_seconds": round(cold_cpu, 2),
            "cold_chunks_embedded": cold.chunks_embedded,
            "warm_seconds": warm.seconds,
            "warm_chunks_embedded": warm.chunks_embedded,
            "errors": cold.errors,
        }
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="mlsd-bench-"))
    try:
        timings = index_timings(home)  # leaves a built index in `home` for the retrieval run
        retrieval = retrieval_hit_at_k(args.k, bench_settings(home))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    rows = [
        (f"hit@{args.k} (offline, {retrieval['in_scope_questions']} questions)", f"{retrieval['hit_at_k']:.3f}", "≥ 0.90"),
        (f"out-of-scope refusal ({retrieval['out_of_scope_questions']} questions)", f"{retrieval['refusal_rate']:.3f}", "1.00"),
        ("in-scope questions passing the threshold", f"{retrieval['in_scope_pass_rate']:.3f}", "1.00"),
        ("scope threshold / lowest in / highest out",
         f"{retrieval['threshold']:.3f} / {retrieval['lowest_in_scope_score']:.3f} / "
         f"{retrieval['highest_out_of_scope_score']:.3f}", "in > thr > out"),
        (f"cold build ({timings['notes']} notes, {timings['cold_chunks_embedded']} chunks)",
         f"{timings['cold_seconds']:.2f} s ({timings['cold_cpu_seconds']:.1f} CPU-s)", "≤ 10 s"),
        (f"warm build ({timings['warm_chunks_embedded']} chunks embedded)", f"{timings['warm_seconds']:.2f} s", "≤ 1 s"),
    ]
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'metric'.ljust(width)}  {'value'.ljust(value_width)}  goal")
    for name, value, goal in rows:
        print(f"{name.ljust(width)}  {value.ljust(value_width)}  {goal}")
    for label, key in (("misses", "misses"), ("false refusals", "false_refusals"), ("leaks", "leaks"),
                       ("note errors", "errors")):
        items = retrieval.get(key) if key in retrieval else timings.get(key)
        if items:
            print(f"\n{label}:")
            for item in items:
                print(f"  - {item}")


if __name__ == "__main__":
    main()
