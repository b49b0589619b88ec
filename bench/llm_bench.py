"""`mlsd bench --llm`: schema-valid rate, time to first token and speed through the configured LLM."""

from __future__ import annotations

import os
import time

from mlsd.core.errors import ConfigError

BUDGET_ENV = "MLSD_BENCH_LLM_BUDGET_S"


def llm_budget_s(quick: bool) -> float:
    """Seconds after which no new LLM grading call starts (a slow local model otherwise takes an hour)."""
    raw = os.environ.get(BUDGET_ENV)
    if raw:
        try:
            return max(1.0, float(raw))
        except ValueError:
            raise ConfigError(f"{BUDGET_ENV}={raw!r} is not a number of seconds") from None
    return 90.0 if quick else 300.0


def llm_figures(bench) -> None:
    """Measure the configured LLM and record its figures on `bench` (a runner.Bench)."""
    from mlsd.core.config import Settings
    from mlsd.llm import get_llm

    from .grading_bench import llm_grading
    from .resource_bench import describe_llm, stream_speed

    settings = Settings()
    keys = ["llm_schema_valid_rate", "llm_ttft_s", "llm_tokens_per_s"]
    if settings.backend() == "offline":
        bench.skip(keys, "no LLM backend configured: set MLSD_LLM=local (bundled tiny model) or "
                        "MLSD_BASE_URL / OPENAI_API_KEY")
        return
    started = time.perf_counter()
    llm = get_llm(settings, log=False)
    model = describe_llm(llm, settings)
    bench.details["llm"] = {"model": model, "setup_s": round(time.perf_counter() - started, 2)}
    stream = stream_speed(llm, runs=bench.size["stream_runs"])
    bench.details["llm"]["stream"] = stream
    bench.set("llm_ttft_s", stream["llm_ttft_s"], f"{model}; streamed chat through llm.stream, median",
             reason=None if stream["llm_ttft_s"] is not None else "the stream returned nothing")
    bench.set("llm_tokens_per_s", stream["llm_tokens_per_s"], "streamed chunks per second after the first (≈ tokens)",
             reason=None if stream["llm_tokens_per_s"] is not None else "fewer than two streamed chunks")
    budget = llm_budget_s(bench.options.quick)
    graded = llm_grading(llm, bench.size["llm_transcripts"], budget_s=budget)
    bench.details["llm"]["grading"] = graded
    rate = graded["llm_schema_valid_rate"]
    answered = graded["valid"] + graded["invalid"]
    unanswered = []
    if graded["unavailable"]:
        unanswered.append(f"{graded['unavailable']} timed out or unreachable")
    if graded["skipped_for_budget"]:
        unanswered.append(f"{graded['skipped_for_budget']} not started: {budget:.0f} s budget "
                          f"({BUDGET_ENV} to change)")
    bench.set("llm_schema_valid_rate", rate,
             f"{graded['valid']}/{answered} per-dimension grading calls schema-valid, "
             f"{graded['mean_call_s']} s per call" + (f"; {', '.join(unanswered)}" if unanswered else "")
             + " (validity only, not grading quality)",
             reason=None if rate is not None else
             "no grading call got an answer: " + ("; ".join(unanswered + graded["errors"][:1]) or "none made"))
