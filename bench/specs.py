"""Every figure `mlsd bench` reports: its goal and how it is printed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    key: str
    op: str | None  # ">=", "<=" or None (reported, no goal)
    threshold: float | None
    goal: str
    fmt: str  # "ratio" | "pct" | "ms" | "s" | "int" | "mb" | "rate"


SPECS: list[Spec] = [
    Spec("retrieval_hit_at_5", ">=", 0.90, "≥ 0.90", "ratio"),
    Spec("answer_match", ">=", 0.85, "≥ 0.85", "ratio"),
    Spec("answer_match_fresh", None, None, "report", "ratio"),
    Spec("answer_match_fresh_2", None, None, "report", "ratio"),
    Spec("coverage_f1", ">=", 0.85, "≥ 0.85", "ratio"),
    Spec("skipped_phase_f1", ">=", 0.80, "≥ 0.80", "ratio"),
    Spec("coverage_f1_ours", ">=", 0.85, "≥ 0.85", "ratio"),
    Spec("skipped_phase_f1_ours", ">=", 0.80, "≥ 0.80", "ratio"),
    Spec("skip_probe_recall", ">=", 0.95, "≥ 0.95", "ratio"),
    Spec("false_probe_rate", "<=", 0.10, "≤ 10 %", "pct"),
    Spec("grade_ordering", ">=", 1.0, "100 %", "pct"),
    Spec("turn_overhead_ms_p50", "<=", 25, "≤ 25 ms", "ms"),
    Spec("turn_overhead_ms_p95", "<=", 80, "≤ 80 ms", "ms"),
    Spec("turn_overhead_pg_ms_p50", "<=", 25, "≤ 25 ms", "ms"),
    Spec("turn_overhead_pg_ms_p95", "<=", 80, "≤ 80 ms", "ms"),
    # the bounded load test, per store: nothing lost or duplicated; the store's time per turn under load
    *[Spec(f"load_turns_{what}_{store}", "<=", 0, "0", "int") for store in ("pg", "sqlite")
      for what in ("lost", "duplicated")],
    *[Spec(f"load_store_ms_{q}_{store}", None, None, "report", "ms") for store in ("pg", "sqlite") for q in ("p50", "p95")],
    Spec("index_cold_s", "<=", 10, "≤ 10 s", "s"),
    Spec("index_warm_s", "<=", 1, "≤ 1 s", "s"),
    Spec("grade_offline_s", "<=", 2, "≤ 2 s", "s"),
    Spec("prompt_tokens_turn_40", "<=", 4000, "≤ 4k", "int"),
    Spec("rss_mb_peak", "<=", 700, "≤ 700 MB", "mb"),
    # the judgment: cross-validated on our labelled data (whole sources held out), the gate, speed
    *[Spec(k, None, None, "report", "ratio") for k in ("chat_turn_f1_cv", "chat_coverage_f1_cv", "chat_skipped_f1_cv",
                                                       "answers_coverage_f1_cv", "answers_skipped_f1_cv",
                                                       "unit_phase_f1_cv", "act_accuracy_cv")],
    # the same judgment on chats written after it was fitted (bench/data/dialogues_fresh.yaml)
    *[Spec(k, None, None, "report", "ratio") for k in ("chat_turn_f1_fresh", "chat_coverage_f1_fresh",
                                                       "chat_skipped_f1_fresh", "proposal_phase_f1",
                                                       "chat_turn_f1_fresh_2", "chat_coverage_f1_fresh_2",
                                                       "chat_skipped_f1_fresh_2", "plain_talk_phase_f1",
                                                       "plain_talk_read_as_design")],
    Spec("adversarial_refused", ">=", 1.0, "100 %", "pct"),
    Spec("short_real_refused", "<=", 0.0, "0 %", "pct"),
    Spec("grade_overhead_ratio", "<=", 1.3, "≤ 1.3× embedding", "ratio"),
    Spec("turn_overhead_ratio", "<=", 1.3, "≤ 1.3× embedding", "ratio"),
    # the interviewer on our dialogues, and the report
    Spec("done_gap_recall", ">=", 0.90, "≥ 0.90", "ratio"),
    Spec("repeat_opener_rate", "<=", 0.0, "0", "ratio"),
    Spec("repeated_questions", "<=", 0, "0", "int"),
    Spec("reasked_covered_rate", "<=", 0.05, "≤ 5 %", "pct"),
    Spec("clarification_accuracy", ">=", 0.90, "≥ 0.90", "ratio"),
    Spec("clarification_accuracy_fresh", None, None, "report", "ratio"),
    Spec("intent_accuracy_fresh", None, None, "report", "ratio"),
    Spec("challenge_precision_fresh", None, None, "report", "ratio"),
    Spec("challenge_recall_fresh", None, None, "report", "ratio"),
    Spec("report_contradictions", "<=", 0, "0", "int"),
    Spec("point_made_accuracy", None, None, "report", "ratio"),
    Spec("criterion_recall", None, None, "report", "ratio"),
    Spec("criterion_precision", None, None, "report", "ratio"),
    Spec("llm_grade_10_turns_s", "<=", 90, "≤ 90 s", "s"),
    Spec("llm_schema_valid_rate", None, None, "report", "ratio"),
    Spec("llm_ttft_s", None, None, "report", "s"),
    Spec("llm_tokens_per_s", None, None, "report", "rate"),
]
FIGURE_KEYS = [s.key for s in SPECS]
SPEC = {s.key: s for s in SPECS}


FORMATS = {"ratio": "{:.3f}", "ms": "{:.1f} ms", "s": "{:.2f} s", "mb": "{:.0f} MB", "rate": "{:.1f} tok/s"}


def fmt_value(value, fmt: str) -> str:
    if value is None:
        return "—"
    if fmt == "pct":
        return f"{100 * value:.1f} %"
    if fmt in FORMATS:
        return FORMATS[fmt].format(value)
    return f"{value:,}" if isinstance(value, int) else f"{value}"


def passes(spec: Spec, value) -> bool | None:
    if value is None or spec.op is None:
        return None
    return value >= spec.threshold if spec.op == ">=" else value <= spec.threshold
