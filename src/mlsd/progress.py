"""Progress across sessions: summaries for History, score trends, the weakest dimension, what to practise next."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from mlsd.content.problems import Problem, topic_label
from mlsd.core.errors import DataFileError, NotFoundError
from mlsd.core.phases import PHASE_IDS, phase_title

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
    kind: str = "interview"  # interview | upload (a transcript graded on the Grade page)
    source: str | None = None  # an upload's file name, or "pasted text"

    @property
    def resumable(self) -> bool:
        return self.kind == "interview" and self.status != "ended"

    @property
    def kind_label(self) -> str:
        return f"upload ({self.source})" if self.kind == "upload" and self.source else self.kind

    @property
    def label(self) -> str:
        score = f" · {self.overall:.0f}/100" if self.overall is not None else ""
        what = "upload" if self.kind == "upload" else self.status
        return f"{short_time(self.created)} · {self.problem} · {what}{score}"


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
            overall=report.get("overall"), band=report.get("band"), graded=bool(report), kind=row.kind,
            source=(row.state or {}).get("source") if row.kind == "upload" else None))
    return out


def graded_reports(rows: Iterable) -> list[tuple[str, str, object]]:
    """(session id, created, GradeReport) for sessions with a *graded* report, oldest first."""
    from mlsd.grading.grader import GradeReport

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
    phase: str | None = None  # the design phase it grades; None for communication and trade-offs


def dimension_weaknesses(reports: Sequence) -> list[Weakness]:
    """Every dimension's mean score over the graded `reports`, weakest first.

    Ties go to the heavier-weighted dimension, then to rubric order, so the order is stable.
    """
    scores: dict[str, list[float]] = {}
    titles: dict[str, str] = {}
    weights: dict[str, float] = {}
    misses: dict[str, int] = {}
    order: dict[str, int] = {}
    phases: dict[str, str | None] = {}
    for report in (r for r in reports if getattr(r, "status", None) == "graded"):
        for i, d in enumerate(report.dimensions):
            scores.setdefault(d.id, []).append(100 * d.score)
            titles[d.id], weights[d.id], phases[d.id] = d.title, d.weight, getattr(d, "phase", None)
            order.setdefault(d.id, i)
            misses[d.id] = misses.get(d.id, 0) + (d.level is None)
    mean = {k: sum(v) / len(v) for k, v in scores.items()}
    ranked = sorted(scores, key=lambda k: (mean[k], -weights[k], order[k]))
    return [Weakness(dimension=k, title=titles[k], mean_score=round(mean[k], 1), sessions=len(scores[k]),
                     not_covered=misses[k], phase=phases[k]) for k in ranked]


def weakest_dimensions(reports: Sequence, recent: int = 5) -> list[Weakness]:
    """Every dimension of the last `recent` graded reports, weakest (lowest mean score) first."""
    return dimension_weaknesses([r for r in reports if getattr(r, "status", None) == "graded"][-recent:])


def weakest_dimension(reports: Sequence, recent: int = 5) -> Weakness | None:
    """The dimension with the lowest mean score over the last `recent` graded reports."""
    ranked = weakest_dimensions(reports, recent)
    return ranked[0] if ranked else None


def practice_focus(reports: Sequence, recent: int = 5, count: int = 3) -> list[Weakness]:
    """The weakest design-phase dimensions to practise next. Communication and trade-offs (no phase)
    count in every problem, so they cannot pick one: targeting them sent a fraud candidate whose gaps
    were serving, scalability and monitoring to a RAG problem."""
    return [w for w in weakest_dimensions(reports, recent) if w.phase][:count]


def focus_message(focus: Sequence[Weakness]) -> str:
    """'Focus on serving (0/100), scalability (12/100) and monitoring (30/100): your weakest phases …'."""
    if not focus:
        return ""
    parts = [f"{w.title.lower()} ({w.mean_score:.0f}/100)" for w in focus]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    n = max(w.sessions for w in focus)
    over = "your last graded session" if n == 1 else f"your last {n} graded sessions"
    return f"Focus on {listed}: your weakest phases over {over}."


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
    overlay_criteria: list[str] = field(default_factory=list)  # looks_for of criteria added to the first dimension
    dimensions: list[str] = field(default_factory=list)  # the wanted dimensions that matter in this problem


def overlay_criteria_for(problem: Problem, dimension: str) -> list[str]:
    """What the problem's rubric overlay adds to `dimension` (its criteria's `looks_for`)."""
    if not problem.rubric_overlay:
        return []
    from mlsd.content.rubrics import load_overlay

    try:
        overlay = load_overlay(problem.rubric_overlay)
    except (DataFileError, NotFoundError):
        return []
    return [" ".join(c.looks_for.split()) for c in overlay.add_criteria.get(dimension, [])]


def suggest_problem(dimensions: str | Sequence[str], problems: dict[str, Problem] | Iterable[Problem],
                    practised: Iterable[str] = ()) -> Suggestion | None:
    """The bank problem that best exercises `dimensions` (weakest first), preferring ones not practised yet.

    A dimension "matters" in a problem when its rubric overlay adds criteria to it (its grading asks
    more of exactly that: 3 points a criterion) or its topics stress it (1 point a topic). Unpractised
    problems come first, then the one where more of the dimensions matter, then the higher score, then
    harder problems, then id order.
    """
    wanted = [dimensions] if isinstance(dimensions, str) else list(dimensions)
    pool = list(problems.values()) if isinstance(problems, dict) else list(problems)
    if not pool or not wanted:
        return None
    practised = set(practised)
    scored = []
    for p in pool:
        added = {d: overlay_criteria_for(p, d) for d in wanted}
        fit = {d: [t for t in p.topics if t in DIMENSION_TOPICS.get(d, ())] for d in wanted}
        matter = [d for d in wanted if added[d] or fit[d]]
        score = sum(3 * len(added[d]) + len(fit[d]) for d in wanted)
        scored.append((p.id in practised, -len(matter), -score, _DIFFICULTY_RANK.get(p.difficulty, 1), p.id,
                       p, added, fit, matter))
    scored.sort(key=lambda s: s[:5])
    practised_already, _, _, _, _, best, added, fit, matter = scored[0]
    reason = _suggestion_reason(best, matter, added, fit)
    reason += "; you have practised it before" if practised_already else "; you have not practised it yet"
    first = matter[0] if matter else wanted[0]
    return Suggestion(problem=best, reason=reason, overlay_criteria=added[first], dimensions=matter)


def _title(dimension: str) -> str:
    return (phase_title(dimension) if dimension in PHASE_IDS else dimension.replace("_", " ")).lower()


def _suggestion_reason(problem: Problem, matter: list[str], added: dict, fit: dict) -> str:
    """Why this problem: per dimension that matters in it, the overlay criteria or the topics behind that."""
    if not matter:
        return f"it is a {problem.difficulty} problem that exercises every phase"
    parts = []
    for d in matter:
        if added[d]:
            n, first = len(added[d]), added[d][0].rstrip(".")
            parts.append(f"its rubric overlay adds {n} {_title(d)} criteri{'on' if n == 1 else 'a'} "
                         f"(e.g. {first[0].lower() + first[1:]})")
        else:
            parts.append(f"its topics ({', '.join(topic_label(t) for t in fit[d])}) put {_title(d)} under pressure")
    return "; ".join(parts)


def practised_problem_ids(summaries: Iterable[SessionSummary]) -> set[str]:
    return {s.problem_id for s in summaries if s.problem_id}
