"""The questions in a candidate's message, each sub-question apart and without the context that leads into it.

A message can ask several things in one breath ("how many per second at peak, and what's the latency
budget?", "How many tickets and teams?", "Numbers first: peak QPS, candidates per request, base CTR?"), put
a question as a statement ("I'd like to know what the company hopes to gain"), check an assumption ("I'll
assume 50 million members. Does that sound about right?"), or ask nothing at all (a proposal put as a
question, a reaction asked for, a question about the interview itself). `question_parts` returns what is
asked, one part per thing; `clarify` matches each part to the hidden spec's facts.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mlsd.core.text import split_sentences
from mlsd.evidence.segmentation import is_proposal
from mlsd.interview.signals import asks_time_left
from mlsd.knowledge.lexical import STOPWORDS, lexical_terms

_INTERROGATIVE = (r"(?:how|hw|hwo|what|wat|wht|whats|what's|when|where|which|who|whom|why|do|does|did|is|are|was|were|"
                  r"can|could|would|should|will|any)")
# A question may open with a word or two before its interrogative: "so roughly how many…", "in how many cities…".
# "…and on which surfaces do they appear?": a preposition may lead a wh-word (not "and for any new user").
_LED_WH = r"(?:on|at|for|from|to|with|by|under|through|in)\s+(?:which|what|whom|how)\b"
STARTS_ASKING = re.compile(rf"^\W*(?:(?:ok(?:ay)?|so|and|also|then|but|roughly|approximately|about|in|quick question|"
                            rf"one more)[,:]?\s+){{0,2}}(?:{_INTERROGATIVE}\b|{_LED_WH})", re.I)
_ASKING = re.compile(r"\b(?:wondering|i wonder|curious|not sure (?:what|how|if|whether)|do we know|can you tell|tell me|"
                     r"i(?:'?d| would)? (?:like|want|need) to (?:know|understand|check|confirm|clarify|find out|be sure)|"
                     r"i'?d want to know)\b", re.I)
# "I'll assume we need a fresh score for every user each day - is that right?": an assumption put up to be
# checked asks for the fact that settles it, whatever tag closes it.
_ASSUMPTION = re.compile(r"\b(?:assum\w*|i'?ll (?:go with|take)|let'?s say)\b", re.I)
# Context before the question: "I'm working out my features, so what gets recorded…", "X aside, what…".
_LEAD_IN = re.compile(rf"(?:,|;|:|—|\s-\s|\bso\b|\bbut\b)\s+(?={_INTERROGATIVE}\b)", re.I)
# "…but what I really need right now is how many…": a question even when it ends in a full stop.
_NEED_LEAD = re.compile(r"\bi (?:really |actually )?need(?: to know)?(?: right now| first| now)? is\s+", re.I)
# A sentence closed by a full stop or "!" is a statement ("When latency spikes, we fall back to rules.",
# "**What we are deciding.**"), whatever word it opens with; only saying so makes it a question.
_STATEMENT_END = re.compile(r"[.!]\W*$")
# A hedged proposal in question form ("Probably precompute candidates and rank online?", "we could shard
# by user?") thinks aloud about the design: a fact it happens to match is still told, but when none
# does it is not a question about the problem, so "not specified" would answer nothing it asked.
# A short lead-in may come first: "For the email digest — I think it could be the same model…?", "Hmm,
# scaling — I mean, I don't know, I guess it's just more machines?"
TENTATIVE = re.compile(r"^\W*(?:[^?—–:]{0,40}(?:—|–|:|,)\s*)?(?:hmm\W+|i mean\W+|i don'?t know\W+)*"
                        r"(?:probably|maybe|perhaps|possibly|i guess|i think|i suppose|i'?d|i would|i'?ll|we'?d|"
                        r"we would|we could|we can|we'?ll|so we'?d)\b(?![^?]*\bassum)", re.I)
# The candidate's own test, put as the question it answers: "I'd also check the approach against last year:
# would the people it flagged in March actually have left by April?", "compare them with riders still seeing
# the old times: do fewer of them cancel?". It asks about the candidate's own system and its subjects in the
# third person; a question to the interviewer speaks to them or for the company ("We'd log everything: is
# that allowed here?", "to size it: do we have labels?").
_OWN_TEST = re.compile(r"\b(?:check|test|verify|see|measure|compare|validate|evaluate|backtest|ask (?:ourselves|myself))\b"
                       r"[^?:]{0,100}:\s*(?:would|do|does|did|is|are|was|were|will|can|could|how (?:many|much|often))\b"
                       r"(?![^?]*\b(?:we|you|our|your|us|here)\b)(?=[^?]*\b(?:it|they|them|those|these|its|their)\b)", re.I)
# "I'd assume around 50 million members and a few million postings - right?" puts up two numbers to check
_NEXT_QUANTITY = re.compile(r",?\s+and\s+(?=(?:about |around |roughly |maybe |say |like |up to )?(?:\d|a few\b|several\b|"
                            r"tens\b|hundreds\b|thousands\b|millions\b))", re.I)
# "…and how long the trip takes?" is the object of what came before ("so we show riders how long until the car
# arrives and how long the trip takes?"): a wh-word with a determiner straight after it opens no question of its own
# ("…success for the feed, and roughly how many users…": an adverb may follow "and"; after a comma it is a
# lead-in's: "Of the loans we hand out, roughly what share go bad?")
_SUB_QUESTION = re.compile(rf"\s*(?:,|;|\band\b(?:\s+(?:roughly|approximately|about|also|then)\b)?|—|\s-\s|\balso\b)"
                           rf"\s+(?={_INTERROGATIVE}\b|{_LED_WH})"
                           r"(?!(?:how|what|which|where|when|who|why)(?:\s+(?:long|many|much|often|far|big|soon|fast))?\s+"
                           r"(?:the|our|their|its|my|your|this|these|those)\b)", re.I)
# A question about the interview's own course ("can we come back to that?", "should I go on to serving?")
# asks the interviewer for leave, not for a fact. ("Is it ok if I assume 1,000 QPS?" does ask for one.)
_ABOUT_THE_INTERVIEW = re.compile(
    r"\b(?:can|could|may|shall) (?:we|i) (?:come back|return|skip|move on|go back|park|leave|start|continue|focus|"
    r"talk about \w+ later)\b|\b(?:should|shall) i\b|\b(?:do|would) you (?:want|like) me to\b|\bwant me to\b|"
    r"\b(?:(?:is|would) it be (?:ok|okay|fine|alright)|is it (?:ok|okay|fine|alright)|(?:do|would) you mind|mind) if (?:i|we) "
    r"(?:skip|leave|come back|return|move on|go|jump|start|focus|park|talk about \w+ later)\b|"
    # "Monitoring i skip, is ok?", "let's move to next": leave again, in other words
    r"\b(?:i|we) (?:skip|leave|park)\b[^?]{0,30}\b(?:is|it'?s|is it) (?:ok|okay|fine|alright)\b|"
    r"\blet'?s (?:move|go) (?:on|to (?:the )?next)\b", re.I)
# a wh-question, then after a comma, dash or colon the answers it offers: "…, engagement or something else?"
# ("Do we have a GPU fleet, or is it CPUs?" asks which of the two: its head alone is not the question)
OFFERED = re.compile(r"^(?P<head>\W*(?:\w+\W+){0,2}?(?:what|wat|whats|what's|which|how|who|where|when)\b.{4,}?)(?:,|\s[—–-]\s|:)\s*(?P<options>[^?]*\bor\b[^?]*)\?\s*$", re.I)
_CONFIRMATION = re.compile(r",?\s*(?:right|correct|yes|yeah|no|isn'?t it|don'?t they)\?$", re.I)


def question_parts(text: str) -> list[str]:
    """The questions in a message, each sub-question apart and without the context that leads into it;
    a follow-up with nothing of its own to ask about ("Are there many of those?", "how many?", "Is that
    per day?") stays with the question before it, so it is matched as part of that one."""
    return list(_question_parts(text))


@lru_cache(maxsize=2048)
def _question_parts(text: str) -> tuple[str, ...]:
    # kept: the policy checks the same curated questions against what was said on every turn
    parts: list[str] = []
    previous, after_pair = "", False
    for line in text.splitlines():
        for sentence in split_sentences(line):
            for piece in re.split(r"(?<=\?)\s+", sentence):
                piece = piece.strip()
                if checks_back(piece):
                    if not (_ASSUMPTION.search(previous) and not previous.endswith("?")):
                        previous = piece
                        continue  # "We rank with a GBDT. Does that sound right?": a reaction asked for, no fact
                    # "I'd assume 50 million members. Does that sound about right?": the assumption is checked
                    piece = f"{previous.rstrip('.!')} - {piece}"
                confirmed = previous if _CONFIRMATION.search(previous) and not parts else ""
                previous = piece
                listed = [(item, False) for item in ([] if parts else _asked_as_a_list(piece))]
                for part, paired in listed or _questions_in(piece):
                    # a follow-up after "how many listings and images" refers back to both ("…, and how often
                    # do they change?"): it is asked on its own terms, not folded into the second
                    if parts and _follows_up(part) and not after_pair:
                        parts[-1] = f"{parts[-1]} {part}"
                    elif confirmed and len(part.split()) <= 4 and _HOW_MUCH.match(part):
                        # "Promotions are known ahead of time, right? How far in advance?": the fact checked is
                        # what the short question asks about
                        parts.append(f"{_CONFIRMATION.sub('', confirmed)} - {part}")
                    else:
                        parts.append(part)
                    after_pair = paired
    return tuple(parts)


# "Numbers first: peak QPS, candidates per request, scoring budget, base CTR?": the things asked for, listed
_LIST_LEAD = re.compile(r"^[^:?]{0,40}:\s*")
_SPOKEN = re.compile(r"\b(?:i|i'm|i'd|i'll|we|we'd|you|it's|that's)\b|[—–]", re.I)  # a clause said, not a thing named
_LIST_ITEM = re.compile(r"\s*(?:,|;|\band\b)\s*", re.I)


def _asked_as_a_list(piece: str) -> list[str]:
    """The items of a question that is only a list of things asked for (three or more, of six words at most, with
    no "or" offering options), said first in its message: each is asked on its own. A list after a question
    gives examples of what that question asks ("what do we log? likes, comments, dwell time?"), and stays whole."""
    if not piece.endswith("?") or re.search(r"\bor\b", piece, re.I):
        return []
    items = [i.strip(" ?") for i in _LIST_ITEM.split(_LIST_LEAD.sub("", piece)) if i.strip(" ?")]
    if len(items) < 3 or any(len(i.split()) > 6 or STARTS_ASKING.match(i) or _SPOKEN.search(i) or not lexical_terms(i)
                             for i in items):
        return []  # not "Hmm, scaling — I mean, I don't know, I guess it's just more machines?"
    return [f"{i}?" for i in items]


# a bare request to check what was just said: "Does that sound about right?", "Is that reasonable?", "right?"
_CHECKS_BACK = re.compile(r"^\W*(?:(?:does|would|is|do(?:es)?)\s+(?:that|this|it)\s+(?:sound|seem|look)?\s*(?:about |roughly )?|)"
                          r"(?:right|ok(?:ay)?|reasonable|fair|correct|plausible|realistic)\W*\?\s*$", re.I)


def checks_back(text: str) -> bool:
    """A bare request to check what was just said ("Does that sound about right?", "ok?"): a fact is asked
    for only when what was just said is an assumption."""
    return bool(_CHECKS_BACK.match(text))


_BACK_REFERENCE = re.compile(r"\b(?:those|these|that|this|it|them|they|there)\b", re.I)


def _follows_up(part: str) -> bool:
    """Nothing of its own to ask about: no term, or one term beside a back-reference that is what it asks
    about ("Is that per day?", "Are there many of those?"). A back-reference further on is an object
    ("how many employees would use it?" asks about employees)."""
    terms = lexical_terms(part)
    if terms and _NEW_QUANTITY.match(part):
        return False
    return not terms or (len(terms) == 1 and bool(_BACK_REFERENCE.search(" ".join(part.split()[:4]))))


# "how many posts come per day, and how many of them is bad?": a new quantity about the same subject
# (a count or a share of them; "how often are they recomputed?" after "how far ahead…" asks about the same fact)
_NEW_QUANTITY = re.compile(r"^\W*(?:and\s+)?(?:how many|what (?:share|fraction|percent(?:age)?|portion|proportion))\b", re.I)


# "Would that be good enough for the home feed?" after a proposal asks for a reaction to it, not a fact
# ("Is it ok if I assume 1,000 QPS?" does ask for one: the assumption checked).
_REACTION = re.compile(r"^\W*(?:and\s+|so\s+)?(?:would|will|does|is|could)\s+(?:that|this|it)\s+(?:be\s+)?(?:good enough|enough|"
                       r"ok(?:ay)?|fine|reasonable|acceptable|work|make sense|a good idea)\b(?!\s+(?:if|to)\b)", re.I)


# "When someone opens the app, …", "when users search, …": a when-clause with its subject straight after it sets
# the scene for the question that follows ("When do labels arrive, …" asks one: an auxiliary follows "when")
_SCENE = re.compile(r"^\W*(?:and\s+|so\s+)?(?:when|whenever|if|once)\s+(?!(?:do|does|did|is|are|was|were|will|would|can|could|"
                    r"should|must|might|may|has|have|had|shall)\b)[^?]*$", re.I)


_SCENE_AFTER = re.compile(r",?\s+(?:and\s+)?(?P<scene>(?:if|when|whenever|once)\s+[^,?]*?)\W*$", re.I)


def _questions_in(piece: str) -> list[tuple[str, bool]]:
    """The sub-questions of one sentence, each with whether it is one of a pair asked in one breath
    (`_each_of_two`)."""
    if _OWN_TEST.search(piece):
        return []
    if piece.endswith("?") and _ASSUMPTION.search(piece) and not _ABOUT_THE_INTERVIEW.search(piece):
        return [(part, False) for part in _NEXT_QUANTITY.split(piece) if part.strip()]
    if _CONFIRMATION.search(piece) and (len(piece.split()) < 12 or not STARTS_ASKING.search(piece)):
        # "The analysts review flagged cases, right?" confirms context, and "…share of impressions to new
        # creators, because there's a feedback loop, right?" is a design sentence with a tag: no fact asked
        return []
    if _ABOUT_THE_INTERVIEW.search(piece) or asks_time_left(piece) or is_proposal(piece) or _REACTION.search(piece):
        return []  # leave, the clock, or a reaction to a design choice (segmentation.as_proposed): no fact
    need = _NEED_LEAD.search(piece)
    if _STATEMENT_END.search(piece) and not (need or _ASKING.search(piece)):
        return []
    if not STARTS_ASKING.search(piece):
        asking = _ASKING.search(piece)
        lead = need or _LEAD_IN.search(piece)
        if asking and asking.start() < 30 and (not lead or lead.start() > asking.start()):
            piece = piece[asking.end():].strip()  # "I'd like to know what the company hopes to gain": the what
        elif lead:
            if not _follows_up(piece[lead.end():]):  # "…profile — though, is that even allowed?": "that" is the lead
                piece = piece[lead.end():]
        elif not (piece.endswith("?") or asking):
            return []
    # A when- or if-clause sets the scene of the question after it and asks nothing of its own: "When someone
    # opens the app, how many posts…", "…start appearing, and if someone edits a page, how soon…". It stays
    # with that question only when the question points back to it ("how often do they win?" after "When
    # someone contests a takedown") or is too short to say what it asks; otherwise it is read on its own terms.
    subs, scene = [], ""
    split = _SUB_QUESTION.split(piece)
    for i, sub in enumerate(split):
        if scene:
            keep = _BACK_REFERENCE.search(" ".join(sub.split()[:4])) or len(sub.split()) <= 3  # "…, how fast?"
            sub = f"{scene}, {sub}" if keep else sub
            scene = ""
        last = i == len(split) - 1
        if not last and _SCENE.match(sub):
            scene = sub.strip(" ,;")
            continue
        tail = None if last else _SCENE_AFTER.search(sub)
        if tail and tail.start() > 0:
            scene, sub = tail["scene"], sub[:tail.start()]
        subs.append(sub)
    out = []
    for sub in subs:
        sub = sub.strip()
        if (len(sub.split()) >= 2 or _ONE_WORD_ASK.match(sub)) and (not out or STARTS_ASKING.search(sub)):
            out.append(sub)
        elif out:
            out[-1] = f"{out[-1]} {sub}"
    return [(one, len(pair) == 2) for sub in out for pair in [_each_of_two(sub)] for one in pair]


# "How many tickets and teams?", "how many users and candidate posts we are dealing with": two quantities asked
# in one breath, each a fact of its own as often as not
_TWO_QUANTITIES = re.compile(r"^(?P<head>\W*(?:\w+\W+){0,3}?how (?:many|much))\s+(?P<a>[a-z-]+(?:\s[a-z-]+)?)\s+(?:and|&|\+)\s+"
                             r"(?P<b>[a-z-]+(?:\s[a-z-]+)?)(?P<tail>(?:\s+(?:we|do|are|is|there|in|per|a|each)\b.*)?\W*)$", re.I)


def _each_of_two(question: str) -> list[str]:
    two = _TWO_QUANTITIES.match(question)
    if not two or {two["a"].split()[-1].lower(), two["b"].split()[0].lower()} & STOPWORDS:
        return [question]
    b, tail = two["b"], two["tail"]
    if " " in b and b.split()[1].lower() in STOPWORDS:  # "…and purchases do we log": the verb goes with both
        b, tail = b.split()[0], f" {b.split()[1]}{tail}"
    return [f"{two['head']} {two['a']}{tail}", f"{two['head']} {b}{tail}"]


# a short quantity question with no subject of its own: "How far in advance?", "How many per day?" ("What about
# latency?" names its own)
_HOW_MUCH = re.compile(r"^\W*(?:and\s+)?(?:how (?:far|long|often|much|many|soon|big|late)|when)\b", re.I)


# "qps? latency?": a thing named with a question mark asks for it ("really?", "why?" react or ask nothing)
_ONE_WORD_ASK = re.compile(r"^\W*(?!(?:really|seriously|sure|interesting|huh|why|how|what|cool|nice|great|hm+|yes|no|ok(?:ay)?|"
                           r"right|correct)\W)[a-z][\w/@-]*\?\s*$", re.I)


def is_fragment(part: str) -> bool:
    """A sub-question of a word or two that names one thing ("…documents are there, and what kinds?", "How many
    series, at what resolution?"): too little text to reach MATCH on its own, it asks about the subject of the
    question before it when that is what it resembles most."""
    return len(part.split()) <= 3 and len(lexical_terms(part)) <= 1
