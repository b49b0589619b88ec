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

from mlsd.content.problems import CUSTOM_PROBLEM_ID, GenericGuide, Problem
from mlsd.core.phases import PHASE_IDS, phase_title
from mlsd.core.text import after_dash, normalise
from mlsd.interview.pitfalls import Pitfall, load_pitfalls
from mlsd.interview.pacing import closing_gaps, next_target, touched
from mlsd.interview.replies import (UNSPECIFIED_IN_A_DESIGN, change_question, folds, question_on_the_table, reason,
                                   repeat, time_left, unanswered_change)
# The state, reading and action types live in `state`; they are imported from here by most callers.
from mlsd.interview.state import (ASKING_KINDS, COVERED, Action, ActionKind, InterviewState,  # noqa: F401
                                  Reading)


# -- choosing the question ----------------------------------------------------------------------------
def next_question(state: InterviewState, problem: Problem, phase: str, generic: GenericGuide,
                  made: Callable[[str, str], bool] = lambda q, p: False, opened: bool = False) -> str | None:
    """The first question for `phase` not asked yet and whose point the candidate has not made already:
    curated follow-ups first, then the generic ones, then questions made from expected points. `opened`:
    the candidate has laid this phase out already, so each list's first question, which invites them to
    start it ("What would you monitor after launch?"), would only ask for what they just said."""
    asked = {normalise(q) for q in state.asked}
    vocabulary = problem.vocabulary if generic.applies_when else frozenset()
    fits = lambda text: generic.applies(text, vocabulary)  # noqa: E731
    # a custom problem's own material is the generic material that fits its statement: none comes back through here
    custom = problem.id == CUSTOM_PROBLEM_ID
    points = problem.expected_points.get(phase, []) + [
        p for p in generic.expected_points.get(phase, []) if fits(p) and not custom]
    start = 1 if opened else 0
    more = [q for q in generic.followups.get(phase, [])[start:] if fits(q) and not custom]
    pools = [problem.followups.get(phase, [])[start:], more,
             [f"How does your design handle this: {p[0].lower() + p[1:].rstrip('.')}?" for p in points]]
    fresh = [q for pool in pools for q in pool if normalise(q) not in asked]
    return next((q for q in fresh if not made(q, phase)), None)


def ask(state, problem, kind: ActionKind, phase: str, generic: GenericGuide, reading: Reading) -> Action | None:
    if kind == "move_on" and state.asked_phases and state.asked_phases[-1] == phase:
        kind = "probe"  # already on this phase: a follow-up, not "let's move on to" it again
    q = next_question(state, problem, phase, generic, reading.made, opened=kind == "probe" and state.covered(phase))
    return Action(kind=kind, target_phase=phase, question=q) if q else None


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


COMMIT_FIRST = "Commit to your own answer"
HINT_POINT = "One thing a strong answer does here:"
CONCEPT = ("That's a concept rather than something about this problem: Ask answers those from the notes, with sources "
           "(the Ask page, or `mlsd ask`). Back to where we were:")
CONCEPT_ASIDE = "What a term means is for Ask (the Ask page, or `mlsd ask`), from the notes with sources."


def practice_help(state: InterviewState, problem: Problem, reading: Reading, generic: GenericGuide) -> Action | None:
    last = state.last_action
    # "hint please" with nothing else said is about the question on the table, not the phase last talked about
    open_phase = last.target_phase if last and (last.kind in ASKING_KINDS or last.kind in ("wait", "repeat")) else None
    target = reading.asked_about or reading.dominant or open_phase or state.current_phase or next(
        (p for p in PHASE_IDS if not state.covered(p)), "problem_definition")
    promised = last.target_phase if last and last.kind == "hint" and last.question.startswith(COMMIT_FIRST) else None
    if promised and promised in reading.phases:  # they committed, as asked: the outline promised, unasked again
        return Action(kind="model_answer", target_phase=promised, question=problem.model_answer.get(promised, ""),
                      preface="Thanks — as promised.")
    if reading.model_answer:
        if target in state.answered:  # the candidate has committed to an answer for this phase
            return Action(kind="model_answer", target_phase=target, question=problem.model_answer.get(target, ""))
        return Action(kind="hint", target_phase=target,
                      question=f"{COMMIT_FIRST} for {phase_title(target).lower()} first; then I'll show the model answer.")
    if not reading.hint:
        return None
    # Stuck on a question, the hint is the point that question is after; asked for help with nothing on the
    # table, a guiding question on the phase comes first (counted as asked, so never put again as a new one).
    stuck_on = question_on_the_table(state) if open_phase == target else ""
    question = None if stuck_on or state.hints.get(target) else next_question(state, problem, target, generic, reading.made)
    if question:
        return Action(kind="hint", target_phase=target, question=question,
                      preface=f"Think about {phase_title(target).lower()}:")
    # The expected points, one a hint: none hinted before and none the candidate has stated, the one nearest
    # the question they are stuck on first (on sampling when the question was how to sample).
    given = " ".join(state.asked)
    points = [after_dash(p.rstrip(".")) for p in problem.expected_points.get(target, [])]
    points = reading.unsaid([p for p in points if f"{HINT_POINT} {p}." not in given], stuck_on)
    if points:
        return Action(kind="hint", target_phase=target, question=f"{HINT_POINT} {points[0]}.")
    return Action(kind="hint", target_phase=target, question="That's all the hints for this phase; try moving to the next one.")


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


def challenge(state: InterviewState, reading: Reading) -> Action | None:
    """A questionable choice the candidate just stated in a chat turn, questioned before anything else (once).
    One in a whole design sent at once waits (the interviewer keeps it as `pending_challenge`): the phases
    that design skipped come first, as a person reading it asks about what is missing before a detail."""
    found = reading.pitfall
    if found is None or found.id in state.challenged or reading.long_turn:
        return None
    return challenge_of(found)


def challenge_of(found: Pitfall) -> Action:
    return Action(kind="challenge", target_phase=found.phase, question=found.question, pitfall=found.id)


def kept_challenge(state: InterviewState) -> Action | None:
    found = next((p for p in load_pitfalls() if p.id == state.pending_challenge), None)
    return challenge_of(found) if found and found.id not in state.challenged else None


def wrap_up(state: InterviewState, problem: Problem, why: str) -> Action:
    gaps = closing_gaps(state, problem, limit=3, thin=False)  # named as gaps: only what was not covered
    named = f" The biggest gap{'s were' if len(gaps) > 1 else ' was'} {and_list(gaps)}." if gaps else ""
    return Action(kind="wrap_up", question=f"{why}{named} End the interview to see your graded report.", gaps=gaps)


def closing(state: InterviewState, problem: Problem, reading: Reading, generic: GenericGuide) -> Action | None:
    """After "I'm done": the gaps one at a time, most important first; then wrap up."""
    if reading.end == "done" and state.closing is None:
        gaps = closing_gaps(state, problem)
        uncovered = sum(not state.covered(p) for p in PHASE_IDS)
        if uncovered == sum(not state.covered(g) for g in gaps) + 1:
            # exactly one uncovered phase more: name it, and ask it in turn, rather than say "and one other phase"
            gaps = closing_gaps(state, problem, limit=len(gaps) + 1)
        if not gaps:
            return wrap_up(state, problem, "You've covered every phase — let's wrap up here.")
        first = ask(state, problem, "close_gaps", gaps[0], generic, reading)
        if first:
            # a phase the candidate touched on without covering it is one to hear more about, not "not covered"
            first.gaps, first.brief = gaps, [g for g in gaps if touched(state, g)]  # covered is touched too
            # "you haven't covered A, B, C and D" must not read as the whole list when more is missing
            first.unnamed = uncovered - sum(not state.covered(g) for g in gaps)
            return first
        return wrap_up(state, problem, "Thanks, let's wrap up here.")
    if state.closing is None:
        return None
    if reading.declined or (reading.end and not reading.invites):
        return wrap_up(state, problem, "Fair enough — let's stop there.")
    for phase in state.closing:
        if closed_since(state, phase):
            continue
        action = ask(state, problem, "close_gaps", phase, generic, reading)
        if action:
            return action
    # A challenge kept from a written design is the last question before the end, never dropped by "I'm done".
    return kept_challenge(state) or wrap_up(state, problem, "Those were the gaps I wanted to ask about. Thanks.")


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
    action = repeat(state, problem) if reading.repeat else clarification(state, problem, reading)
    asked_last = last is not None and (last.kind in ASKING_KINDS or last.kind == "requirement_change")
    if action is None and reading.concept and not (reading.says_design or reading.phases) and asked_last:
        # a term to look up, and nothing else said: where to, then the question still open (after a fact told,
        # there is no question open: the follow-up comes instead, after the same pointer)
        action = repeat(state, problem)
        action.preface = CONCEPT
    if action and reading.why:
        action.preface = reason(state, problem, action)
    if reading.time_left and action is None and not (reading.says_design or reading.phases) and last \
            and last.kind in (*ASKING_KINDS, "repeat", "requirement_change"):
        # Only the clock was asked: told, then the question still on the table again, not a new one.
        action = repeat(state, problem)
        action.preface = time_left(state, now)
        return action
    if reading.pause and action is None and not (last and last.kind == "wait"):  # one wait, then on
        pending = last.target_phase if last and last.kind in ASKING_KINDS else None  # still the question on the table
        return Action(kind="wait", target_phase=pending, question="Sure, take your time — go ahead when you're ready.")
    if action and not folds(action, reading):
        return action
    follow_up = _follow_up(state, problem, reading, generic, now)
    if follow_up.kind != "wrap_up":  # what else the message asked, said before the follow-up
        unspecified = UNSPECIFIED_IN_A_DESIGN[(last.preface if last else "") == UNSPECIFIED_IN_A_DESIGN[0]]  # varied
        own = follow_up.preface or (unspecified if action else granted(reading))
        aside = CONCEPT_ASIDE if reading.concept and (reading.says_design or reading.phases or not asked_last) else ""
        said = [time_left(state, now) if reading.time_left else "", feedback(state) if reading.feedback else "", aside, own]
        follow_up.preface = " ".join(p for p in said if p)
    return follow_up


def granted(reading: Reading) -> str:
    """What the follow-up says first to a request it grants: "I already answered that", "can we skip scaling?"."""
    if reading.already_said:
        return "Fair enough."
    if reading.sets_aside and not reading.says_design:  # put off in passing inside a design: nothing to grant
        return f"Sure, we'll leave {phase_title(reading.sets_aside).lower()} aside."
    return ""


def feedback(state: InterviewState) -> str:
    """"Am I on the right track?": a mock interview keeps its verdict for the report; practice mode says
    what is covered so far (its coverage chart shows as much)."""
    if state.mode == "mock":
        return "I'll keep feedback for the report at the end — let's keep going."
    covered = [p for p in PHASE_IDS if state.covered(p)]
    missing = [p for p in PHASE_IDS if not state.covered(p)]
    said = f"So far you've covered {and_list(covered)}" if covered else "Nothing is covered clearly yet"
    return f"{said}; {and_list(missing)} {'has' if len(missing) == 1 else 'have'} not come up yet." if missing \
        else f"{said}: every phase."


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
    action = diagram_question(state, reading) or closing(state, problem, reading, generic) or challenge(state, reading)
    if action:
        return action
    action = unanswered_change(state, reading)
    if action:
        return action
    change = problem.requirement_change
    # Not as the first follow-up: after a whole design in one message, an interviewer asks about it first.
    if change and not state.requirement_change_done and state.asked and reached(state, change.after_phase):
        return Action(kind="requirement_change", target_phase=change.after_phase, question=change_question(change.text))
    exhausted: set[str] = set(state.set_aside)  # phases with no question left, or left out at the candidate's request
    if (reading.already_said or reading.declined or reading.moves_on) and state.asked_phases and state.asked_phases[-1]:
        exhausted.add(state.asked_phases[-1])  # "I already answered that", "pass", "next": not that phase again now
    current = reading.dominant or state.current_phase
    unanswered = not (reading.phases or reading.declined or reading.moves_on)
    target = next_target(state, problem, current, reading.deepened, now, frozenset(exhausted), unanswered)
    # A challenge kept from a written design: once every phase it left out has been raised and the candidate
    # has answered something since (after "hmm, not sure" the question still open comes first).
    unraised = [p for p in PHASE_IDS if not state.covered(p) and p not in state.set_aside and p not in state.asked_phases]
    if state.pending_challenge and reading.phases and not reading.pitfall and (target is None or not unraised):
        kept = kept_challenge(state)
        if kept:
            return kept
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
    if action.kind == "challenge":
        if action.pitfall not in state.challenged:
            state.challenged.append(action.pitfall)
        state.pending_challenge = ""
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


def and_list(phases: list[str], *more: str) -> str:
    """"serving, scalability and monitoring"; `more` are said after the phases ("3 other phases")."""
    names = [phase_title(p).lower() for p in phases] + list(more)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
