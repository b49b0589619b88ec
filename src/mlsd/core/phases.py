"""The eight design phases every part of the product speaks in (ids are stable API)."""

from __future__ import annotations

PHASES: dict[str, str] = {
    "problem_definition": "Problem definition & requirements",
    "data": "Data",
    "features": "Features",
    "modeling": "Modeling",
    "evaluation": "Evaluation",
    "serving": "Serving architecture",
    "scalability": "Scalability",
    "monitoring": "Monitoring & maintenance",
}

PHASE_IDS: tuple[str, ...] = tuple(PHASES)


def phase_title(phase_id: str) -> str:
    return PHASES.get(phase_id, phase_id.replace("_", " ").capitalize())
