"""What the interviewer does next: explicit, serialisable state and a pure decision function.

The policy decides *what* to do (an `Action` with a target phase and a curated question);
`interviewer` reads the candidate's turn into a `Reading` and phrases the action. Keeping the
decision here, in plain data, is what makes the interviewer testable: the same state and the same
reading always give the same action.

Order of precedence each turn:
  1. "let's stop" or the time budget: wrap up (naming the biggest gaps) and offer the grade;
  2. "sorry, what was the question?": say the last question again; "can I take a minute?": wait;
  3. answer clarifying questions from the hidden spec: every fact asked for, "not specified" for the rest
     (when no fact is asked for and the turn also lays out a design, "not specified" prefaces the follow-up);
  4. "can we move on to the model?": that phase's first question; practice mode: hints (a ladder) and
     the model answer once the candidate has committed;
  5. a new or changed diagram: a question about it (`diagram_review`: a missing piece, a component
     connected to nothing, a bottleneck, a component without a reason), unless all were asked;
  6. "I'm done": name the biggest gaps and ask about them one at a time, most important first, then any
     phase covered by one passing mention, then wrap up;
  7. introduce the requirement change once its phase is covered (and put it once more if it went unanswered);
  8. pacing (`pacing.next_target`): go deeper on a thin current phase while there is time, else the most
     important gap; never more than two questions in a row on one phase unless the candidate goes deeper;
     after "I already answered that", any phase but the one just asked about.
A question is never repeated, and never asked when the candidate has already made its point; a probe on a
phase the candidate has laid out skips the question that opens it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from mlsd.content.problems import GenericGuide, Problem
from mlsd.core.phases import PHASE_IDS, phase_title
from mlsd.core.text import normalise
from mlsd.interview.diagram_review import DiagramReading
from mlsd.interview.pacing import closing_gaps, next_target

ActionKind = Literal["open", "clarify", "probe", "ask_skipped", "move_on", "requirement_change", "hint",
                     "model_answer", "close_gaps", "wrap_up", "diagram", "repeat", "wait"]
COVERED = 0.5  # coverage probability above which a phase counts as covered
ASKING_KINDS = ("probe", "ask_skipped", "move_on", "close_gaps", "hint", "open", "diagram")


class Action(BaseModel):
    kind: ActionKind
    target_phase: str | None = None
    question: str = ""  # the curated question or statement the interviewer will say
    preface: str = ""  # said before the question (e.g. "no hints in a mock interview")
    facts: list[str] = Field(default_factory=list)  # spec facts revealed by this action
    gaps: list[str] = Field(default_factory=list)  # phases named as gaps (close_gaps, wrap_up)
    brief: list[str] = Field(default_factory=list)  # of those, the ones covered, but only in passing
    ack: str = ""  # a short acknowledgement of the candidate's last point, said first
    diagram: str = ""  # the signature of the diagram a "diagram" action asks about
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
    diagram: str = ""  # the signature of the last diagram asked about: the same one is not asked about again
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
    end: Literal["done", "stop"] | None = None
    declined: bool = False  # "let's skip that", "pass": no answer to the last question, on purpose
    hint: bool = False
    model_answer: bool = False
    repeat: bool = False  # "sorry, what was the question?": say the last question again
    asked_about: str | None = None  # the phase a hint or model-answer request names ("…for problem definition")
    pause: bool = False  # "can I take a minute?": wait, ask nothing
    moves_to: str | None = None  # "can we move on to the model?": the phase the candidate wants to go to
    time_left: bool = False  # "how much time do we have left?": the clock is told before the next question
    already_said: bool = False  # "I already answered that": on to another phase
    deepened: bool = False  # the turn made its phase deeper than before
    facts: list[str] = field(default_factory=list)  # hidden-spec facts the turn asks for
    unmatched_questions: int = 0  # clarifying questions no fact answers
    diagram: DiagramReading | None = None  # the turn's diagram, with what to ask about it
    made: Callable[[str, str], bool] = lambda question, phase: False  # is that point already made?

    @property
    def dominant(self) -> str | None:
        return self.phases[0] if self.phases else None


# -- choosing the question ----------------------------------------------------------------------------
def next_question(state: InterviewState, problem: Problem, phase: str, generic: GenericGuide,
                  made: Callable[[str, str], bool] = lambda q, p: False, opened: bool = False) -> str | None:
    """The first question for `phase` not asked yet and whose point the candidate has not made already:
    curated follow-ups first, then the generic ones, then questions made from expected points. `opened`:
    the candidate has laid this phase out already, so each list's first question, which invites them to
    start it ("What would you monitor after launch?"), would only ask for what they just said."""
    asked = {normalise(q) for q in state.asked}
    points = problem.expected_points.get(phase, []) + generic.expected_points.get(phase, [])
    start = 1 if opened else 0
    pools = [problem.followups.get(phase, [])[start:], generic.followups.get(phase, [])[start:],
             [f"How does your design handle this: {p[0].lower() + p[1:].rstrip('.')}?" for p in points]]
    fresh = [q for pool in pools for q in pool if normalise(q) not in asked]
    return next((q for q in fresh if not made(q, phase)), None)


def ask(state, problem, kind: ActionKind, phase: str, generic: GenericGuide, reading: Reading) -> Action | None:
    if kind == "move_on" and state.asked_phases and state.asked_phases[-1] == phase:
        kind = "probe"  # already on this phase: a follow-up, not "let's move on to" it again
    q = next_question(state, problem, phase, generic, reading.made, opened=kind == "probe" and state.covered(phase))
    return Action(kind=kind, target_phase=phase, question=q) if q else None


def change_question(text: str) -> str:
    """The requirement change as said: its text, asking how the design changes unless it asks already."""
    return text if text.rstrip().endswith("?") else f"{text} How does your design change?"


def repeat(state: InterviewState, problem: Problem) -> Action:
    """The last question again, as it was put (without its acknowledgement): no new question, no phase
    counted as asked again. Before any question, the problem statement is the question."""
    last = state.last_action
    if last is None or not last.question:
        return Action(kind="repeat", question=f"{problem.statement} Walk me through your design.")
    phase = last.target_phase if last.kind in ASKING_KINDS else None  # a fact or a curveball names no phase
    return Action(kind="repeat", target_phase=phase, question=last.question)


def clarification(state: InterviewState, problem: Problem, reading: Reading) -> Action | None:
    if not reading.facts and not reading.unmatched_questions:
        return None
    by_id = {f.id: f.fact for f in problem.hidden_spec}
    lines = [by_id[f] for f in reading.facts]
    if reading.facts and all(f in state.revealed for f in reading.facts):
        lines.insert(0, "As I said:")  # asked again: a person would say so rather than recite it fresh
    if reading.unmatched_questions:
        lines.append("The rest isn't specified: state an assumption." if lines else
                     "That isn't specified — make a reasonable assumption, say it out loud, and carry on.")
    return Action(kind="clarify", target_phase=state.current_phase or "problem_definition", question=" ".join(lines),
                  facts=list(reading.facts))


def practice_help(state: InterviewState, problem: Problem, reading: Reading, generic: GenericGuide) -> Action | None:
    target = reading.asked_about or reading.dominant or state.current_phase or next(
        (p for p in PHASE_IDS if not state.covered(p)), "problem_definition")
    if reading.model_answer:
        if target in state.answered:  # the candidate has committed to an answer for this phase
            return Action(kind="model_answer", target_phase=target, question=problem.model_answer.get(target, ""))
        return Action(kind="hint", target_phase=target,
                      question=f"Commit to your own answer for {phase_title(target).lower()} first; "
                               "then I'll show the model answer.")
    if not reading.hint:
        return None
    level, points = state.hints.get(target, 0), problem.expected_points.get(target, [])
    if level == 0:
        hint = f"Think about {phase_title(target).lower()}: " + (next_question(state, problem, target, generic) or "")
    elif level - 1 < len(points):
        hint = f"One thing a strong answer covers here: {points[level - 1]}"
    else:
        hint = "That's all the hints for this phase; try moving to the next one."
    return Action(kind="hint", target_phase=target, question=hint)


def diagram_question(state: InterviewState, reading: Reading) -> Action | None:
    """A question about a new or changed diagram: its first finding not asked already."""
    drawn = reading.diagram
    if drawn is None or drawn.signature == state.diagram:
        return None
    asked = {normalise(q) for q in state.asked}
    finding = next((f for f in drawn.findings if normalise(f.question) not in asked), None)
    if finding is None:
        return None
    return Action(kind="diagram", target_phase=finding.phase, question=finding.question, diagram=drawn.signature,
                  grounding=list(finding.names))


def wrap_up(state: InterviewState, problem: Problem, why: str) -> Action:
    gaps = closing_gaps(state, problem, limit=3, thin=False)  # named as gaps: only what was not covered
    named = f" The biggest gaps were {and_list(gaps)}." if gaps else ""
    return Action(kind="wrap_up", question=f"{why}{named} End the interview to see your graded report.", gaps=gaps)


def closing(state: InterviewState, problem: Problem, reading: Reading, generic: GenericGuide) -> Action | None:
    """After "I'm done": the gaps one at a time, most important first; then wrap up."""
    if reading.end == "done" and state.closing is None:
        gaps = closing_gaps(state, problem)
        if not gaps:
            return wrap_up(state, problem, "You've covered every phase — let's wrap up here.")
        first = ask(state, problem, "close_gaps", gaps[0], generic, reading)
        if first:
            first.gaps, first.brief = gaps, [g for g in gaps if state.covered(g)]
            return first
        return wrap_up(state, problem, "Thanks, let's wrap up here.")
    if state.closing is None:
        return None
    if reading.declined or reading.end:
        return wrap_up(state, problem, "Fair enough — let's stop there.")
    for phase in state.closing:
        if closed_since(state, phase):
            continue
        action = ask(state, problem, "close_gaps", phase, generic, reading)
        if action:
            return action
    return wrap_up(state, problem, "That's the gaps I wanted to ask about. Thanks.")


def reached(state: InterviewState, phase: str) -> bool:
    """The candidate has laid out the design up to `phase`: it is covered, and so are at least half the
    phases before it. A curveball lands on a design; success metrics stated in the second turn cover
    evaluation but are no design to change yet."""
    before = PHASE_IDS[:PHASE_IDS.index(phase)]
    return state.covered(phase) and sum(state.covered(p) for p in before) >= (len(before) + 1) // 2


def closed_since(state: InterviewState, phase: str) -> bool:
    """A gap named after "I'm done" that the candidate's answers have closed since: covered now when it
    was not, or gone into in depth when it was only mentioned."""
    if phase in state.closing_brief:
        return state.depth.get(phase, 0) > 1
    return state.covered(phase)


def decide(state: InterviewState, problem: Problem, reading: Reading, generic: GenericGuide,
           now: float | None = None) -> Action:
    """The next action, given the state *after* the candidate's turn was scored."""
    now = now or time.time()
    if state.status == "wrapped":
        return Action(kind="wrap_up", question="This interview has ended. You can grade it now.")
    if reading.end == "stop":
        return wrap_up(state, problem, "OK, let's stop here.")
    if state.elapsed_min(now) >= state.time_budget_min:
        return wrap_up(state, problem, "We're at time. Thanks — let's stop here.")
    last = state.last_action
    if reading.pause and not (last and last.kind == "wait"):  # one wait, then on
        pending = last.target_phase if last and last.kind in ASKING_KINDS else None  # still the question on the table
        return Action(kind="wait", target_phase=pending, question="Sure, take your time — go ahead when you're ready.")
    action = repeat(state, problem) if reading.repeat else clarification(state, problem, reading)
    if action and not folds(action, reading):
        return action
    follow_up = _follow_up(state, problem, reading, generic, now)
    if action and follow_up.kind != "wrap_up" and not follow_up.preface:
        said = state.last_action.preface if state.last_action else ""
        follow_up.preface = UNSPECIFIED_IN_A_DESIGN[said == UNSPECIFIED_IN_A_DESIGN[0]]  # never twice in a row
    if reading.already_said and follow_up.kind != "wrap_up" and not follow_up.preface:
        follow_up.preface = "Fair enough."
    if reading.time_left and follow_up.kind != "wrap_up":
        follow_up.preface = f"{time_left(state, now)} {follow_up.preface}".strip()
    return follow_up


def time_left(state: InterviewState, now: float) -> str:
    """"About 25 of 45 minutes left." """
    minutes = max(0.0, state.time_budget_min - state.elapsed_min(now))
    if minutes < 1:
        return "Less than a minute left."
    return f"About {round(minutes)} of {round(state.time_budget_min)} minutes left."


# A design that comes with open questions none of the facts answers ("should German contracts get their
# own pipeline?") gets its follow-up at once; only a turn that is mostly asking waits for "not specified".
UNSPECIFIED_IN_A_DESIGN = ("Your open questions aren't specified: state your assumptions.",
                           "Those aren't specified either, so assume what you need.")


def folds(action: Action, reading: Reading) -> bool:
    """Is this "not specified" reply said alongside the follow-up: no fact told, and the turn lays out
    design for two phases or more?"""
    return action.kind == "clarify" and not action.facts and len(reading.phases) >= 2


def _follow_up(state: InterviewState, problem: Problem, reading: Reading, generic: GenericGuide,
               now: float) -> Action:
    """Everything after clarifications: help, diagrams, closing, the requirement change, pacing."""
    if reading.moves_to:  # the candidate leads: their phase, with its first question
        action = ask(state, problem, "move_on", reading.moves_to, generic, reading)
        if action:
            action.preface = "Sure."
            return action
    if state.mode == "practice":
        action = practice_help(state, problem, reading, generic)
        if action:
            return action
    elif reading.hint or reading.model_answer:
        action = ask(state, problem, "probe",
                     reading.asked_about or reading.dominant or state.current_phase or "problem_definition",
                     generic, reading)
        if action:
            action.preface = "In a mock interview I can't give hints or answers."
            return action
    action = diagram_question(state, reading) or closing(state, problem, reading, generic)
    if action:
        return action
    last = state.last_action
    if last and last.kind == "requirement_change" and not reading.phases and not reading.declined:
        # The change went unanswered ("hmm", "how much time is left?"): put it once more, then move on.
        return Action(kind="repeat", question=last.question, preface="Back to the change:")
    change = problem.requirement_change
    # Not as the first follow-up: after a whole design in one message, an interviewer asks about it first.
    if change and not state.requirement_change_done and state.asked and reached(state, change.after_phase):
        return Action(kind="requirement_change", target_phase=change.after_phase, question=change_question(change.text))
    exhausted: set[str] = set()  # phases with no question left
    if reading.already_said and state.asked_phases and state.asked_phases[-1]:
        exhausted.add(state.asked_phases[-1])  # "I already answered that": not that phase again now
    current, unanswered = reading.dominant or state.current_phase, not reading.phases and not reading.declined
    target = next_target(state, problem, current, reading.deepened, now, frozenset(exhausted), unanswered)
    while target:
        action = ask(state, problem, target[0], target[1], generic, reading)
        if action:
            return action
        exhausted.add(target[1])
        target = next_target(state, problem, current, reading.deepened, now, frozenset(exhausted), unanswered)
    return wrap_up(state, problem, "I've asked everything I had. Let's wrap up here.")


def apply(state: InterviewState, action: Action, now: float | None = None) -> None:
    """Record an action in the state (what was asked, revealed, probed; the gaps still to close)."""
    if action.question and action.kind in ASKING_KINDS:
        state.asked.append(action.question)
    # one entry per interviewer turn (None when it asked about no phase), so "in a row" means consecutive turns
    state.asked_phases.append(action.target_phase if action.kind in ASKING_KINDS else None)
    if action.kind == "probe" and action.target_phase:
        state.probes[action.target_phase] = state.probes.get(action.target_phase, 0) + 1
    if action.kind == "hint" and action.target_phase:
        state.hints[action.target_phase] = state.hints.get(action.target_phase, 0) + 1
    if action.kind == "requirement_change":
        state.requirement_change_done = True
    if action.kind == "diagram":
        state.diagram = action.diagram
    if action.kind == "close_gaps":
        if action.gaps:
            state.closing_brief = list(action.brief)
        remaining = action.gaps or state.closing or []
        state.closing = [g for g in remaining if g != action.target_phase]
    if action.kind == "wrap_up":
        state.status = "wrapped"
        state.ended_at = state.ended_at or now or time.time()
    state.revealed.extend(f for f in action.facts if f not in state.revealed)
    if action.kind in ("ask_skipped", "move_on", "close_gaps") and action.target_phase:
        state.current_phase = action.target_phase
    state.last_action = action


def and_list(phases: list[str]) -> str:
    names = [phase_title(p).lower() for p in phases]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
