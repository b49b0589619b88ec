"""The instructor's view of a cohort: aggregates only, never a person's transcript, problem text or score.

Read across every owner, but only the columns aggregates need (owner, kind, problem id, status,
created, report): turns, states and custom problem statements are never read. Transcripts graded on
the Grade page (kind 'upload') count like interviews: they are sessions, their grades are grades of
the cohort's practice, and `uploads` says how many of the sessions they are. A figure computed over fewer
than `MIN_PEOPLE` people is withheld, so a small group's average cannot be read as one person's.
Who may see it: the users listed in MLSD_ADMINS (`access.identity.admins`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from mlsd.content.problems import Problem
from mlsd.progress import Weakness, dimension_weaknesses, graded_reports, problem_title_for
from mlsd.storage import Database

MIN_PEOPLE = 3


@dataclass
class ProblemUse:
    title: str
    sessions: int
    people: int


@dataclass
class WeekTrend:
    week: str  # ISO year-week, e.g. 2026-W48
    graded: int
    people: int
    mean_overall: float | None  # None when fewer than MIN_PEOPLE people were graded that week


@dataclass
class CohortReport:
    people: int
    sessions: int
    graded: int
    uploads: int = 0  # of `sessions`, how many are graded uploads rather than interviews run here
    dimensions: list[Weakness] = field(default_factory=list)  # weakest first; empty below MIN_PEOPLE
    problems: list[ProblemUse] = field(default_factory=list)
    trend: list[WeekTrend] = field(default_factory=list)


@dataclass
class _Row:  # what graded_reports needs, and nothing else
    id: str
    created: str
    report: dict | None


def iso_week(created: str) -> str:
    try:
        year, week, _ = datetime.fromisoformat(created.replace("Z", "+00:00")).isocalendar()
    except ValueError:
        return "unknown"
    return f"{year}-W{week:02d}"


def cohort_report(db: Database, problems: dict[str, Problem]) -> CohortReport:
    rows = db.all("SELECT id, owner, kind, problem_id, status, created, report FROM sessions")
    owner_of = {r["id"]: r["owner"] for r in rows}
    graded = graded_reports(_Row(r["id"], r["created"], json.loads(r["report"]) if r["report"] else None)
                            for r in rows)
    graded_people = {owner_of[sid] for sid, _, _ in graded}
    report = CohortReport(people=len(set(owner_of.values())), sessions=len(rows), graded=len(graded),
                          uploads=sum(r["kind"] == "upload" for r in rows))
    if len(graded_people) >= MIN_PEOPLE:
        report.dimensions = dimension_weaknesses([r for _, _, r in graded])
    uses: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        title = problem_title_for(r["problem_id"], None, problems) if r["problem_id"] else "custom problems"
        uses[title].append(r["owner"])
    report.problems = sorted((ProblemUse(t, len(o), len(set(o))) for t, o in uses.items()),
                             key=lambda u: (-u.sessions, u.title))
    weeks: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for sid, created, r in graded:
        weeks[iso_week(created)].append((owner_of[sid], float(r.overall or 0.0)))
    for week in sorted(weeks):
        people = {o for o, _ in weeks[week]}
        mean = round(sum(s for _, s in weeks[week]) / len(weeks[week]), 1) if len(people) >= MIN_PEOPLE else None
        report.trend.append(WeekTrend(week, len(weeks[week]), len(people), mean))
    return report
