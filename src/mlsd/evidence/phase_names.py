"""Phase names in a candidate's words: which phase a heading or signpost is nothing but the name of
("Monitoring", "On the serving side"), and which phase a message asks about, moves to, sets aside or
puts off ("a hint on the data part", "can we move on to the model?", "can we skip scaling?", "Evaluation
I'll get to at the end."). Used by segmentation (headings, signposts) and by the interviewer's reading.
"""

from __future__ import annotations

import re

NUMBERING = re.compile(r"^\d{1,2}[.)]\s*")

# A sentence that names its phase before saying anything ("For monitoring we'd track…", "On the serving
# side, …", "feats: velocity, amount", "Eval — backtest on last month") is the candidate's own inline
# heading: the phrase becomes the unit's context, as a heading line above it would (a written answer's
# section heading is no stronger a signal than this). `named_phase` says which phase such a phrase, or a
# heading that is nothing but a phase's name, names.
PHASE_NAMES = {
    "problem_definition": r"problem(?: definition)?|goals?|objectives?|business goals?|requirements|scope|framing|"
                          r"success(?: metrics?)?",
    "data": r"(?:training )?data|labels?|label(?:l)?ing|datasets?",
    "features": r"features?|feats|feature engineering",
    "modeling": r"models?|model(?:l)?ing",
    "evaluation": r"evaluation|evals?|offline (?:eval(?:uation)?|metrics)|online (?:eval(?:uation)?|testing)|a/b testing|"
                  r"experiments?",
    "serving": r"serving(?: architecture)?|deployment|inference",
    "scalability": r"scal(?:e|ing|ability)|capacity|throughput",
    "monitoring": r"monitoring|maintenance|observability|alerting|retraining",
}
PHASE_WORDS = "(?:" + "|".join(PHASE_NAMES.values()) + ")"
# "For monitoring", "On the serving side", "Jumping to monitoring for a second:", "Back to the model:"
LEAD = r"(?:for|on|as for|regarding|re|in terms of|about|(?:(?:jumping|jump|moving|switching|turning|going|coming)\s+)?(?:back\s+)?to)\s+"
ASIDE = r"(?:\s+for\s+a\s+(?:second|sec|moment|minute|bit))?"
PART = r"(?:\s+(?:side|part|piece|stage|phase|front|wise))?"  # "serving side", "data part"
_NAMES = [(phase, re.compile(rf"^(?:{LEAD})?(?:the\s+)?(?:{words}){PART}{ASIDE}$", re.I))
          for phase, words in PHASE_NAMES.items()]


def named_phase(phrase: str) -> str | None:
    """The phase a heading or signpost is nothing but the name of ("Monitoring", "On the serving side")."""
    bare = NUMBERING.sub("", phrase.strip(" \t*_-•>#:")).strip()
    return next((phase for phase, pattern in _NAMES if pattern.match(bare)), None)


_NAMED_AFTER = re.compile(rf"\b(?:for|on|about|of|in|with)\s+(?:the\s+|my\s+|our\s+)?({PHASE_WORDS}){PART}\b", re.I)


def _first_phase_named(pattern: re.Pattern, text: str) -> str | None:
    """The phase named by the first of the pattern's matches (its group 1) that names one."""
    return next((phase for match in pattern.finditer(text) if (phase := named_phase(match.group(1)))), None)


def phase_asked_about(text: str) -> str | None:
    """The phase a request names ("the model answer for problem definition", "a hint on the data part"):
    only a name after a preposition counts, so "model answer" itself names no phase."""
    return _first_phase_named(_NAMED_AFTER, text)


_NAMED_ANYWHERE = re.compile(rf"\b({PHASE_WORDS}){PART}\b(?!\s+answers?\b)", re.I)


def phase_named_in(text: str) -> str | None:
    """The first phase a message names anywhere ("which model would you use?", "an example of another
    feature?"); "model answer" names none. For a hint request, whose phase is what it asks about."""
    return _first_phase_named(_NAMED_ANYWHERE, text)


# "how should I evaluate it?", "how would you serve this?": a phase named by what one does in it
_PHASE_VERBS = [("evaluation", re.compile(r"\b(?:evaluat\w*|evals?|validat\w*|a/?b[\s-]?test\w*|measure whether)\b", re.I)),
                ("serving", re.compile(r"\b(?:serv(?:e|ed|ing)|deploy\w*)\b", re.I)),
                ("monitoring", re.compile(r"\b(?:monitor\w*|re-?train\w*)\b", re.I)),
                ("scalability", re.compile(r"\b(?:scal(?:e|ed|ing)|shard\w*)\b", re.I)),
                ("modeling", re.compile(r"\b(?:train(?:ed|ing)?|fit)\b", re.I)),
                ("data", re.compile(r"\b(?:label(?:l?ed|l?ing)?|split(?:ting)?|sampl\w*)\b", re.I))]


def phase_done_in(text: str) -> str | None:
    """The phase a message names by its verb ("how should I evaluate it?"): the first one said."""
    found = [(m.start(), phase) for phase, pattern in _PHASE_VERBS for m in [pattern.search(text)] if m]
    return min(found)[1] if found else None


# "can we move on to the model?", "let's talk about serving", "I'll start with the data"
_MOVE_TO = re.compile(rf"\b(?:(?:move|go|jump|skip|switch|turn|get|come)(?: on| ahead| over| back)? to|talk about|"
                      rf"(?:start|begin) with)\s+(?:the\s+|my\s+|our\s+)?({PHASE_WORDS}){PART}\b", re.I)


def phase_moved_to(text: str) -> str | None:
    """The phase a message asks to go to next ("can we move on to the model?"), or None."""
    return _first_phase_named(_MOVE_TO, text)


# "can we skip scaling?", "I'd rather not discuss monitoring"; and "Monitoring i skip, is ok?", the phase first
_SET_ASIDE = re.compile(rf"\b(?:skip(?:ping)?|leave out|leave aside|set aside|park|drop|(?:rather )?not (?:discuss|cover|go into|"
                        rf"talk about|do))\s+(?:the\s+|my\s+|our\s+)?({PHASE_WORDS}){PART}\b", re.I)
_SET_ASIDE_FIRST = re.compile(rf"^\W*({PHASE_WORDS}){PART},?\s+(?:i|we)(?:'?ll| will)?\s+skip\b", re.I)


def phase_set_aside(text: str) -> str | None:
    """The phase a message asks to leave out ("can we skip scaling, it's small"), or None."""
    return _first_phase_named(_SET_ASIDE_FIRST, text) or _first_phase_named(_SET_ASIDE, text)


# "can we skip the model part? I'd just use a boosted trees thing": asked as a question, leave to skip is asked
# inside a design message too (a design step that drops something is no question to the interviewer)
_ASKS_TO_SKIP = re.compile(rf"\b(?:can|could|may|shall) (?:we|i) (?:skip|leave out|leave aside|park|drop)\s+(?:the\s+|my\s+|"
                           rf"our\s+)?({PHASE_WORDS}){PART}\b[^.!?]*\?", re.I)


def phase_asked_to_skip(text: str) -> str | None:
    """The phase a message asks, as a question, to leave out, whatever else it says."""
    return _first_phase_named(_ASKS_TO_SKIP, text)


# "I'll come back to monitoring later", "Evaluation I'll get to at the end.", "Scaling — I'll come back to
# that", "let's park scaling for now": said in passing, inside a design message too. (A bare "skip X" there
# may be a design step — "we drop features with many missing values" — so only a promise of later counts.)
_LATER = r"(?:later|at the end|afterwards|for now|for later|in a bit|in a minute|if (?:there'?s|we have) time)"
_WILL = r"(?:i'?ll|we'?ll|i will|we will|let me|let'?s|we can|i can)"
# "come back to" is later by itself; "get to", "park", "cover" need a "later" or "at the end" after them
_PUT_OFF = rf"(?:(?:come back to|get back to|return to)\b|(?:get to|park|leave|skip|cover|talk about)\b(?=[^.;!?]{{0,40}}?\b{_LATER}))"
_DEFERRED = re.compile(rf"\b{_WILL}\s+{_PUT_OFF}\s*(?:the\s+|my\s+|our\s+)?({PHASE_WORDS}){PART}\b", re.I)
_DEFERRED_FIRST = re.compile(rf"(?:^|[.;!?]\s+)\W*({PHASE_WORDS}){PART}\s*(?:[—–:,]|\s-\s)?\s*{_WILL}\s+{_PUT_OFF}", re.I)


def phase_deferred(text: str) -> str | None:
    """The phase a message puts off until later ("Evaluation I'll get to at the end."), or None."""
    return _first_phase_named(_DEFERRED_FIRST, text) or _first_phase_named(_DEFERRED, text)


# What happens when the model is late or down ("On timeout we fall back to the smoothed historical CTR", "If
# anything times out we show the simple estimate") is serving, as LABELLING.md files it. The network reads
# such sentences by their other words: "fall back" near "rollback" as monitoring (0.31 serving), "if
# anything…" as an assumption about the problem. A failure of the prediction path and an action taken
# because of it, both in one unit, name the phase as plainly as a signpost does: all 25 clauses and chat
# turns of our labelled data that have both (training, plain talk, fresh dialogues) are labelled serving (a
# failure alone, or "instead" alone, is not enough:
# "when an outage hits, requests wait in line instead of falling over" is scalability).
_FAILURE = re.compile(r"\b(?:time[sd]? ?out|timeouts?|timing out|(?:is|are|goes|go|went|gets?) (?:down|slow|unavailable|"
                      r"unreachable|offline)|unavailable|unreachable|fails?|failed|failing|crash\w*|errors? out|"
                      r"falls? behind|(?:doesn'?t|does not|can'?t|cannot) (?:answer|respond|reply) in time|not back in "
                      r"time|misses? (?:the|its) (?:deadline|budget))\b", re.I)
_FALLBACK_ACTION = re.compile(r"\b(?:fall(?:s|ing)? ?back|fallbacks?|we (?:just |still |then )?(?:show|serve|return|use|"
                              r"keep|let|default)|defaults? to|degrade\w*)\b", re.I)


def fallback_named(text: str) -> str | None:
    """"serving" when `text` says what the product does when predictions fail or come late, else None."""
    return "serving" if _FAILURE.search(text) and _FALLBACK_ACTION.search(text) else None
