"""Plain logic behind the Streamlit pages: no Streamlit import, so tests call it directly.

The pages in `app_pages/` only lay things out; everything they compute (which backend is on and
why, problem filters, the interview panel's numbers, report chart rows, the history trend, the
weakest dimension and the problem to practise next) lives here.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .config import Settings, mask_secret, resolve_backend
from .datafiles import content_root, parse_front_matter
from .errors import DataFileError, MLSDError, NotFoundError
from .interview_policy import COVERED, InterviewState, phase_budget_min
from .phases import PHASE_IDS, phase_title
from .problems import Problem
from .redact import redact

# -- backend -----------------------------------------------------------------------------------------
BACKEND_CHOICES: dict[str, str] = {
    "auto": "Auto (from the environment)",
    "offline": "Offline (built-in, no key)",
    "local": "Local model (llama.cpp, in-process)",
    "openai": "OpenAI-compatible endpoint",
}
BACKEND_NAMES: dict[str, str] = {"offline": "offline", "local": "local", "openai": "OpenAI-compatible"}


@dataclass
class BackendInfo:
    backend: str  # offline | local | openai
    name: str  # what the sidebar calls it
    reason: str  # why this backend is on
    details: list[str] = field(default_factory=list)  # endpoint, model, masked key
    problem: str | None = None  # a setting that will make calls fail, said before they do

    @property
    def line(self) -> str:
        return f"Backend: {self.name}"


def build_settings(choice: str = "auto", *, base_url: str | None = None, model: str | None = None,
                   api_key: str | None = None) -> Settings:
    """Settings for the sidebar's choice, as in-memory overrides of the environment.

    Blank fields are left out, so the environment (or .env) still fills them; the key lives only in
    the returned object (and the caller's session), never on disk.
    """
    if choice not in BACKEND_CHOICES:
        raise ValueError(f"unknown backend choice {choice!r}; expected one of {', '.join(BACKEND_CHOICES)}")
    overrides: dict = {}
    if choice != "auto":
        overrides["llm"] = choice
    if choice == "openai":
        if base_url and base_url.strip():
            overrides["base_url"] = base_url.strip()
        if model and model.strip():
            overrides["model"] = model.strip()
        if api_key and api_key.strip():
            overrides["api_key"] = api_key.strip()
    return Settings(**overrides)


def describe_backend(settings: Settings, *, chosen_in_ui: bool = False) -> BackendInfo:
    """Which backend answers, why, and the settings that matter for it (the key masked)."""
    backend, reason = resolve_backend(settings)
    if chosen_in_ui and settings.llm != "auto":
        reason = "chosen in the sidebar"
    info = BackendInfo(backend=backend, name=BACKEND_NAMES.get(backend, backend), reason=reason)
    if backend == "offline":
        info.details.append("Built-in deterministic interviewer, grader and extractive answers: no key, no server.")
    elif backend == "local":
        info.details.append(f"Model: {settings.local_model or 'the bundled SmolLM2-135M GGUF (plumbing demo only)'}")
        info.details.append("llama.cpp runs in this process on a loopback port.")
    else:
        info.details.append(f"Endpoint: {settings.base_url or 'api.openai.com (default)'}")
        default_model = "discovered from /models" if settings.base_url else "gpt-4o-mini"
        info.details.append(f"Model: {settings.model or default_model}")
        info.details.append(f"Key: {mask_secret(settings.key_value())}")
        if not settings.base_url and not settings.api_key:
            info.problem = "An OpenAI-compatible backend needs an API key or a base URL (e.g. a local Ollama server)."
    return info


def secret_fingerprint(secret: str | None) -> str:
    """A short one-way tag telling keys apart in a cache key; the key itself is never kept there."""
    if not secret:
        return ""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


def llm_cache_key(settings: Settings) -> tuple:
    """Everything that makes one LLM client differ from another (the key only as a fingerprint)."""
    backend, _ = resolve_backend(settings)
    return (backend, settings.base_url, settings.model, str(settings.local_model or ""), settings.timeout,
            settings.max_retries, str(settings.db_path), secret_fingerprint(settings.key_value()))


def index_cache_key(settings: Settings) -> tuple:
    return (str(settings.index_dir), settings.chroma_host, settings.chroma_port, settings.embeddings_base_url,
            settings.embeddings_model)


def scrub(text: str, secret: str | None) -> str:
    """Remove the session's API key (and key-shaped strings) from text before it is graded or shown."""
    return redact(text, secret)


def index_needs_build(status: str) -> bool:
    return status.startswith(("not built", "stale"))


def index_status_text(status: str) -> str:
    """index_status() as a sentence: 'built: 475 chunks from 70 notes' -> 'Built: 475 chunks from 70 notes'."""
    return status[:1].upper() + status[1:]


def index_button_label(status: str) -> str:
    if status.startswith("not built"):
        return "Build the index"
    if status.startswith("stale"):
        return "Update the index"
    return "Rebuild the index"


def error_message(exc: BaseException) -> str:
    """A readable one-liner for st.error: our own errors as they are, anything else with its type."""
    if isinstance(exc, MLSDError):
        return str(exc)
    text = str(exc).strip() or "no details"
    return f"Unexpected error ({type(exc).__name__}): {text[:400]}"


# -- problems ----------------------------------------------------------------------------------------
DIFFICULTIES = ("easy", "medium", "hard")


def topic_options(problems: Iterable[Problem]) -> list[str]:
    return sorted({t for p in problems for t in p.topics})


def filter_problems(problems: Iterable[Problem], topics: Sequence[str] | None = None,
                    difficulties: Sequence[str] | None = None) -> list[Problem]:
    """Problems having any of `topics` and one of `difficulties`; an empty filter keeps everything."""
    topics, difficulties = set(topics or ()), set(difficulties or ())
    return [p for p in problems
            if (not topics or topics & set(p.topics)) and (not difficulties or p.difficulty in difficulties)]


def topic_label(topic: str) -> str:
    return topic.replace("_", " ")


def problem_label(problem: Problem) -> str:
    return f"{problem.title} ({problem.difficulty})"


# -- the live interview panel ------------------------------------------------------------------------
DEPTH_NAMES = {0: "not covered", 1: "thin", 2: "solid", 3: "deep"}
SHORT_TITLES = {"problem_definition": "Problem & reqs", "data": "Data", "features": "Features",
                "modeling": "Modeling", "evaluation": "Evaluation", "serving": "Serving",
                "scalability": "Scalability", "monitoring": "Monitoring"}


@dataclass
class PhaseRow:
    phase: str
    title: str
    short: str
    coverage: float  # 0..1
    depth: int
    depth_name: str
    covered: bool
    current: bool
    spent_min: float
    budget_min: float

    @property
    def time_used(self) -> float:
        return self.spent_min / self.budget_min if self.budget_min else 0.0


def phase_rows(state: InterviewState) -> list[PhaseRow]:
    rows = []
    for phase in PHASE_IDS:
        coverage = float(state.coverage.get(phase, 0.0))
        covered = coverage >= COVERED
        depth = max(1, int(state.depth.get(phase, 0))) if covered else 0  # covered is at least thin
        rows.append(PhaseRow(phase=phase, title=phase_title(phase), short=SHORT_TITLES.get(phase, phase_title(phase)),
                             coverage=round(coverage, 3), depth=depth, depth_name=DEPTH_NAMES.get(depth, "deep"),
                             covered=covered, current=state.current_phase == phase,
                             spent_min=round(state.phase_seconds.get(phase, 0.0) / 60, 2),
                             budget_min=round(phase_budget_min(state, phase), 2)))
    return rows


@dataclass
class Timer:
    elapsed_min: float
    budget_min: float

    @property
    def remaining_min(self) -> float:
        return max(0.0, self.budget_min - self.elapsed_min)

    @property
    def fraction(self) -> float:
        return min(1.0, self.elapsed_min / self.budget_min) if self.budget_min else 1.0

    @property
    def over(self) -> bool:
        return self.elapsed_min >= self.budget_min

    @property
    def text(self) -> str:
        return f"{fmt_minutes(self.elapsed_min)} of {fmt_minutes(self.budget_min)}"


def timer(state: InterviewState, now: float | None = None) -> Timer:
    return Timer(elapsed_min=max(0.0, state.elapsed_min(now or time.time())), budget_min=state.time_budget_min)


def fmt_minutes(minutes: float) -> str:
    """12.5 -> '12:30'; hours roll into minutes ('75:00') because budgets are in minutes."""
    total = int(round(max(0.0, minutes) * 60))
    return f"{total // 60}:{total % 60:02d}"


def chat_role(role: str) -> str:
    return "user" if role == "candidate" else "assistant"


# -- reports ----------------------------------------------------------------------------------------
LEVEL_ORDER = ["not covered", "mentioned", "solid", "strong"]
LEVEL_COLORS = ["#b0b7c3", "#f59e0b", "#3b82f6", "#16a34a"]


def level_label(level: int | None, max_level: int, level_name: str) -> str:
    return "not covered" if level is None else f"{level}/{max_level} · {level_name}"


def dimension_rows(report) -> list[dict]:
    """One row per dimension for the level chart; 'not covered' keeps level None and its own status."""
    rows = []
    for d in report.dimensions:
        rows.append({"dimension": d.title, "id": d.id, "level": d.level if d.level is not None else 0,
                     "covered": d.level is not None,
                     "status": "not covered" if d.level is None else d.level_name,
                     "label": level_label(d.level, d.max_level, d.level_name),
                     "max_level": d.max_level, "weight": d.weight, "score": round(100 * d.score)})
    return rows


def report_stem(report, session_id: str | None = None) -> str:
    base = (report.problem or "transcript") if len(report.problem or "") <= 40 else "custom"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in base).strip("_") or "transcript"
    return f"mlsd-report-{safe}" + (f"-{session_id}" if session_id else "")


def read_note(path: str) -> str | None:
    """The body of a knowledge note (front matter removed), or None when it cannot be read."""
    root = content_root().resolve()
    file = (root / path).resolve()
    if root not in file.parents or file.suffix != ".md":
        return None
    try:
        _, body = parse_front_matter(file.read_text(encoding="utf-8"), file)
    except (OSError, DataFileError):
        return None
    return body.strip()


# -- history ----------------------------------------------------------------------------------------
@dataclass
class SessionSummary:
    id: str
    created: str
    problem: str  # a title
    problem_id: str | None
    mode: str
    status: str  # active | ended
    turns: int
    candidate_turns: int
    overall: float | None
    band: str | None
    graded: bool

    @property
    def resumable(self) -> bool:
        return self.status != "ended"

    @property
    def label(self) -> str:
        score = f" · {self.overall:.0f}/100" if self.overall is not None else ""
        return f"{short_time(self.created)} · {self.problem} · {self.status}{score}"


def short_time(iso: str) -> str:
    """'2025-11-27T03:37:12.123Z' -> '2025-11-27 03:37 UTC'."""
    try:
        dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return str(iso)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def problem_title_for(problem_id: str | None, problem_text: str | None, problems: dict[str, Problem]) -> str:
    if problem_id and problem_id in problems:
        return problems[problem_id].title
    if problem_id:
        return problem_id
    text = (problem_text or "").strip()
    first = text.splitlines()[0] if text else "custom problem"
    return first if len(first) <= 60 else first[:57].rstrip() + "..."


def session_summaries(store, problems: dict[str, Problem], limit: int = 200) -> list[SessionSummary]:
    out = []
    for row in store.list(limit=limit):
        turns = store.turns(row.id)
        report = row.report or {}
        out.append(SessionSummary(
            id=row.id, created=row.created, problem=problem_title_for(row.problem_id, row.problem_text, problems),
            problem_id=row.problem_id, mode=row.mode, status=row.status, turns=len(turns),
            candidate_turns=sum(1 for t in turns if t["role"] == "candidate"),
            overall=report.get("overall"), band=report.get("band"), graded=bool(report)))
    return out


def graded_reports(rows: Iterable) -> list[tuple[str, str, object]]:
    """(session id, created, GradeReport) for sessions with a *graded* report, oldest first."""
    from .grader import GradeReport

    out = []
    for row in rows:
        if not row.report:
            continue
        try:
            report = GradeReport.model_validate(row.report)
        except ValueError:
            continue  # a report from an older format: skip rather than break the page
        if report.status == "graded":
            out.append((row.id, row.created, report))
    return sorted(out, key=lambda r: r[1])


def trend_rows(graded: Sequence[tuple[str, str, object]]) -> list[dict]:
    """Long-format rows (one per session and dimension, plus 'Overall') for the trend line chart."""
    rows = []
    for n, (sid, created, report) in enumerate(graded, 1):
        when = created.replace("Z", "")
        for d in report.dimensions:
            rows.append({"session": n, "session_id": sid, "when": when, "dimension": d.title,
                         "score": round(100 * d.score, 1), "level": d.level if d.level is not None else 0})
        rows.append({"session": n, "session_id": sid, "when": when, "dimension": "Overall",
                     "score": float(report.overall or 0.0), "level": None})
    return rows


@dataclass
class Weakness:
    dimension: str  # id
    title: str
    mean_score: float  # 0..100
    sessions: int
    not_covered: int  # how many of those sessions left it not covered


def weakest_dimension(reports: Sequence, recent: int = 5) -> Weakness | None:
    """The dimension with the lowest mean score over the last `recent` graded reports.

    Ties go to the heavier-weighted dimension, then to rubric order, so the answer is stable.
    """
    graded = [r for r in reports if getattr(r, "status", None) == "graded"][-recent:]
    if not graded:
        return None
    scores: dict[str, list[float]] = {}
    titles: dict[str, str] = {}
    weights: dict[str, float] = {}
    misses: dict[str, int] = {}
    order: dict[str, int] = {}
    for report in graded:
        for i, d in enumerate(report.dimensions):
            scores.setdefault(d.id, []).append(100 * d.score)
            titles[d.id], weights[d.id] = d.title, d.weight
            order.setdefault(d.id, i)
            misses[d.id] = misses.get(d.id, 0) + (d.level is None)
    worst = min(scores, key=lambda k: (sum(scores[k]) / len(scores[k]), -weights[k], order[k]))
    return Weakness(dimension=worst, title=titles[worst], mean_score=round(sum(scores[worst]) / len(scores[worst]), 1),
                    sessions=len(scores[worst]), not_covered=misses[worst])


# Topics whose problems stress a dimension, for dimensions no rubric overlay adds criteria to
# (scalability, communication, trade-offs) and as a tie-break for the rest.
DIMENSION_TOPICS: dict[str, tuple[str, ...]] = {
    "problem_definition": ("uplift", "causal_inference", "trust_and_safety", "regulated"),
    "data": ("fraud", "time_series", "iot", "unsupervised"),
    "features": ("real_time", "streaming", "graph", "geospatial"),
    "modeling": ("ranking", "learning_to_rank", "recommendation", "forecasting"),
    "evaluation": ("ranking", "uplift", "causal_inference", "fairness"),
    "serving": ("real_time", "streaming", "search", "retrieval"),
    "scalability": ("recommendation", "retrieval", "search", "streaming", "real_time", "ads"),
    "monitoring": ("adversarial", "fraud", "streaming", "security", "trust_and_safety"),
    "communication": ("llm", "nlp", "multimodal"),
    "tradeoffs": ("optimization", "fairness", "regulated", "real_time", "pricing"),
}
_DIFFICULTY_RANK = {"hard": 0, "medium": 1, "easy": 2}


@dataclass
class Suggestion:
    problem: Problem
    reason: str
    overlay_criteria: list[str] = field(default_factory=list)  # looks_for of criteria added to the dimension


def overlay_criteria_for(problem: Problem, dimension: str) -> list[str]:
    """What the problem's rubric overlay adds to `dimension` (its criteria's `looks_for`)."""
    if not problem.rubric_overlay:
        return []
    from .rubrics import load_overlay

    try:
        overlay = load_overlay(problem.rubric_overlay)
    except (DataFileError, NotFoundError):
        return []
    return [" ".join(c.looks_for.split()) for c in overlay.add_criteria.get(dimension, [])]


def suggest_problem(dimension: str, problems: dict[str, Problem] | Iterable[Problem],
                    practised: Iterable[str] = ()) -> Suggestion | None:
    """The bank problem that best exercises `dimension`, preferring ones not practised yet.

    Score: 3 per criterion the problem's rubric overlay adds to that dimension (its grading asks
    more of exactly that), plus 1 per topic that stresses it. Unpractised problems come first, then
    the higher score, then harder problems, then id order.
    """
    pool = list(problems.values()) if isinstance(problems, dict) else list(problems)
    if not pool:
        return None
    practised = set(practised)
    topics = DIMENSION_TOPICS.get(dimension, ())
    scored = []
    for p in pool:
        added = overlay_criteria_for(p, dimension)
        fit = [t for t in p.topics if t in topics]
        scored.append((p.id in practised, -(3 * len(added) + len(fit)), _DIFFICULTY_RANK.get(p.difficulty, 1),
                       p.id, p, added, fit))
    scored.sort(key=lambda s: s[:4])
    practised_already, neg_score, _, _, best, added, fit = scored[0]
    title = phase_title(dimension) if dimension in PHASE_IDS else dimension.replace("_", " ")
    if added:
        n, first = len(added), added[0].rstrip(".")
        reason = (f"its rubric overlay adds {n} {title.lower()} criteri{'on' if n == 1 else 'a'} "
                  f"(e.g. {first[0].lower() + first[1:]})")
    elif fit:
        reason = f"its topics ({', '.join(topic_label(t) for t in fit)}) put {title.lower()} under pressure"
    else:
        reason = f"it is a {best.difficulty} problem that exercises every phase"
    reason += "; you have practised it before" if practised_already else "; you have not practised it yet"
    return Suggestion(problem=best, reason=reason, overlay_criteria=added)


def practised_problem_ids(summaries: Iterable[SessionSummary]) -> set[str]:
    return {s.problem_id for s in summaries if s.problem_id}


def quote_md(text: str) -> str:
    """Candidate text shown as Markdown verbatim: no accidental maths ($), emphasis or headings."""
    out = text.replace("\\", "\\\\")
    for ch in "$*_`[]<>#|~":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def chat_md(text: str) -> str:
    """Chat text as Markdown: keep the writer's formatting but never read '$20 ... $30' as maths."""
    return text.replace("$", "\\$")
