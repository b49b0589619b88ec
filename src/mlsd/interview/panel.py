"""The numbers beside the live interview: coverage per phase and the clock, from the saved state."""

from __future__ import annotations

import time
from dataclasses import dataclass

from mlsd.core.phases import PHASE_IDS, phase_title
from mlsd.interview.pacing import phase_budget_min
from mlsd.interview.policy import COVERED, InterviewState


def level_names() -> dict[int, str]:
    """The report's level vocabulary (the base rubric's names), so the live panel speaks the same words."""
    from mlsd.content.rubrics import load_rubric

    return dict(load_rubric().level_names)


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


def phase_rows(state: InterviewState) -> list[PhaseRow]:
    rows, names = [], level_names()
    for phase in PHASE_IDS:
        coverage = float(state.coverage.get(phase, 0.0))
        covered = coverage >= COVERED
        depth = max(1, int(state.depth.get(phase, 0))) if covered else 0  # covered is at least thin
        rows.append(PhaseRow(phase=phase, title=phase_title(phase), short=SHORT_TITLES.get(phase, phase_title(phase)),
                             coverage=round(coverage, 3), depth=depth, depth_name=names[depth],
                             covered=covered, current=state.current_phase == phase,
                             spent_min=round(state.phase_seconds.get(phase, 0.0) / 60, 2),
                             budget_min=round(phase_budget_min(state.time_budget_min, phase), 2)))
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
