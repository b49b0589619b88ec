"""Pacing: which phase the next question is about, given the clock and what matters for this problem.

A good interviewer spends the remaining time over every gap, most important first: a phase the
candidate skipped past before one they have not reached yet, each weighted by the problem
(`phase_weights`: serving for real-time fraud, freshness for a news feed). It goes deeper on the
current phase while it is thin and there is time, but asks at most two questions in a row on one
phase unless the candidate keeps going deeper, and it raises every uncovered phase at least once
before the end when time allows.
"""

from __future__ import annotations

from mlsd.content.problems import Problem
from mlsd.core.phases import PHASE_IDS
from mlsd.interview.state import COVERED

# Minutes a phase takes in a 45-minute interview, before the problem's weights: framing and the core
# ML phases take a little more of the clock than the rest.
BASE_MINUTES = {"problem_definition": 1.4, "data": 1.2, "features": 1.0, "modeling": 1.3, "evaluation": 1.1,
                "serving": 1.0, "scalability": 0.8, "monitoring": 0.8}
MAX_IN_A_ROW = 2
MAX_PROBES = 2
MINUTES_PER_GAP = 2.0  # below this much time per remaining gap, stop going deeper and raise the gaps
TOUCHED = COVERED / 2  # coverage from which a phase has been talked about, if not enough to count
ASKED_ENOUGH = 3  # questions on one gap after which it waits for the rest


def phase_budget_min(time_budget_min: float, phase: str, problem: Problem | None = None) -> float:
    weights = {p: BASE_MINUTES[p] * (problem.weight(p) if problem else 1.0) for p in PHASE_IDS}
    return time_budget_min * weights[phase] / sum(weights.values())


def touched(state, phase: str) -> bool:
    """Something was said about the phase, if not enough to cover it (or more)."""
    return state.coverage.get(phase, 0.0) >= TOUCHED


def ordered_gaps(state, problem: Problem, by_weight: bool = False) -> list[str]:
    """Uncovered phases, most urgent first: the ones the candidate skipped past (a later phase is covered),
    heavier-weighted first, untouched before touched on; then the ones not reached yet, in interview order
    — or, when time is short (`by_weight`), heavier-weighted first as well."""
    covered = [i for i, p in enumerate(PHASE_IDS) if state.covered(p)]
    furthest = max(covered) if covered else -1
    gaps = [(i, p) for i, p in enumerate(PHASE_IDS) if not state.covered(p)]
    # Of equal weight, a phase skipped past with nothing said about it comes before one the candidate touched
    # on: the untouched one is the bigger hole, and the touched one is where the judgment is likeliest to have
    # missed a point made (on our answers, 18 of the 22 first follow-ups aimed at a phase the answer does
    # cover went to such a phase; 4 do now).
    skipped = sorted((g for g in gaps if g[0] < furthest), key=lambda g: (-problem.weight(g[1]), touched(state, g[1]), g[0]))
    ahead = sorted((g for g in gaps if g[0] > furthest), key=lambda g: ((-problem.weight(g[1]) if by_weight else 0), g[0]))
    return [p for _, p in skipped + ahead]


def is_skipped(state, phase: str) -> bool:
    return any(state.covered(p) for p in PHASE_IDS[PHASE_IDS.index(phase) + 1:])


def closing_gaps(state, problem: Problem, limit: int = 4, thin: bool = True) -> list[str]:
    """The biggest gaps when the candidate says they are done: uncovered phases, most important first,
    then thin ones (one passing mention): a mention the judgment took for coverage may be no more than
    that, and an interviewer asks about a thin phase before letting the candidate go."""
    order = lambda p: (-problem.weight(p), PHASE_IDS.index(p))  # noqa: E731
    # of the uncovered phases, those nothing was said about first: the bigger holes
    gaps = sorted((p for p in PHASE_IDS if not state.covered(p)),
                  key=lambda p: (touched(state, p), *order(p)))
    if not thin:
        return gaps[:limit]
    mentions = sorted((p for p in PHASE_IDS if state.covered(p) and state.depth.get(p, 0) <= 1), key=order)
    return (gaps + mentions)[:limit]


def streak(state) -> str | None:
    """The phase of the last MAX_IN_A_ROW questions when they were all on one phase. A reply that asks
    about no phase (a clarification answered, a requirement change) does not break the run: three
    questions on evaluation with a fact told in between are still three in a row to the candidate."""
    recent = [p for p in state.asked_phases if p is not None][-MAX_IN_A_ROW:]
    return recent[0] if len(recent) == MAX_IN_A_ROW and recent[0] and len(set(recent)) == 1 else None


def next_target(state, problem: Problem, current: str | None, deepened: bool, now: float,
                exclude: frozenset[str] = frozenset(), unanswered: bool = False) -> tuple[str, str] | None:
    """(action kind, phase) for the next question, or None when nothing is left to ask about.

    Skipped gaps first (the candidate moved past them), then deeper on a thin current phase while there
    is time, then the next gap not reached yet; never a third question in a row on one phase unless the
    candidate went deeper. `exclude`: phases with no question left to ask. `unanswered`: the last turn
    said nothing about anything (but did not decline): the same gap gets one more question first."""
    remaining = max(0.0, state.time_budget_min - state.elapsed_min(now))
    on_streak = streak(state)
    last = state.asked_phases[-1] if state.asked_phases else None
    if unanswered and last and last not in exclude and last != on_streak and not state.covered(last):
        return ("ask_skipped" if is_skipped(state, last) else "move_on"), last
    allowed = lambda p: p not in exclude and (p != on_streak or (p == current and deepened))  # noqa: E731
    gaps = [g for g in ordered_gaps(state, problem) if allowed(g)]
    hurry = bool(gaps) and remaining < MINUTES_PER_GAP * len(gaps)
    if hurry:  # little time left: every gap raised once, most important first
        gaps = [g for g in ordered_gaps(state, problem, by_weight=True) if allowed(g)]
        never = [g for g in gaps if g not in state.asked_phases]
        return ("ask_skipped" if is_skipped(state, (never or gaps)[0]) else "move_on"), (never or gaps)[0]
    # A gap asked about ASKED_ENOUGH times that the answers never covered waits until nothing else is left
    # (and for the closing): asking it a fifth time is nagging, and the judgment may simply have missed it.
    nagged = [g for g in gaps if state.asked_phases.count(g) >= ASKED_ENOUGH]
    fresh = [g for g in gaps if g not in nagged]
    skipped = [g for g in fresh if is_skipped(state, g)]
    if skipped:
        return "ask_skipped", skipped[0]
    if current and allowed(current) and state.depth.get(current, 0) <= 1 and state.probes.get(current, 0) < MAX_PROBES \
            and state.phase_seconds.get(current, 0.0) / 60 < 1.5 * phase_budget_min(state.time_budget_min, current, problem):
        return "probe", current
    if gaps:
        gap = (fresh + nagged)[0]
        return ("ask_skipped" if gap in nagged and is_skipped(state, gap) else "move_on"), gap
    thin = [p for p in PHASE_IDS if state.covered(p) and state.depth.get(p, 0) <= 1 and allowed(p)]
    thin.sort(key=lambda p: -problem.weight(p))
    if thin:
        return "probe", thin[0]
    # Every phase covered and taken deeper, and the candidate has not said they are done: an interviewer
    # with time left goes deeper still, where least has been said, rather than end the interview unasked.
    deeper = [p for p in PHASE_IDS if state.covered(p) and allowed(p)]
    deeper.sort(key=lambda p: (state.depth.get(p, 0), -problem.weight(p)))
    return ("probe", deeper[0]) if deeper else None
