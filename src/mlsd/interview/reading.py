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

from mlsd.core.text import split_sentences
from mlsd.content.problems import Problem
from mlsd.evidence import EvidenceEngine, EvidenceState, JudgedUnit
from mlsd.evidence.phase_names import (phase_asked_about, phase_asked_to_skip, phase_deferred, phase_done_in,
                                       phase_moved_to, phase_named_in, phase_set_aside)
from mlsd.interview.answered import answered_by_naming
from mlsd.interview.clarify import FactMatcher, checks_back, question_parts
from mlsd.interview.diagram_review import read_diagram
from mlsd.interview.policy import Reading
from mlsd.interview.intents import read_intents
from mlsd.interview.pitfalls import PitfallReader
from mlsd.interview.signals import (asks_concept, asks_feedback, asks_time_left, asks_to_move_on, asks_why,
                                   confirms_concept, invites_questions, is_concept_question, is_hint_request,
                                   is_pause_request, is_refusal, is_repeat_request, says_already_answered)
from mlsd.knowledge.embeddings import get_embedder

SURE_DESIGN = 0.7  # a statement around a question that makes it the candidate's own (`self_answered`)
CHAT_TURN_UNITS = 4  # more units than this: a design written out at once, not a chat turn
STATED = 0.6  # an expected point one of the candidate's statements resembles this much was made already
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
        rhetorical = self_answered(judged)
        if hint and _answers_own_request(judged, rhetorical):
            hint = False  # "should we use deep learning? I don't think we need it — trees get most of the way"
        meta = hint or model_answer or repeat  # a request that asks no fact ("let me think. What's the QPS?" does)
        phases = [] if meta or pause else self.engine.turn_phases(judged)
        # Clarifying questions are answered from the spec; a question about the interview ("should I go on
        # to serving?", "can I get a hint?") is not a clarification, so it gets no "not specified" reply.
        # "what's MRR again exactly?" inside a design message asks what a term means: no fact of this
        # problem answers it, so it is neither a clarification nor one the spec "leaves out"
        terms = {i for i, u in enumerate(judged)
                 if u.unit.question and is_concept_question(u.unit.text, text[:u.unit.start])}
        # "idk for monitoring. acceptance rate?": after a hedge, a bare phrase with a question mark is a guess
        hedged = bool(_HEDGE.search(text))
        guesses = {i for i, u in enumerate(judged) if hedged and u.unit.question and _BARE.match(u.unit.text)}
        # "Does that sound about right?" reads as meta; after an assumption it checks it (clarify.question_parts)
        asking = [u.unit.text for i, u in enumerate(judged) if i not in rhetorical | terms | guesses and (
            u.asks >= 0.5 or (u.unit.question and (u.meta < 0.5 or checks_back(u.unit.text))))]
        match = self.matcher.match("\n".join(asking)) if asking and not meta and not end else None
        # "what is PSI?": a term to look up, not a fact of this problem the spec leaves out; so is "precision is
        # just the share of flagged people who leave, right?" when no fact of the problem answers it — and then
        # the doubts that follow it in the message are about the term too
        confirms = any(u.unit.question and confirms_concept(u.unit.text) for u in judged)
        concept = ((bare and not (match and match.facts) and asks_concept(text)) or bool(terms and not meta)
                   or (confirms and not meta and not (match and match.facts)))
        dominant = phases[0] if phases else None
        deferred = None if end else phase_deferred(text)
        sets_aside = None if end else (phase_set_aside(text) if bare else phase_asked_to_skip(text)) or deferred
        # "let's park scaling for now, I'd rather get to evaluation": where to go, in the same breath
        moves_to = phase_moved_to(text) if (bare or deferred) and not (meta or end) else None
        if moves_to == deferred:
            moves_to = None  # "I'll come back to monitoring later" names where not to go
        return Reading(
            text=text, phases=phases, says_design=not bare, end=end, invites=end == "done" and invites_questions(text),
            declined=(bare and any(u.defer >= 0.5 for u in judged)) or is_refusal(text),
            moves_on=bare and asks_to_move_on(text),
            sets_aside=sets_aside,
            hint=hint, model_answer=model_answer, repeat=repeat, pause=pause, why=why,
            asked_about=asked_about(text, hint, model_answer),
            moves_to=moves_to,
            time_left=asks_time_left(text),
            already_said=bare and says_already_answered(text),
            feedback=bare and asks_feedback(text),
            deepened=bool(dominant) and depth_after.get(dominant, 0) > depth_before.get(dominant, 0),
            facts=match.facts if match else [], unmatched_questions=match.unmatched if match and not concept else 0,
            concept=concept, long_turn=len(judged) > CHAT_TURN_UNITS,
            diagram=read_diagram(text, self.problem, prose(evidence)) if self.problem else None,
            pitfall=self.pitfalls.find(judged, challenged) if self.pitfalls and not (meta or pause or end) else None,
            made=lambda question, phase: point_made(evidence, question, phase) or self.told(question, revealed),
            unsaid=lambda points, to: nearest_first([p for p in points if not point_stated(evidence, p)], to))

    def told(self, question: str, revealed: tuple[str, ...]) -> bool:
        """Does the question ask only for facts the interviewer has told already ("roughly how many requests
        should it handle?" after the request volume was given)? Asking it would ask for what we said."""
        if not revealed:
            return False
        facts = self.matcher.match(question).facts
        return bool(facts) and set(facts) <= set(revealed)


_EXPLICIT_HINT = re.compile(r"\b(?:hint|stuck|clue|nudge|help me)\b", re.I)


def _answers_own_request(judged: list[JudgedUnit], rhetorical: set[int]) -> bool:
    """Every question of the message that reads as a request for help is one the candidate answers at once."""
    asking = [i for i, u in enumerate(judged) if u.unit.question and is_hint_request(u.unit.text)]
    if any(_EXPLICIT_HINT.search(judged[i].unit.text) for i in asking):
        return False  # "any hint? like what do u do w/ an ad that has 0 impressions" asks, whatever follows
    return bool(asking) and all(i in rhetorical for i in asking)


def asked_about(text: str, hint: bool, model_answer: bool) -> str | None:
    """The phase a request for help names: after a preposition ("a hint on the data part"), or for a hint
    anywhere ("which model would you use here?" asks about modeling). The request's own sentence says it
    first: in "i think thats it for the model. not sure how id evaluate it tho, how would you do it?" the
    help wanted is on evaluation, whatever phase the sentence before closed. Questions are read from the
    last, then the other sentences from the last, then the message whole."""
    if not (hint or model_answer):
        return None
    sentences = split_sentences(text)
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    for part in [*reversed(asking), *reversed(sentences), text] if len(sentences) > 1 else [text]:
        found = phase_asked_about(part) or (phase_named_in(part) or phase_done_in(part) if hint else None)
        if found:
            return found
    return None


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
    # Only a statement judged surely design counts: "I want to understand the business context." and "That
    # changes who we should target." around two questions are a lead-in and a reason (both judged 0.56).
    design = [not u.unit.question and u.content >= SURE_DESIGN and u.asks < 0.5 and not _GUESS.search(u.unit.text)
              for u in judged]
    return {k for k, u in enumerate(judged) if u.unit.question
            and ((k + 1 < len(judged) and design[k + 1]) or (any(design[:k]) and any(design[k + 1:])))}


def prose(evidence: EvidenceState) -> str:
    """What the candidate has said in words so far (not in diagrams)."""
    return " ".join(u.unit.text for u in evidence.units if not u.unit.drawn)


def named_in(evidence: EvidenceState) -> list[str]:
    """What the candidate's statements say, and the terse fragments beside them in the same turn: "drop
    cancelled." reads as no statement on its own (content 0.32), but after "labels from completed orders" it
    says which orders are left out. Questions and deferrals name nothing they did."""
    designed = {u.unit.turn for u in evidence.statements()}
    return [u.unit.text for u in evidence.units
            if u.content >= 0.5 or (u.unit.turn in designed and not u.unit.question and u.defer < 0.5 and u.asks < 0.5)]


def point_made(evidence: EvidenceState, question: str, phase: str) -> bool:
    """Has the candidate already said what `question` asks? Their statements count, and so does a sentence
    the judgment reads as off-topic that is no question (`EvidenceState.said`), whatever phase it was judged
    to cover: "downsampling negatives plus reweighting" answers an imbalance question asked under modeling
    as well as under data."""
    said = evidence.said_vectors()
    if not len(said):
        return False
    if answered_by_naming(question, named_in(evidence)):
        return True  # "model: gbdt…" answers "which model family would you start with?"
    # "How often would you retrain, and what must a new model pass to go live?": its first part, answered
    # ("Retrain weekly, since fraud patterns shift"), makes the question a repeat too
    parts = [question] + [p for p in question_parts(question) if p != question][:1]
    vectors = get_embedder().embed(parts)
    return float(np.max(said @ np.asarray(vectors).T)) >= MADE


def point_stated(evidence: EvidenceState, point: str) -> bool:
    """Has something the candidate said (`EvidenceState.said`) made this expected point? Statement against
    statement: they sit closer in MiniLM than a question and its answer do, so the bar is higher than MADE
    ("labels come from chargebacks, weeks later" is 0.69 from the chargeback point and 0.46 from the one on
    declined transactions never getting labels)."""
    said = evidence.said_vectors()
    return bool(len(said)) and float(np.max(said @ get_embedder().embed([point])[0])) >= STATED


def nearest_first(texts: list[str], to: str) -> list[str]:
    """`texts` ordered by closeness in meaning to `to` (as given when there is nothing to compare with)."""
    if len(texts) < 2 or not to.strip():
        return list(texts)
    vectors = get_embedder().embed([to, *texts])
    return [texts[i] for i in np.argsort(-(vectors[1:] @ vectors[0]), kind="stable")]


