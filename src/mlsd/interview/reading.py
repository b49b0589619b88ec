"""Reading a candidate's turn: what it covers, what it asks, and what it asks of the interview.

The evidence engine judges the turn's units (in the context of the interviewer's last question);
this module turns that into the `Reading` the policy decides on: the phases the turn covers, the
hidden-spec facts it asks for, whether it says "I'm done" or "let's stop", declines to answer, asks
for a hint, to hear the last question again, for a moment to think or to go to a phase — and a check
that a question's point has not been made already.
"""

from __future__ import annotations

import re

import numpy as np

from mlsd.content.problems import Problem
from mlsd.evidence import EvidenceEngine, EvidenceState, JudgedUnit
from mlsd.evidence.segmentation import phase_asked_about, phase_moved_to, phase_named_in, phase_set_aside
from mlsd.interview.clarify import FactMatcher
from mlsd.interview.diagram_review import read_diagram
from mlsd.interview.policy import Reading
from mlsd.interview.intents import read_intents
from mlsd.interview.pitfalls import PitfallReader
from mlsd.interview.signals import (asks_concept, asks_feedback, asks_time_left, asks_to_move_on, asks_why,
                                   is_concept_question, is_pause_request, is_refusal, is_repeat_request,
                                   says_already_answered)
from mlsd.knowledge.embeddings import get_embedder

CHAT_TURN_UNITS = 4  # more units than this: a design written out at once, not a chat turn
MADE = 0.45  # a question that one of the candidate's design statements resembles this much was answered already


class TurnReader:
    def __init__(self, engine: EvidenceEngine, matcher: FactMatcher, problem: Problem | None = None):
        self.engine = engine
        self.matcher = matcher
        self.problem = problem  # for reading diagrams against it (None: diagrams are not read)
        self.pitfalls = PitfallReader(problem) if problem else None  # questionable choices to challenge

    def read(self, evidence: EvidenceState, text: str, judged: list[JudgedUnit], depth_before: dict[str, int],
             depth_after: dict[str, int], revealed: tuple[str, ...] = (), challenged: tuple[str, ...] = ()) -> Reading:
        content = max((u.content for u in judged), default=0.0)
        bare = content < 0.5  # no design said: the message may be a request about the interview alone
        # Requests that say nothing else: "sorry, what was the question?", "can I take a minute?"
        # "why does that matter here? dont see why id need that for v1": the doubt after the question may read
        # as content, and the reason is still what is asked
        why = asks_why(text)
        repeat = why or (bare and is_repeat_request(text))
        pause = bare and not repeat and is_pause_request(text)
        end, hint, model_answer = (None, False, False) if repeat or pause else read_intents(text, judged)
        meta = hint or model_answer or repeat  # a request that asks no fact ("let me think. What's the QPS?" does)
        phases = [] if meta or pause else self.engine.turn_phases(judged)
        # Clarifying questions are answered from the spec; a question about the interview ("should I go on
        # to serving?", "can I get a hint?") is not a clarification, so it gets no "not specified" reply.
        rhetorical = self_answered(judged)
        # "what's MRR again exactly?" inside a design message asks what a term means: no fact of this
        # problem answers it, so it is neither a clarification nor one the spec "leaves out"
        terms = {i for i, u in enumerate(judged) if u.unit.question and is_concept_question(u.unit.text)}
        # "idk for monitoring. acceptance rate?": after a hedge, a bare phrase with a question mark is a guess
        hedged = bool(_HEDGE.search(text))
        guesses = {i for i, u in enumerate(judged) if hedged and u.unit.question and _BARE.match(u.unit.text)}
        asking = [u.unit.text for i, u in enumerate(judged)
                  if (u.asks >= 0.5 or (u.unit.question and u.meta < 0.5)) and i not in rhetorical | terms | guesses]
        match = self.matcher.match("\n".join(asking)) if asking and not meta and not end else None
        # "what is PSI?": a term to look up, not a fact of this problem the spec leaves out
        concept = (bare and not (match and match.facts) and asks_concept(text)) or bool(terms and not meta)
        dominant = phases[0] if phases else None
        return Reading(
            text=text, phases=phases, says_design=not bare, end=end,
            declined=(bare and any(u.defer >= 0.5 for u in judged)) or is_refusal(text),
            moves_on=bare and asks_to_move_on(text),
            sets_aside=phase_set_aside(text) if bare and not end else None,
            hint=hint, model_answer=model_answer, repeat=repeat, pause=pause, why=why,
            asked_about=asked_about(text, hint, model_answer),
            moves_to=phase_moved_to(text) if bare and not (meta or end) else None,
            time_left=asks_time_left(text),
            already_said=bare and says_already_answered(text),
            feedback=bare and asks_feedback(text),
            deepened=bool(dominant) and depth_after.get(dominant, 0) > depth_before.get(dominant, 0),
            facts=match.facts if match else [], unmatched_questions=match.unmatched if match and not concept else 0,
            concept=concept, long_turn=len(judged) > CHAT_TURN_UNITS,
            diagram=read_diagram(text, self.problem, prose(evidence)) if self.problem else None,
            pitfall=self.pitfalls.find(judged, challenged) if self.pitfalls and not (meta or pause or end) else None,
            made=lambda question, phase: point_made(evidence, question, phase) or self.told(question, revealed))

    def told(self, question: str, revealed: tuple[str, ...]) -> bool:
        """Does the question ask only for facts the interviewer has told already ("roughly how many requests
        should it handle?" after the request volume was given)? Asking it would ask for what we said."""
        if not revealed:
            return False
        facts = self.matcher.match(question).facts
        return bool(facts) and set(facts) <= set(revealed)


def asked_about(text: str, hint: bool, model_answer: bool) -> str | None:
    """The phase a request for help names: after a preposition ("a hint on the data part"), or for a hint
    anywhere ("which model would you use here?" asks about modeling)."""
    if not (hint or model_answer):
        return None
    return phase_asked_about(text) or (phase_named_in(text) if hint else None)


_HEDGE = re.compile(r"\b(?:idk|i don'?t know|i do not know|dunno|not sure|no idea|maybe|i guess|perhaps)\b", re.I)
# A phrase of a few words with no question word: "acceptance rate?", "maybe gradient boosting?"
_BARE = re.compile(r"^\W*(?:maybe\s+|perhaps\s+)?(?!(?:how|what|whats|when|where|which|who|why|do|does|did|is|are|was|were|can|"
                   r"could|would|should|will|any|and|or)\b)[\w@%/.+-]+(?:\s+[\w@%/.+-]+){0,3}\?\s*$", re.I)
_GUESS = re.compile(r"\b(?:i guess|i'?d guess|i suppose|i assume|presumably|probably|maybe|perhaps|if (?:it'?s|that'?s|they'?re|"
                    r"so|yes|not)|in that case)\b", re.I)


def self_answered(judged: list[JudgedUnit]) -> set[int]:
    """The questions of one turn (indexes into `judged`) that the candidate does not put to the
    interviewer. Two shapes, both common in long answers and notes: a question answered at once with a
    design statement ("What about cold start? New users get the popular items."), and a question in the
    middle of their design — design both before and after it ("is sender in contacts?" in a list of
    features). Questions up front, at the end, or followed by an assumption are asked."""
    # A guess after a question ("Users click report spam, I guess", "If it's half, then… probably a cascade")
    # still wants the answer: the question is asked.
    design = [not u.unit.question and u.content >= 0.5 and u.asks < 0.5 and not _GUESS.search(u.unit.text) for u in judged]
    return {k for k, u in enumerate(judged) if u.unit.question
            and ((k + 1 < len(judged) and design[k + 1]) or (any(design[:k]) and any(design[k + 1:])))}


def prose(evidence: EvidenceState) -> str:
    """What the candidate has said in words so far (not in diagrams)."""
    return " ".join(u.unit.text for u in evidence.units if not u.unit.drawn)


def point_made(evidence: EvidenceState, question: str, phase: str) -> bool:
    """Has the candidate already said what `question` asks? Any design statement counts, whatever phase it
    was judged to cover: "downsampling negatives plus reweighting" answers an imbalance question asked
    under modeling as well as under data."""
    units = [u for u in evidence.units if u.content >= 0.5]
    if not units:
        return False
    q = get_embedder().embed([question])[0]
    return float(np.max(np.vstack([u.vector for u in units]) @ q)) >= MADE
