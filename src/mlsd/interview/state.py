"""What the policy decides with and on: the interview's state, a reading of the candidate's turn, and
the action chosen.

All three are plain data: `InterviewState` is stored as JSON with the session so an interview resumes
exactly; `Reading` is what `reading.TurnReader` understood from one turn; `Action` is what
`policy.decide` chose, phrased by `phrasing` or an LLM.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from mlsd.content.problems import Problem
from mlsd.core.phases import PHASE_IDS
from mlsd.interview.diagram_review import DiagramReading
from mlsd.interview.pitfalls import Pitfall

ActionKind = Literal["open", "clarify", "probe", "ask_skipped", "move_on", "requirement_change", "hint",
                     "model_answer", "close_gaps", "wrap_up", "diagram", "repeat", "wait", "challenge"]
COVERED = 0.5  # coverage probability above which a phase counts as covered
ASKING_KINDS = ("probe", "ask_skipped", "move_on", "close_gaps", "hint", "open", "diagram", "challenge")


class Action(BaseModel):
    kind: ActionKind
    target_phase: str | None = None
    question: str = ""  # the curated question or statement the interviewer will say
    preface: str = ""  # said before the question (e.g. "no hints in a mock interview")
    facts: list[str] = Field(default_factory=list)  # spec facts revealed by this action
    gaps: list[str] = Field(default_factory=list)  # phases named as gaps (close_gaps, wrap_up)
    brief: list[str] = Field(default_factory=list)  # of those, the ones covered, but only in passing
    unnamed: int = 0  # uncovered phases beyond those named (close_gaps names the biggest few)
    ack: str = ""  # a short acknowledgement of the candidate's last point, said first
    diagram: str = ""  # the signature of the diagram a "diagram" action asks about
    pitfall: str = ""  # the pitfall a "challenge" action questions (problems/_pitfalls.yaml)
    grounding: list[str] = Field(default_factory=list)  # labels from that diagram its wording must name

    @property
    def message(self) -> str:
        return f"{self.preface} {self.question}".strip()


class InterviewState(BaseModel):
    """Everything the policy knows, stored as JSON with the session so an interview resumes exactly."""

    problem_id: str
    mode: Literal["mock", "practice"] = "mock"
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    time_budget_min: float = Field(45.0, gt=0, le=240)
    started_at: float = Field(default_factory=time.time)
    ended_at: float | None = None  # the clock stops here
    status: Literal["active", "wrapped"] = "active"
    coverage: dict[str, float] = Field(default_factory=lambda: {p: 0.0 for p in PHASE_IDS})
    depth: dict[str, int] = Field(default_factory=lambda: {p: 0 for p in PHASE_IDS})
    phase_seconds: dict[str, float] = Field(default_factory=lambda: {p: 0.0 for p in PHASE_IDS})
    current_phase: str | None = None
    asked: list[str] = Field(default_factory=list)
    asked_phases: list[str | None] = Field(default_factory=list)  # each interviewer turn's question phase, or None
    probes: dict[str, int] = Field(default_factory=dict)
    revealed: list[str] = Field(default_factory=list)
    answered: list[str] = Field(default_factory=list)  # phases that were the main topic of a candidate turn
    hints: dict[str, int] = Field(default_factory=dict)
    requirement_change_done: bool = False
    closing: list[str] | None = None  # after "I'm done": the gaps still to ask about ([] when all were asked)
    closing_brief: list[str] = Field(default_factory=list)  # of those, the ones mentioned in passing when named
    set_aside: list[str] = Field(default_factory=list)  # phases the candidate asked to leave out: not raised again
    # until the closing, where an interviewer still names what was left out
    diagram: str = ""  # the signature of the last diagram asked about: the same one is not asked about again
    challenged: list[str] = Field(default_factory=list)  # pitfalls questioned already: each once an interview
    pending_challenge: str = ""  # a pitfall found in a whole design sent at once: asked after its gaps
    last_action: Action | None = None
    last_candidate_at: float | None = None

    def elapsed_min(self, now: float | None = None) -> float:
        end = self.ended_at if self.ended_at is not None else (now or time.time())
        return (end - self.started_at) / 60

    def covered(self, phase: str) -> bool:
        return self.coverage.get(phase, 0.0) >= COVERED

    def revealed_facts(self, problem: Problem | None) -> list[str]:
        """The hidden-spec facts told to the candidate so far, in the order told (none for a custom problem)."""
        facts = {f.id: f.fact for f in problem.hidden_spec} if problem else {}
        return [facts[f] for f in self.revealed if f in facts]


@dataclass
class Reading:
    """What the interviewer understood from the candidate's turn (see `interviewer.read`)."""

    text: str
    phases: list[str] = field(default_factory=list)  # phases the turn covers, strongest first
    says_design: bool = False  # some unit reads as design content, whether or not a phase is clear from it
    end: Literal["done", "stop"] | None = None
    invites: bool = False  # "anything else you want me to cover?": a "done" that asks for the next question
    declined: bool = False  # "let's skip that", "pass": no answer to the last question, on purpose
    hint: bool = False
    model_answer: bool = False
    repeat: bool = False  # "sorry, what was the question?": say the last question again
    asked_about: str | None = None  # the phase a hint or model-answer request names ("…for problem definition")
    pause: bool = False  # "can I take a minute?": wait, ask nothing
    moves_to: str | None = None  # "can we move on to the model?": the phase the candidate wants to go to
    moves_on: bool = False  # "next", "let's move on": past the question on the table, to another phase
    sets_aside: str | None = None  # "can we skip scaling?": a phase the candidate asks to leave out
    time_left: bool = False  # "how much time do we have left?": the clock is told before the next question
    already_said: bool = False  # "I already answered that": on to another phase
    feedback: bool = False  # "am I on the right track?": kept for the report (mock), what is covered (practice)
    why: bool = False  # "why do you ask?": the reason, then the question again
    concept: bool = False  # "what is PSI?": what a term means, which the Ask page answers, not the spec
    deepened: bool = False  # the turn made its phase deeper than before
    facts: list[str] = field(default_factory=list)  # hidden-spec facts the turn asks for
    unmatched_questions: int = 0  # clarifying questions no fact answers
    diagram: DiagramReading | None = None  # the turn's diagram, with what to ask about it
    pitfall: Pitfall | None = None  # a questionable choice the turn states, not challenged yet
    long_turn: bool = False  # a whole design in one message (more than a chat turn's few units)
    made: Callable[[str, str], bool] = lambda question, phase: False  # is that point already made?
    # of these points, the ones no statement of the candidate's makes already, nearest in meaning to `to` first
    unsaid: Callable[[list[str], str], list[str]] = lambda points, to: list(points)

    @property
    def dominant(self) -> str | None:
        return self.phases[0] if self.phases else None
