"""The benchmark and evaluation runner: every quality and speed figure, each beside its goal.

    python -m bench [--corpus PATH] [--json] [--quick] [--llm]      (or: mlsd bench ...)

One process, one embedder: the MiniLM session is loaded once and shared by every part. Quality
figures (coverage, skip probe, grade ordering) run with a run-wide text -> vector memo on that
embedder, because the skip probe and the phase-removed transcripts replay text that was already
embedded; vectors do not depend on their batch, so the figures are exactly those of an uncached
run. Speed figures (index build, per-turn overhead, grading time) run with the memo switched off.

It is a report: the exit code is 0 when goals are missed, 1 only when a part raised an error.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from mlsd.core.errors import ConfigError

from . import corpus as corpus_mod
from .memo import embedding_memo, no_memo
from .parts import PARTS
from .specs import FIGURE_KEYS, SPEC, passes
from .table import render_table

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Options:
    corpus: Path | None = None
    quick: bool = False
    llm: bool = False


# Sizes of each part. Quick mode keeps every code path but only a few items per part.
FULL = dict(concept_answers=None,
            answers=None, skip_answers=None, skip_cases=None, overhead_turns=40, ordering_problems=None, load=(50, 20, 5),
            grade_runs=3, llm_transcripts=("bank_fraud_detection_handwavy", "bank_fraud_detection_strong"),
            stream_runs=3, rss=True)
QUICK = dict(concept_answers=5,
             answers=3, skip_answers=2, skip_cases=4, overhead_turns=10, ordering_problems=1, grade_runs=1, load=(6, 4, 2),
             llm_transcripts=("bank_fraud_detection_handwavy",), stream_runs=1, rss=False)


# -- the run ----------------------------------------------------------------------------------------
@dataclass
class Bench:
    options: Options
    progress: Callable[[str], None] = lambda msg: None
    figures: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    per_phase: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)
    sections_cpu: dict = field(default_factory=dict)  # CPU seconds of this process, summed over threads
    errors: list = field(default_factory=list)
    corpus: dict = field(default_factory=dict)

    def __post_init__(self):
        self.size = QUICK if self.options.quick else FULL
        self.started = time.perf_counter()
        self.started_at = datetime.now().astimezone().isoformat(timespec="seconds")
        self.memo_stats: dict = {}

    # -- bookkeeping ------------------------------------------------------------------------------
    def set(self, key: str, value, note: str = "", reason: str | None = None) -> None:
        if isinstance(value, (np.floating, np.integer)):
            value = value.item()
        spec = SPEC[key]
        self.figures[key] = {"value": value, "goal": spec.goal, "pass": passes(spec, value), "note": note,
                             "reason": reason if value is None else None}

    def skip(self, keys: list[str], reason: str) -> None:
        for key in keys:
            if key not in self.figures:
                self.set(key, None, reason=reason)

    def section(self, name: str, keys: list[str], fn: Callable[[], None]) -> None:
        self.progress(f"{name} ...")
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            fn()
        except Exception as exc:  # a report: record it, carry on with the other parts, exit 1 at the end
            message = f"{type(exc).__name__}: {str(exc)[:300]}"
            self.errors.append(f"{name}: {message}")
            self.details.setdefault("tracebacks", {})[name] = traceback.format_exc(limit=8)
            self.progress(f"{name} FAILED: {message}")
            self.skip(keys, f"error in {name}: {message}")
        self.sections[name] = round(time.perf_counter() - started, 2)
        self.sections_cpu[name] = round(time.process_time() - cpu_started, 2)
        self.skip(keys, f"{name} did not produce this figure")

    # -- corpora ----------------------------------------------------------------------------------
    def resolve_corpora(self) -> None:
        if self.options.corpus is not None:
            path = Path(self.options.corpus).expanduser()
            if not path.is_dir():
                raise ConfigError(f"--corpus {path}: no such folder")
            label, why = path.name or str(path), "--corpus"
        elif corpus_mod.DEFAULT_EXTERNAL.is_dir() and corpus_mod.load_corpus(corpus_mod.DEFAULT_EXTERNAL):
            path, label, why = corpus_mod.DEFAULT_EXTERNAL, corpus_mod.DEFAULT_EXTERNAL.name, "default"
        else:
            path, label = corpus_mod.OURS, "ours"
            why = f"{corpus_mod.DEFAULT_EXTERNAL} not found, so our own answers"
        try:
            answers = corpus_mod.load_corpus(path)
        except (ValueError, OSError) as exc:  # an unknown phase label, bad YAML, an unreadable file
            raise ConfigError(f"{path}: not a labelled corpus in the eval-corpus format: {exc}") from None
        if not answers:
            raise ConfigError(f"{path}: no labelled answers (Markdown files with phases_present / phases_absent "
                              "front matter, directly or under answers/)")
        ours = corpus_mod.load_corpus(corpus_mod.OURS)
        self.main_answers, self.ours_answers = answers, ours
        self.main_is_ours = path.resolve() == corpus_mod.OURS.resolve()
        self.corpus = {"path": str(path), "label": label, "chosen_by": why, "answers": len(answers),
                       "ours_path": str(corpus_mod.OURS.relative_to(REPO)), "ours_answers": len(ours)}

    def subset(self, answers: list, n: int | None) -> list:
        """All answers, or (quick) n of them: half with the fewest phases labelled absent (the skip probe's
        "clean" cases come from those, see `probe_subset`) and half with the most (so the skipped-phase
        side has absent labels to catch). Coverage and the probe then share one set of embedded units."""
        if n is None:
            return answers
        ranked = sorted(answers, key=_absent_count)
        low = ranked[: (n + 1) // 2]
        return low + [a for a in ranked[::-1] if a not in low][: n // 2]

    def probe_subset(self, answers: list, n: int | None) -> list:
        return answers if n is None else sorted(answers, key=_absent_count)[:n]

    # -- parts ------------------------------------------------------------------------------------
    def part_embedder(self) -> None:
        from mlsd.knowledge.embeddings import get_embedder

        started = time.perf_counter()
        get_embedder().embed(["load the embedder once for the whole run"])
        self.details["embedder_load_s"] = round(time.perf_counter() - started, 2)

    def part_knowledge(self) -> None:
        from . import knowledge_bench as kb

        with no_memo():
            timings = kb.index_timings(home=self.home)
        self.details["index"] = timings
        cold, warm = timings["cold_seconds"], timings["warm_seconds"]
        notes = timings.get("notes")
        chunks = timings.get("cold_chunks_embedded")
        self.set("index_cold_s", cold, f"empty index, {notes} notes, {chunks} chunks, embedder already loaded")
        self.set("index_warm_s", warm, "rebuild with nothing changed")
        retrieval = kb.retrieval_hit_at_k(k=5, settings=kb.bench_settings(self.home))
        self.details["retrieval"] = retrieval
        hit = retrieval["hit_at_k"]
        n = retrieval.get("in_scope_questions")
        extra = ""
        if "refusal_rate" in retrieval:
            extra = f"; out-of-scope refusal {retrieval['refusal_rate']:.2f} ({retrieval.get('out_of_scope_questions')})"
        self.set("retrieval_hit_at_5", hit, f"{n} labelled concept questions, offline MiniLM{extra}")

    def part_answers(self) -> None:
        from . import knowledge_bench as kb

        sets = [("answer_match", kb.QUESTIONS, "offline answer text has every labelled term, {n} concept questions; "
                 "{refused} said the notes do not answer"),
                ("answer_match_fresh", kb.FRESH_QUESTIONS, "the same on {n} questions written later, blind (bench/data/"
                 "concept_questions_fresh.yaml); never used to edit notes or pick parameters, but its misses were read"),
                ("answer_match_fresh_2", kb.FRESH_2_QUESTIONS, "the same on {n} questions written blind on 2026-12-01 "
                 "(bench/data/concept_questions_fresh_2.yaml); only its figure has been looked at")]
        for key, path, note in sets:
            result = kb.answer_match(kb.bench_settings(self.home), limit=self.size["concept_answers"], path=path)
            self.details[key.replace("answer_match", "answers")] = result
            self.set(key, result["answer_match"], note.format(n=result["questions"], refused=len(result["not_answered"])))

    def part_turn_overhead(self) -> None:
        from .interview_bench import turn_overhead

        turns = self.size["overhead_turns"]
        with no_memo():
            result = turn_overhead(self.ours_answers, turns=turns)
        self.details["turn_overhead"] = result
        note = f"{result.get('turns')} offline turns (SQLite store); embedding alone p50 {result.get('embedding_ms_p50')} ms"
        self.set("turn_overhead_ms_p50", result.get("turn_overhead_ms_p50"), note)
        self.set("turn_overhead_ms_p95", result.get("turn_overhead_ms_p95"), note)

    def part_stores(self) -> None:
        from .store_bench import store_figures

        store_figures(self)

    def part_grade_time(self) -> None:
        from .grading_bench import grade_offline_time

        with no_memo():
            result = grade_offline_time(40, runs=self.size["grade_runs"])
        self.details["grade_offline"] = result
        self.set("grade_offline_s", result["grade_offline_s"],
                 f"{result['candidate_turns']} candidate turns / {result['candidate_words']:,} words, warm process, "
                 f"median of {len(result['runs_s'])} ({statistics.median(result['cpu_s']):.1f} CPU-s)")

    def part_prompt_tokens(self) -> None:
        from .interview_bench import prompt_tokens_at_turn

        result = prompt_tokens_at_turn(self.ours_answers, 40)
        self.details["prompt_tokens"] = result
        self.set("prompt_tokens_turn_40", result.get("prompt_tokens_turn_40"),
                 f"interviewer prompt after {result.get('candidate_turns')} candidate turns, local WordPiece tokenizer")

    def _coverage(self, answers: list) -> dict:
        from mlsd.evidence import EvidenceEngine
        from mlsd.content.rubrics import load_rubric

        from .coverage import evaluate_corpus

        result = evaluate_corpus(answers, EvidenceEngine(load_rubric()))
        result["answers"] = len(answers)
        return result

    def part_coverage(self) -> None:
        n = self.size["answers"]
        main = self._coverage(self.subset(self.main_answers, n))
        self.details["coverage"] = {k: v for k, v in main.items() if k != "per_phase"}
        self.per_phase[self.corpus["label"]] = _with_present(main["per_phase"], self.subset(self.main_answers, n))
        note = f"{self.corpus['label']}, {main['answers']} answers, {main['n_labels']} present/absent labels"
        self.set("coverage_f1", main["coverage_f1"], note)
        self.set("skipped_phase_f1", main["skipped_phase_f1"], note)
        if self.main_is_ours and n is None:
            ours = main
        else:
            ours = self._coverage(self.subset(self.ours_answers, n))
        self.details["coverage_ours"] = {k: v for k, v in ours.items() if k != "per_phase"}
        self.per_phase["ours, calibration set"] = _with_present(ours["per_phase"], self.subset(self.ours_answers, n))
        note = f"ours, calibration set (fitted on it: optimistic), {ours['answers']} answers, {ours['n_labels']} labels"
        self.set("coverage_f1_ours", ours["coverage_f1"], note)
        self.set("skipped_phase_f1_ours", ours["skipped_phase_f1"], note)

    def part_skip_probe(self) -> None:
        from .interview_bench import skip_probe

        answers = self.probe_subset(self.main_answers, self.size["skip_answers"])
        result = skip_probe(answers, max_cases=self.size["skip_cases"])
        misses = [d for d in result.get("details", []) if not d.get("ok")]
        self.details["skip_probe"] = {k: v for k, v in result.items() if k != "details"}
        self.details["skip_probe"]["missed_cases"] = misses
        base = f"{self.corpus['label']}, {len(answers)} answers"
        recall = result.get("skip_probe_recall")
        self.set("skip_probe_recall", recall, f"{base}, {result.get('clean_cases')} clean cases (all cases: "
                 f"{_fmt_opt(result.get('skip_probe_recall_all_cases'))} of {result.get('cases')}; misses that asked about "
                 f"another gap of the text first: {result.get('misses_to_another_gap')})",
                 reason=None if recall is not None else "no clean removal cases in this corpus subset")
        rate = result.get("false_probe_rate")
        self.set("false_probe_rate", rate, f"{base}, follow-ups aimed at a phase labelled present",
                 reason=None if rate is not None else "no follow-ups were asked")

    def part_grade_ordering(self) -> None:
        from .grading_bench import grade_ordering, load_transcript_sets

        problems = sorted(load_transcript_sets())
        if self.size["ordering_problems"] is not None:
            problems = problems[: self.size["ordering_problems"]]
        result = grade_ordering(problems)
        self.details["grade_ordering"] = result
        self.set("grade_ordering", result["grade_ordering"],
                 f"{result['right']}/{result['pairs']} cross-tier pairs right over {len(result['problems'])} problems "
                 "(strong > phase-removed > handwavy > minimal)",
                 reason=None if result["grade_ordering"] is not None else "no transcript sets found")

    def part_rss(self) -> None:
        from .resource_bench import measure_rss

        result = measure_rss("offline")
        self.details["rss"] = result
        steps = result.get("steps", {})
        self.set("rss_mb_peak", result["rss_mb_peak"],
                 "fresh process: load embedder, cold index build + search, 10-turn interview, grade "
                 f"({sum(steps.values()):.0f} s)")

    def part_llm(self) -> None:
        from .llm_bench import llm_figures

        llm_figures(self)

    # -- everything -------------------------------------------------------------------------------
    def run(self) -> dict:
        self.machine_start = _machine()
        self.resolve_corpora()
        with tempfile.TemporaryDirectory(prefix="mlsd-bench-") as tmp:
            self.home = Path(tmp)
            self.section("embedder", [], self.part_embedder)
            self.section("knowledge index and retrieval", ["index_cold_s", "index_warm_s", "retrieval_hit_at_5"],
                         self.part_knowledge)
            self.section("offline answers", ["answer_match", "answer_match_fresh", "answer_match_fresh_2"], self.part_answers)
            self.section("interviewer turn overhead", ["turn_overhead_ms_p50", "turn_overhead_ms_p95"],
                         self.part_turn_overhead)
            self.section("session stores (SQLite, PostgreSQL)", [k for k in FIGURE_KEYS if "_pg" in k or "load_" in k],
                         self.part_stores)
            self.section("offline grading time", ["grade_offline_s"], self.part_grade_time)
            with embedding_memo(self.memo_stats):
                self.section("phase coverage", ["coverage_f1", "skipped_phase_f1", "coverage_f1_ours",
                                                "skipped_phase_f1_ours"], self.part_coverage)
                self.section("prompt size", ["prompt_tokens_turn_40"], self.part_prompt_tokens)
                self.section("skipped-phase probing", ["skip_probe_recall", "false_probe_rate"], self.part_skip_probe)
                self.section("grade ordering", ["grade_ordering"], self.part_grade_ordering)
            for part in PARTS:
                if part.llm and not self.options.llm:
                    self.skip(part.keys, "not run: pass --llm with a configured backend")
                else:
                    self.section(part.name, part.keys, lambda part=part: part.run(self))
            if self.size["rss"]:
                self.section("peak RSS (subprocess)", ["rss_mb_peak"], self.part_rss)
            else:
                self.skip(["rss_mb_peak"], "skipped in --quick (the full run measures it in a fresh subprocess)")
            llm_keys = ["llm_schema_valid_rate", "llm_ttft_s", "llm_tokens_per_s"]
            if self.options.llm:
                self.section("LLM (--llm)", llm_keys, self.part_llm)
            else:
                self.skip(llm_keys, "not run: pass --llm with a configured backend (MLSD_LLM=local works offline)")
        return self.result()

    def result(self) -> dict:
        machine = dict(self.machine_start)
        machine["load_avg_end"] = _machine()["load_avg"]
        self.skip(FIGURE_KEYS, "no part of this run measured it")
        figures = {k: self.figures[k] for k in FIGURE_KEYS}
        judged = [f["pass"] for f in figures.values() if f["pass"] is not None]
        self.details["embedding_memo"] = self.memo_stats
        return {
            "mode": "quick" if self.options.quick else "full",
            "llm": self.options.llm,
            "started": self.started_at,
            "machine": machine,
            "corpus": self.corpus,
            "figures": figures,
            "goals": {"met": judged.count(True), "missed": judged.count(False),
                      "not_measured": sum(1 for f in figures.values() if f["value"] is None)},
            "per_phase": self.per_phase,
            "sections_s": self.sections,
            "sections_cpu_s": self.sections_cpu,
            "wall_s": round(time.perf_counter() - self.started, 1),
            "errors": self.errors,
            "details": self.details,
        }


def _machine() -> dict:
    from .resource_bench import machine

    return machine()


def _absent_count(answer) -> int:
    return sum(1 for v in answer.labels.values() if v == "absent")


def _with_present(per_phase: dict, answers: list) -> dict:
    """Add each phase's count of `present` labels (precision and recall are undefined without any)."""
    out = {}
    for phase, figures in per_phase.items():
        present = sum(1 for a in answers if a.labels.get(phase) == "present")
        out[phase] = dict(figures, present=present)
    return out


def _fmt_opt(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def run(options: Options, progress: Callable[[str], None] | None = None) -> dict:
    started = time.perf_counter()

    def report(msg: str) -> None:
        if progress:
            progress(f"[{time.perf_counter() - started:6.1f} s] {msg}")

    return Bench(options, progress=report).run()


def run_and_print(options: Options, *, as_json: bool, echo: Callable[[str], None],
                  progress: Callable[[str], None] | None = None) -> int:
    """Run, print the table (or one JSON object), return the exit code (1 when a part errored)."""
    result = run(options, progress)
    if as_json:
        echo(json.dumps(result, indent=2, default=str))
    else:
        echo(render_table(result))
    return 1 if result["errors"] else 0


def stderr_progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)

