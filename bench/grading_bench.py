"""Grader benchmarks: ordering on our own transcripts, offline grading time, LLM schema validity.

grade_ordering: for each problem in tests/data/transcripts (<problem>_{strong,handwavy,minimal}.json,
written for this project) the transcripts fall into ranked tiers:

    strong  >  strong minus one phase (one variant per phase tagged on its candidate turns)
            >  handwavy  >  minimal

Every pair of transcripts from different tiers is one ordered pair (the tiers form a total
order, so strong > minimal counts as well as the adjacent steps); a pair is right when the higher
tier's overall score is strictly greater. An `insufficient_evidence` report counts as score 0.
`grade_ordering` is the share of pairs in the right order over all problems.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlsd.grading.grader import GradeReport, grade
from mlsd.core.phases import PHASE_IDS
from mlsd.grading.transcript import Transcript, Turn

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "transcripts"
LABELS = ("strong", "handwavy", "minimal")
TIER_NAMES = ("strong", "one phase removed", "handwavy", "minimal")


@dataclass
class Case:
    tier: int  # 0 is best
    name: str
    transcript: Transcript


def load_transcript_sets(folder: Path = TRANSCRIPTS) -> dict[str, dict[str, dict]]:
    """{problem: {label: raw JSON}} for every problem that has all three labels."""
    sets: dict[str, dict[str, dict]] = {}
    for path in sorted(Path(folder).glob("*.json")):
        for label in LABELS:
            if path.stem.endswith(f"_{label}"):
                sets.setdefault(path.stem[: -len(label) - 1], {})[label] = json.loads(path.read_text(encoding="utf-8"))
    return {p: s for p, s in sets.items() if all(label in s for label in LABELS)}


def to_transcript(raw: dict, drop_phase: str | None = None) -> Transcript:
    """The transcript, without the candidate turns tagged with `drop_phase` when one is given."""
    turns = [Turn(role=t["role"], content=t["content"]) for t in raw["turns"]
             if not (drop_phase and t["role"] == "candidate" and t.get("phase") == drop_phase)]
    return Transcript(problem=raw.get("problem"), turns=turns)


def tagged_phases(raw: dict) -> list[str]:
    tags = {t.get("phase") for t in raw["turns"] if t["role"] == "candidate"}
    return [p for p in PHASE_IDS if p in tags]


def ordering_cases(problem_set: dict[str, dict]) -> list[Case]:
    strong = problem_set["strong"]
    cases = [Case(0, "strong", to_transcript(strong))]
    cases += [Case(1, f"strong-{phase}", to_transcript(strong, phase)) for phase in tagged_phases(strong)]
    cases += [Case(2, "handwavy", to_transcript(problem_set["handwavy"])),
              Case(3, "minimal", to_transcript(problem_set["minimal"]))]
    return cases


def report_score(report: GradeReport) -> float:
    return float(report.overall) if report.status == "graded" and report.overall is not None else 0.0


def count_ordered_pairs(scored: Iterable[tuple[int, str, float]]) -> dict:
    """scored: (tier, name, score). Every cross-tier pair must have the better tier strictly higher."""
    items = list(scored)
    pairs, right, wrong = 0, 0, []
    for tier_a, name_a, score_a in items:
        for tier_b, name_b, score_b in items:
            if tier_a >= tier_b:
                continue
            pairs += 1
            if score_a > score_b:
                right += 1
            else:
                wrong.append(f"{name_a} {score_a:g} <= {name_b} {score_b:g}")
    return {"pairs": pairs, "right": right, "wrong": wrong}


def grade_ordering(problems: Sequence[str] | None = None, folder: Path = TRANSCRIPTS,
                   grade_fn: Callable[[Transcript], GradeReport] = grade) -> dict:
    sets = load_transcript_sets(folder)
    chosen = [p for p in (problems or sorted(sets)) if p in sets]
    pairs, right, wrong, per_problem = 0, 0, [], {}
    for problem in chosen:
        scored = [(c.tier, c.name, report_score(grade_fn(c.transcript))) for c in ordering_cases(sets[problem])]
        counted = count_ordered_pairs(scored)
        pairs += counted["pairs"]
        right += counted["right"]
        wrong += [f"{problem}: {w}" for w in counted["wrong"]]
        per_problem[problem] = {name: score for _, name, score in scored}
    return {"grade_ordering": round(right / pairs, 4) if pairs else None, "pairs": pairs, "right": right,
            "problems": chosen, "wrong": wrong, "scores": per_problem}


# -- offline grading time ---------------------------------------------------------------------------
def long_transcript(candidate_turns: int = 40, folder: Path = TRANSCRIPTS) -> Transcript:
    """A `candidate_turns`-turn interview (interviewer question + candidate answer per turn) stitched
    from our transcripts' turns: the strong ones first, then handwavy, then minimal, cycling if short."""
    sets = load_transcript_sets(folder)
    pairs: list[tuple[str, str]] = []
    for label in LABELS:
        for problem in sorted(sets):
            question = "Walk me through it."
            for t in sets[problem][label]["turns"]:
                if t["role"] == "interviewer":
                    question = t["content"]
                else:
                    pairs.append((question, t["content"]))
    if not pairs:
        raise ValueError(f"no transcripts in {folder}")
    turns: list[Turn] = []
    for i in range(candidate_turns):
        question, answer = pairs[i % len(pairs)]
        turns += [Turn(role="interviewer", content=question), Turn(role="candidate", content=answer)]
    return Transcript(problem=sorted(sets)[0], turns=turns)


def grade_offline_time(candidate_turns: int = 40, runs: int = 3, folder: Path = TRANSCRIPTS) -> dict:
    """Wall time of an offline grade of a 40-turn transcript in a warm process: one untimed grade of a
    short transcript of the same problem first loads the embedder session and the rubric's prototype
    vectors, as in a running app; then the median of `runs` timed grades."""
    transcript = long_transcript(candidate_turns, folder)
    warm = load_transcript_sets(folder)[transcript.problem]["handwavy"]
    grade(to_transcript(warm))
    times, cpu, report = [], [], None
    for _ in range(max(1, runs)):
        started, cpu_started = time.perf_counter(), time.process_time()
        report = grade(transcript)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return {"grade_offline_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times],
            # CPU seconds summed over threads (onnxruntime uses every core): wall time on a busy machine
            # says little on its own
            "cpu_s": [round(t, 3) for t in cpu],
            "candidate_turns": candidate_turns, "turns": len(transcript.turns),
            "candidate_words": transcript.candidate_words(), "status": report.status, "overall": report.overall}


# -- grading through an LLM -------------------------------------------------------------------------
class CountingLLM:
    """Wraps the seam's LLM and records the outcome of every structured call the grader makes.

    After `deadline` (a perf_counter time) no new call starts: it raises LLMUnavailableError at once,
    which the grader answers by grading that dimension offline, so a slow model bounds the run."""

    def __init__(self, llm, deadline: float | None = None):
        self.llm = llm
        self.backend = llm.backend
        self.deadline = deadline
        self.calls: list[dict] = []
        self.skipped = 0

    def structured(self, messages, schema, **kwargs):
        from mlsd.core.errors import LLMOutputError, LLMUnavailableError

        if self.deadline is not None and time.perf_counter() >= self.deadline:
            self.skipped += 1
            raise LLMUnavailableError("the benchmark's time budget for LLM grading is spent")
        started = time.perf_counter()
        try:
            value = self.llm.structured(messages, schema, **kwargs)
        except LLMOutputError as exc:
            self.calls.append({"outcome": "invalid", "attempts": exc.attempts, "s": time.perf_counter() - started})
            raise
        except LLMUnavailableError as exc:
            self.calls.append({"outcome": "unavailable", "error": str(exc)[:200], "s": time.perf_counter() - started})
            raise
        self.calls.append({"outcome": "valid", "s": time.perf_counter() - started})
        return value

    def __getattr__(self, name):
        return getattr(self.llm, name)


def llm_grading(llm, names: Sequence[str] = ("bank_fraud_detection_handwavy", "bank_fraud_detection_strong"),
                folder: Path = TRANSCRIPTS, budget_s: float | None = None) -> dict:
    """Grade a few of our transcripts through the LLM. The figure is the share of per-dimension
    structured calls that came back schema-valid (after the seam's re-asks and fallback modes);
    calls that never got an answer (timeouts, connection errors) are counted apart. No new call
    starts after `budget_s` seconds; the call in flight then still finishes."""
    started = time.perf_counter()
    counting = CountingLLM(llm, None if budget_s is None else started + budget_s)
    graded = {}
    for name in names:
        if counting.deadline is not None and time.perf_counter() >= counting.deadline:
            graded[name] = {"status": "not graded: time budget spent"}
            continue
        raw = json.loads((Path(folder) / f"{name}.json").read_text(encoding="utf-8"))
        report = grade(to_transcript(raw), llm=counting)
        graded[name] = {"status": report.status, "overall": report.overall, "fallbacks": report.fallbacks}
    outcomes = [c["outcome"] for c in counting.calls]
    answered = [o for o in outcomes if o != "unavailable"]
    return {"llm_schema_valid_rate": round(answered.count("valid") / len(answered), 3) if answered else None,
            "structured_calls": len(outcomes), "valid": outcomes.count("valid"), "invalid": outcomes.count("invalid"),
            "unavailable": outcomes.count("unavailable"), "skipped_for_budget": counting.skipped,
            "budget_s": budget_s,
            "mean_call_s": round(statistics.mean(c["s"] for c in counting.calls), 2) if counting.calls else None,
            "seconds": round(time.perf_counter() - started, 1), "transcripts": graded,
            "errors": [c["error"] for c in counting.calls if c["outcome"] == "unavailable"][:3]}
