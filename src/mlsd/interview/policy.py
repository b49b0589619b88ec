"""What the interviewer does next: explicit, serialisable state and a pure decision function.

The policy decides *what* to ask (an `Action` with a target phase and a curated question);
`mlsd.interviewer` only phrases it. Keeping the decision here, in plain data, is what makes the
interviewer testable: the same state and the same candidate text always give the same action.

Order of precedence each turn:
  1. wrap up at the time budget, or when every phase is covered in depth;
  2. answer clarifying questions from the hidden spec (one fact per question, only what was asked);
  3. practice mode: hints (a ladder) and the model answer once the candidate has committed;
  4. introduce the requirement change once its phase is covered;
  5. ask about a skipped phase: uncovered while a later phase is already covered;
  6. probe deeper on the current phase while it is thin and within its time budget;
  7. move on to the next phase not reached yet.
Questions are never repeated: a phase's curated follow-ups are used in order, then the generic ones.
"""

from __future__ import annotations

import re
import time
from typing import Literal

from pydantic import BaseModel, Field

from mlsd.core.phases import PHASE_IDS, phase_title
from mlsd.core.text import normalise, split_sentences
from mlsd.content.problems import GenericGuide, Problem

ActionKind = Literal["open", "clarify", "probe", "ask_skipped", "move_on", "requirement_change", "hint",
                     "model_answer", "wrap_up"]
COVERED = 0.5  # coverage probability above which a phase counts as covered
_HINT_REQUEST = re.compile(r"\b(hint|i'?m stuck|not sure where to (go|start)|can you help|give me a clue)\b", re.I)
_MODEL_ANSWER_REQUEST = re.compile(r"\b(model answer|sample answer|reference answer|show me (the|an?) (answer|solution))\b",
                                   re.I)


def is_meta_request(text: str) -> bool:
    """A request for a hint or the model answer: about the interview, not a design statement."""
    return bool(_HINT_REQUEST.search(text) or _MODEL_ANSWER_REQUEST.search(text))


class Action(BaseModel):
    kind: ActionKind
    target_phase: str | None = None
    question: str = ""  # the curated question or statement the interviewer will say
    preface: str = ""  # said before the question (e.g. "no hints in a mock interview")
    facts: list[str] = Field(default_factory=list)  # spec facts revealed by this action


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
    status: Literal["active", "wrapped"] = "active"
    coverage: dict[str, float] = Field(default_factory=lambda: {p: 0.0 for p in PHASE_IDS})
    depth: dict[str, int] = Field(default_factory=lambda: {p: 0 for p in PHASE_IDS})
    phase_seconds: dict[str, float] = Field(default_factory=lambda: {p: 0.0 for p in PHASE_IDS})
    current_phase: str | None = None
    asked: list[str] = Field(default_factory=list)
    probes: dict[str, int] = Field(default_factory=dict)
    revealed: list[str] = Field(default_factory=list)
    answered: list[str] = Field(default_factory=list)  # phases that were the main topic of a candidate turn
    hints: dict[str, int] = Field(default_factory=dict)
    requirement_change_done: bool = False
    last_action: Action | None = None
    last_candidate_at: float | None = None

    def elapsed_min(self, now: float | None = None) -> float:
        return ((now or time.time()) - self.started_at) / 60

    def covered(self, phase: str) -> bool:
        return self.coverage.get(phase, 0.0) >= COVERED


def phase_budget_min(state: InterviewState, phase: str) -> float:
    # Problem definition and the core ML phases take a little more of the clock than the rest.
    weights = {"problem_definition": 1.4, "data": 1.2, "features": 1.0, "modeling": 1.3, "evaluation": 1.1,
               "serving": 1.0, "scalability": 0.8, "monitoring": 0.8}
    return state.time_budget_min * weights[phase] / sum(weights.values())


# -- clarifying questions --------------------------------------------------------------------------
def question_sentences(text: str) -> list[str]:
    return [q for line in text.splitlines() for q in split_sentences(line) if q.endswith("?")]


def match_fact(question: str, problem: Problem, exclude: set[str]) -> str | None:
    """The spec fact this question asks about (longest matching trigger phrase wins), if any."""
    low = " " + normalise(question) + " "
    best, best_len = None, 0
    for fact in problem.hidden_spec:
        if fact.id in exclude:
            continue
        for phrase in fact.asks:
            p = normalise(phrase)
            if p and re.search(r"(?<![a-z0-9])" + re.escape(p) + r"(?![a-z0-9])", low) and len(p) > best_len:
                best, best_len = fact.id, len(p)
    return best


def clarify(text: str, state: InterviewState, problem: Problem) -> Action | None:
    questions = question_sentences(text)
    if not questions or not problem.hidden_spec:
        return None
    facts, unknown = [], []
    taken = set()
    for q in questions:
        fid = match_fact(q, problem, taken)
        if fid:
            taken.add(fid)
            facts.append(fid)
        else:
            unknown.append(q)
    if not facts:
        # Design-ish questions with no spec fact: say so, so the candidate states an assumption.
        if any(w in normalise(text) for w in ("how many", "how much", "what is the", "do we have", "is there",
                                           "can we", "should", "what are", "latency", "scale")):
            return Action(kind="clarify", target_phase=state.current_phase,
                          question="That isn't specified — make a reasonable assumption, say it out loud, and carry on.")
        return None
    by_id = {f.id: f.fact for f in problem.hidden_spec}
    lines = [by_id[f] for f in facts]
    if unknown:
        lines.append("The rest isn't specified: state an assumption.")
    return Action(kind="clarify", target_phase=state.current_phase or "problem_definition",
                  question=" ".join(lines), facts=facts)


# -- choosing the next question --------------------------------------------------------------------
def next_question(state: InterviewState, problem: Problem, phase: str, generic: GenericGuide) -> str | None:
    asked = {normalise(q) for q in state.asked}
    # Curated follow-ups first, then the generic ones, then questions made from expected points.
    points = problem.expected_points.get(phase, []) + generic.expected_points.get(phase, [])
    pools = [problem.followups.get(phase, []), generic.followups.get(phase, []),
             [f"How does your design handle this: {p[0].lower() + p[1:].rstrip('.')}?" for p in points]]
    for pool in pools:
        for q in pool:
            if normalise(q) not in asked:
                return q
    return None


def skipped_phases(state: InterviewState) -> list[str]:
    """Uncovered phases that come before a covered one: the candidate moved on past them."""
    covered_idx = [i for i, p in enumerate(PHASE_IDS) if state.covered(p)]
    if not covered_idx:
        return []
    furthest = max(covered_idx)
    return [p for i, p in enumerate(PHASE_IDS) if i < furthest and not state.covered(p)]


def not_reached(state: InterviewState) -> list[str]:
    covered_idx = [i for i, p in enumerate(PHASE_IDS) if state.covered(p)]
    furthest = max(covered_idx) if covered_idx else -1
    return [p for i, p in enumerate(PHASE_IDS) if i > furthest and not state.covered(p)]


def ask(state: InterviewState, problem: Problem, kind: ActionKind, phases: list[str],
        generic: GenericGuide) -> Action | None:
    for phase in phases:
        q = next_question(state, problem, phase, generic)
        if q:
            return Action(kind=kind, target_phase=phase, question=q)
    return None


def decide(state: InterviewState, problem: Problem, text: str, turn_phase: str | None, generic: GenericGuide,
           now: float | None = None) -> Action:
    """The next action, given the state *after* the candidate's turn was scored."""
    if state.status == "wrapped":
        return Action(kind="wrap_up", question="This interview has ended. You can grade it now.")
    if state.elapsed_min(now) >= state.time_budget_min:
        return Action(kind="wrap_up", question="We're at time. Thanks — let's stop here and look at the grade.")
    if all(state.covered(p) and state.depth.get(p, 0) >= 2 for p in PHASE_IDS):
        return Action(kind="wrap_up", question="You've covered every phase in depth. Let's wrap up here.")

    action = clarify(text, state, problem)
    if action:
        return action

    if state.mode == "practice":
        target = turn_phase or state.current_phase or (not_reached(state) or ["problem_definition"])[0]
        if _MODEL_ANSWER_REQUEST.search(text):
            if target in state.answered:  # the candidate has committed to an answer for this phase
                return Action(kind="model_answer", target_phase=target,
                              question=problem.model_answer.get(target, ""))
            return Action(kind="hint", target_phase=target,
                          question=f"Commit to your own answer for {phase_title(target).lower()} first; "
                                   "then I'll show the model answer.")
        if _HINT_REQUEST.search(text):
            level = state.hints.get(target, 0)
            points = problem.expected_points.get(target, [])
            if level == 0:
                hint = f"Think about {phase_title(target).lower()}: " + (next_question(state, problem, target, generic) or "")
            elif level - 1 < len(points):
                hint = f"One thing a strong answer covers here: {points[level - 1]}"
            else:
                hint = "That's all the hints for this phase; try moving to the next one."
            return Action(kind="hint", target_phase=target, question=hint)
    elif _HINT_REQUEST.search(text) or _MODEL_ANSWER_REQUEST.search(text):
        base = ask(state, problem, "probe", [turn_phase or state.current_phase or "problem_definition"], generic)
        if base:
            base.preface = "In a mock interview I can't give hints or answers."
            return base

    change = problem.requirement_change
    if change and not state.requirement_change_done and state.covered(change.after_phase):
        return Action(kind="requirement_change", target_phase=change.after_phase, question=change.text)

    gaps = skipped_phases(state)
    if gaps:
        action = ask(state, problem, "ask_skipped", gaps, generic)
        if action:
            return action

    current = turn_phase or state.current_phase
    if current and state.depth.get(current, 0) <= 1 and state.probes.get(current, 0) < 2 \
            and state.phase_seconds.get(current, 0.0) / 60 < 1.5 * phase_budget_min(state, current):
        action = ask(state, problem, "probe", [current], generic)
        if action:
            return action

    action = ask(state, problem, "move_on", not_reached(state) + [p for p in PHASE_IDS if state.depth.get(p, 0) < 2], generic)
    if action:
        return action
    return Action(kind="wrap_up", question="I've asked everything I had. Let's wrap up here.")


def apply(state: InterviewState, action: Action) -> None:
    """Record an action in the state (what was asked, revealed, probed)."""
    if action.question and action.kind in ("probe", "ask_skipped", "move_on", "hint", "open"):
        state.asked.append(action.question)
    if action.kind == "probe" and action.target_phase:
        state.probes[action.target_phase] = state.probes.get(action.target_phase, 0) + 1
    if action.kind == "hint" and action.target_phase:
        state.hints[action.target_phase] = state.hints.get(action.target_phase, 0) + 1
    if action.kind == "requirement_change":
        state.requirement_change_done = True
    if action.kind == "wrap_up":
        state.status = "wrapped"
    state.revealed.extend(f for f in action.facts if f not in state.revealed)
    if action.kind in ("ask_skipped", "move_on") and action.target_phase:
        state.current_phase = action.target_phase
    state.last_action = action
