"""Replies to what a message asks of the interview itself, rather than of the design: the last question
again, the clock, a requirement change put once more, and "not specified" said beside the follow-up.
`policy.decide` chooses when; these say what.
"""

from __future__ import annotations

from mlsd.content.problems import Problem
from mlsd.core.phases import phase_title
from mlsd.interview.state import ASKING_KINDS, Action, InterviewState, Reading


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
    if last.kind == "hint" and not last.question.rstrip().endswith("?"):
        # a hint that is a point ("One thing a strong answer does here: …") helps with the question still
        # open: that question is what is put again, not the hint
        question = question_on_the_table(state)
        if question:
            return Action(kind="repeat", target_phase=phase, question=question)
    return Action(kind="repeat", target_phase=phase, question=last.question)


def question_on_the_table(state: InterviewState) -> str:
    """The last question put to the candidate: hints that are points and "that's all the hints" are not."""
    return next((q for q in reversed(state.asked) if q.rstrip().endswith("?")), "")


def reason(state: InterviewState, problem: Problem, action: Action) -> str:
    """"Why do you ask?": what the question is for — a phase not covered yet, or one to take deeper; said
    before the question again. Offline there is no more to say than that; an LLM words it from the turns."""
    if action.target_phase is None:
        return "Fair question: it changes the design, so I want to hear how you'd handle it."
    name = phase_title(action.target_phase).lower()
    weight = " and it carries a lot of weight for this problem" if problem.weight(action.target_phase) > 1 else ""
    if state.covered(action.target_phase):
        return f"Fair question: I want to see how far your thinking on {name} goes{weight}."
    return f"Fair question: we haven't heard much about {name} yet{weight}."  # "features hasn't" would not read


def unanswered_change(state: InterviewState, reading: Reading) -> Action | None:
    """A requirement change that went unanswered ("hmm", "how much time is left?") is put once more; after
    that the interview moves on. An answer in design terms counts even when no one phase is clear from it
    ("I'd score before the money moves, with step-up authentication"): a change cuts across phases."""
    last = state.last_action
    if last and last.kind == "requirement_change" and not (reading.phases or reading.says_design or reading.declined):
        return Action(kind="repeat", question=last.question, preface="Back to the change:")
    return None


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
