"""What a candidate's message asks of the interview itself: a hint, the model answer, "I'm done", "let's stop".

These are requests about the interview, not design statements, and they change what the interviewer
does next: "I'm done" makes it name the biggest gaps and ask about them one at a time; "let's stop"
ends the interview and offers the grade. A done phrase inside a transition ("done with features,
moving on to the model") or a question ("are we done with data?") is neither.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Literal

EndSignal = Literal["done", "stop"]

_HINT = re.compile(r"\b(hint|i'?m stuck|not sure where to (go|start)|can you help|give me a clue)\b"
                   # the interviewer's own design choice asked for: "what model would you use?" ("which database do
                   # you use today?" asks about the company, a clarifying question)
                   r"|\b(?:what|which)\b[^.?!]{0,40}\b(?:(?:would|should) you (?:use|pick|choose|recommend|suggest|"
                   r"prefer|go with)|do you (?:recommend|suggest|prefer))\b"
                   r"|\bwhat do you (?:think|suggest|recommend) (?:i|we) (?:should|use)\b"
                   # "can you give me an example of what to say for scaling?", "should I use a feature store here?",
                   # "would you go with gradient boosting or a neural net?": the interviewer's own answer asked for
                   r"|\b(?:can|could) you give me (?:an? |some )?examples?\b"
                   r"|\bshould (?:i|we) (?:use|go with|pick|choose)\b[^.?!]{0,60}\?|\bwould you (?:go with|use|pick|choose|prefer)\b"
                   # "how should I evaluate it?", "how would you split the data?": how to do it, asked of the
                   # interviewer ("how do we get labels?" asks about the company: a clarifying question), at the
                   # end of what was said (mid-text it is a heading the candidate answers, or a quoted transcript)
                   r"|\bhow (?:(?:should|shall) (?:i|we)\b|would you (?!like\b))[^.?!]{0,60}\?(?=[\s\S]{0,60}$)"
                   # "what's a good way to eval?": advice on how to do it, asked at the end the same way
                   r"|\bwhat(?:'?s| is) (?:a |the )?(?:good|best|right|usual|standard|common) way to\b[^.?!]{0,60}\?(?=[\s\S]{0,60}$)",
                   re.I)
_MODEL_ANSWER = re.compile(r"\b(model answer|sample answer|reference answer|show me (the|an?) (answer|solution))\b"
                           # "what would a strong answer say about data?", "what should a good answer cover for evaluation?"
                           r"|\bwhat (?:would|should|does|do|might) (?:a |an |the )?(?:strong|good|great|ideal|model|perfect|"
                           r"senior|complete) (?:answer|candidate|response|solution)s?\b(?:[^?.!]{0,40}?\s)?"
                           r"(?:say|cover|include|mention|contain|have|look like)\b",
                           re.I)

_STOP = re.compile(
    r"\b(let'?s (stop|end|conclude|call it)|(?<!i'd )(?<!i’d )(?<!i would )stop (here|now|and (grade|score))|(end|finish|conclude|quit) (it|this|here|now|"
    r"the interview|the session|the mock)\b|i give up|(i'?d|i would|i want to|i wanna|i have to|i need to) (like to )?"
    r"(stop|end)\b(?<!i'd stop)(?<!i would stop)(?<!i'd end)(?<!i would end)|(stop|end|quit) (the )?interview|(?:^|[.!?]\s+)(please )?(grade (me|it|this)|score me)\b|(can|could) (you|we) (grade|score|end|stop)|(show|see|give) (me )?"
    r"(my|the) (grade|score|report|evaluation|rubric)|wrap (it |this )?up and (grade|score|see|show)|call it a day|"
    # asked of the interviewer: "wrap it up pls", "can we wrap up?", "let's see how I did"
    r"(?:^\W*|(?:let'?s|can we|could we|shall we)\s+)wrap (?:it |this |things )?up\W*(?:pl(?:ea)?se?|pls|now|here)?\W*$|"
    r"(?:let'?s|let me|i'?d like to|i want to|can i) see how i did\b|\bhow did i do\W*$)", re.I)
_DONE = re.compile(
    r"(\b(that|this)('?s| is| was| would be| should be| will be) (about |pretty much |basically )?(it|all|the end\b|"
    r"everything|my (whole |full |complete |overall |final )?(design|desing|solution|proposal|answer|system)|"
    r"the (whole |full |complete |overall )?(design|system|solution|proposal)|what i (have|'?ve got|got))|"
    r"\b(design|desing|solution|proposal|system) is (complete|done|finish(ed)?)|\b(concludes|wraps up) (my|the)\b|"
    r"\bi('?m| am) (done|finished|finish)\b|\bi (have|'?ve) (finish|finished)\b|\bmy design is finish|"
    # "i finish", "I finished my design": said alone, in a learner's English
    r"^\W*(ok(ay)?\W+)?i (finish|finished)( (my|the) (design|desing|answer|solution))?\W*$|"
    r"\b(that|this|i'?ve|i have) covers? (it|everything|evrything|my design|the design|all)\b|"
    r"\b(should|would) cover everything\b|\bi'?ve covered (it all|everything|evrything|what i wanted|all)\b|\bi (think |believe |belive )?(i'?ve |i have |i )?covered (it all|everything|evrything|"
    r"what i wanted|all)\b|\bi (think |believe )?(i'?ve |i have |i )?covered it\W*$|\bi('?ve| have) said (everything|all|what i wanted)|\bnothing (more|else|further)\b|"
    r"\b(don'?t|do not) have anything (else|more|further)|\bgot nothing (more|else|further)|\bthat'?s all i('?ve| have)? got\b|"
    r"\bthose are all the\b|\b(that'?s|that is|this is|there'?s|you have|that gives you) the (whole|overall|full|big|complete) "
    r"picture\b|^\W*done\W*$|\bi('?m| am) (all )?(set|good) here\b|\b(i'?d|i’d|i would) (stop|end) (here|there)\b|"
    r"\bthat'?s (all|everything) i (have|had|can think of)\b|"
    r"\bthink (that'?s|i'?m) (it|done)\b|\b(?:i'?ll|i will|let me|i'?m|i am)\s+wrap(?:ping)? (?:it |this )?up\b|"
    r"^\W*(?:ok(?:ay)?\W+)?wrapping (?:it |this )?up\b|^\W*(?:ok(?:ay)?\W+)?(?:i'?m |i am )?done\W+(?:i think|i guess|now|for now|here)\W*$|\b(?:i think |i guess )?we'?re (?:all )?good\W*$)", re.I)
# An invitation to ask, after a walkthrough: "Happy to take follow-ups.", "Anything else you want me to cover?",
# "did I miss anything?". A "done" that, once the gaps are being asked, asks for the next one.
_INVITE = re.compile(
    r"\b(happy|glad|open) to (take|answer|field) (any )?(follow-?ups|questions)\b|\bany (follow-?ups|questions) for me\b|"
    r"\b(anything|something) (else |more )?(you'?d like|you would like|you want(ed)?|you'?d want) me to (cover|go (into|over)|"
    r"talk about|add|elaborate on|dig into|expand on)\b|\bdid i (miss|skip|forget) (anything|something)\b", re.I)
_NOT_DONE = re.compile(
    r"(\bnot (yet )?(done|finished|finish)\b|\blet me (finish|add)\b|\bactually,? wait\b|"
    r"\b(done|finished) (with|thinking about) (?!the (design|whole|system)|everything|it\b)(the )?\w+|"
    r"\b(on ?to|onto) \w+|\bthe end of the \w+ (path|part|section|stage|side)\b|\b(that'?s|this is) (it|all) (for|on|about) (the )?\w+|"
    r"\b(moving|move) on to\b|\bnext,? (the|i'?ll|let'?s|\w+\.)|\bcovers? the \w+( \w+)? (part|side|piece|section|requirement)\b|"
    r"\bthat covers (the )?(data|features|labels|model|modeling|serving|evaluation|latency|scal\w*|monitoring|problem)\b|"
    r"\b(are|am|were) (we|i) done\b|\bshould i stop\b|\bstop (serving|sending|training|words?)\b|\bearly stopping\b|"
    r"\bend[- ]to[- ]end latency\b|\bwe (end|stop|close) the (?!interview|mock)\w)", re.I)


# A whole message that only says no to the interviewer's question ("no thanks", "nope", "no I think
# I'm good", "not really, sorry") declines it; "no, fail closed" answers it, so nothing else may follow.
_REFUSAL_WORDS = (r"(?:no+|nope|nah|not really|no thanks?|no thank you|pass|i(?: think i)?(?:'?m| am) (?:good|fine|ok(?:ay)?|all set)|"
                  r"(?:i (?:think|guess) )?that'?s (?:fine|ok(?:ay)?|enough)|"
                  r"i(?:'?m| am) (?:happy|fine|ok(?:ay)?|good) with (?:what i (?:have|said|gave)|that|it|my (?:design|answer))|all good|i'?d rather not|rather not|not now|sorry|thanks|thank you|honestly|"
                  r"i'?ll pass|let'?s (?:move on|skip (?:it|that))|skip (?:it|that)|more|that'?s all|"
                  r"nothing (?:more|else)(?: to add| from me)?)")
_REFUSAL = re.compile(rf"^\W*(?:no+|nope|nah|not really|pass|i'?ll pass|i'?d rather not|rather not|"
                      rf"(?:i have )?nothing (?:more|else)(?: to add| from me)?)(?:[\s,.!;:—-]+{_REFUSAL_WORDS})*\W*$",
                      re.I)


# A request to hear the last question again: "sorry, what was the question?", "could you repeat that?",
# "I didn't catch that". Only a short message that says nothing else: "sorry, what was the question? Anyway,
# I'd shard by user…" has moved on, and "what did you ask about latency" is a question of its own.
_REPEAT = re.compile(
    r"\b(?:what (?:was|is|were) (?:the|your|that) (?:last )?question|what did you (?:just )?(?:ask|say)|"
    r"(?:repeat|rephrase|reword|say) (?:that|it|the question|your question|the last question|the problem|the task|"
    r"the prompt)(?: again)?\b|"
    r"(?:repeat|rephrase)\W*$|say (?:that|it) again|come again|what do you mean\b|"
    r"(?:clarify|explain) what you mean|what you mean by (?:that|this)|example of what you mean|"
    r"(?:did ?n'?t|did not|couldn'?t|could not) (?:catch|get|hear|follow|understand) (?:that|it|you|the question|your question)|"
    r"(?:missed|lost) (?:that|the question|your question|what you (?:asked|said))|^\W*(?:sorry|pardon)\W*$|"
    r"i (?:do ?n'?t|do not) (?:understand|get) (?:the|your) question|"
    # "sorry i dont understand, what you mean?", "which part do you want me to go deeper on?"
    r"(?:do ?n'?t|do not) (?:understand|get it)\W*$|\bwhat you mean\W*$|"
    r"\b(?:which|what) (?:part|aspect|bit|one)\b[^?.!]{0,30}\b(?:go deeper|expand|elaborate|focus|talk)|"
    r"\bwhat (?:should|do you want me to|would you like me to) (?:go deeper on|expand on|elaborate on|focus on)\b)", re.I)


# A request for a moment to think ("can I take a minute?", "let me think", "give me a sec"): the interviewer
# waits instead of asking. Only a short message: "let me think... ok, for labels I'd use…" has thought already.
_PAUSE = re.compile(
    r"\b(?:can|could|may) i (?:take|have|get) (?:a|one) (?:minute|moment|sec(?:ond)?|bit)\b|"
    r"\bgive me (?:a|one) (?:minute|moment|sec(?:ond)?)\b|\blet me (?:think|gather my thoughts|organi[sz]e my thoughts)\b|"
    r"\b(?:one|a|just a) (?:sec(?:ond)?|moment|minute)(?: please)?\W*$|^\W*(?:ok\W+)?hold on\b|\bbear with me\b|"
    r"\b(?:can|could|may) i (?:first )?ask (?:you )?(?:(?:some|a few|a couple of|a) )?(?:clarifying )?questions?(?: first)?\W*$",
    re.I)


# "how much time do we have left?", "how are we on time?": answered with the clock, then the interview goes on.
# "How long do we have to respond?" asks about the problem's latency budget, not the interview's clock.
_TIME = re.compile(r"\bhow (?:much time|many minutes|long)\b[^?.!]{0,24}?\b(?:left|remaining|remains?)\b|"
                   r"\bhow (?:much time|long) (?:do|have) (?:we|i) (?:got|have)\b(?!\s+(?:to|for|in|until|before)\b)|"
                   r"\bhow (?:are|am) (?:we|i) (?:doing )?(?:on|for) time\b|\btime check\b|"
                   r"\bhow long (?:is|will|does) (?:this|the) (?:interview|session|mock)\b|^\W*(?:any |how much )?time (?:left|remaining)\W*$",
                   re.I)


# "I already answered that", "see above": the last question asked for a point the candidate made. Only a
# short message that says nothing new: the interviewer moves on rather than ask the same phase again.
_ALREADY_SAID = re.compile(r"\b(?:i(?:'?ve| have)? )?(?:already|just) (?:answered|covered|said|mentioned|explained|addressed|"
                           r"talked about|went over|gone over) (?:that|this|it)\b|"
                           r"^\W*(?:i|we)(?:'?ve| have)? (?:covered|answered|discussed|went over|been over) (?:that|this|it)\b|\bsee (?:above|earlier|my (?:last|earlier) "
                           r"(?:answer|message))\b|^\W*as i (?:said|mentioned)\W*$", re.I)


# "am I on the right track?", "is my answer correct so far?", "how am I doing?": a request for feedback. A
# mock interviewer keeps it for the report; in practice the candidate hears what they have covered so far.
_FEEDBACK = re.compile(r"\b(?:(?:am i|are we) (?:kind of |sort of |still )?(?:on the right track|going in the right direction|doing (?:ok|okay|well|alright|fine))|"
                       r"is (?:this|that|it|my (?:answer|design|approach)) (?:correct|right|ok|okay|good|fine|enough|good enough)(?: so far)?\W*$|"
                       r"how (?:am i|i'?m|i am) doing|(?:any|some|give me|get|have) (?:\w+ )?feedback|(?:does|did) (?:this|that|it) (?:all )?make sense(?: so far)?\W*$|"
                       r"what do you think(?: so far)?\W*$)", re.I)


# "why do you ask?", "why does that matter?": the candidate wants the reason for the last question.
_WHY = re.compile(r"^\W*(?:(?:ok|hmm|sorry|but)\W+)?(?:why (?:do you ask|are you asking|(?:does|would) (?:that|this|it) matter|"
                  r"(?:is )?(?:that|this|it) (?:is )?(?:important|relevant|needed|necessary)|that question)\b|"
                  # "is that actually important for an initial version?", "does it really matter here?"
                  r"(?:is|does) (?:that|this|it) (?:actually |really |even )?(?:important|relevant|necessary|needed|matter)"
                  r"(?:\s+(?:here|now|for (?:an? |the |this |my |our )?[\w\s-]{0,30}))?\W*$)",
                  re.I)
# "why does that matter here? its a ranking prob, dont see why id need that for v1": the why-question
# first, then the candidate's doubt about it — still a request for the reason, if the doubt is short.
WHY_WITH_DOUBT_WORDS = 40

# "what is PSI by the way?", "what does NDCG stand for?", "can you explain calibration?": what a term
# means, not a fact about this problem. "what is the latency budget?" (the, our, your…) asks about the
# problem, and a fact answers it; "what do you mean by…" asks about the interviewer's own words.
_TERM = r"[\w\-/&@.]+(?:\s+[\w\-/&@.]+){0,3}?"
_CONCEPT = re.compile(
    r"^\W*(?:(?:sorry|btw|by the way|quick question(?: though)?|one (?:more )?thing|also|and|ok(?:ay)?|so|hmm|wait|oh|"
    r"actually|sorry,? but)\W+){0,4}(?:"
    rf"what(?:'?s| is| are)\s+(?!(?:the|our|your|their|this|that|these|those|it|there|we|you|i|my|a good|an? "
    rf"(?:good|reasonable|acceptable|typical)|expected|needed|required|left|next|missing|wrong|better|best|worse|"
    rf"important|enough|fine|ok|okay|more|else|going on|happening)\b)(?:an? )?{_TERM}\s*(?:\W+(?:by the way|btw|exactly|again|actually|even)\b){{0,2}}\W*$|"
    # "is PSI the same thing as KL divergence?", "what's the difference between MAP and NDCG?"
    rf"is (?!(?:the|our|your|their|this|that|these|those|it|there|we|you|i|my)\b)(?:an? )?{_TERM}\s+"
    rf"(?:the same(?: thing)? as|different from|related to) (?:an? )?{_TERM}\W*$|"
    rf"what(?:'?s| is) the difference between (?:an? )?{_TERM}\s+and (?:an? )?{_TERM}\W*$|"
    rf"what (?:does|do)\s+(?!(?:you|we|i|they|people|users|customers)\b)(?:an? |the )?{_TERM}\s+(?:mean|stand for)\b|"
    rf"(?:can|could) you (?:explain|define|remind me)(?: what)?\s+(?:an? |the )?{_TERM}(?:\s+(?:is|are|means?))?\W*$|"
    rf"(?:explain|define)\s+(?:an? )?{_TERM}\W*$)", re.I)

# Requests about the interview that must be the whole message, each with the most words it may take: a
# longer message has said something else as well, and that is what gets the reply.
WHOLE_MESSAGE_REQUESTS = {"repeat": (_REPEAT, 14), "pause": (_PAUSE, 14), "already_said": (_ALREADY_SAID, 16),
                          "feedback": (_FEEDBACK, 16), "why": (_WHY, 10), "concept": (_CONCEPT, 16)}


def says_only(kind: str, text: str) -> bool:
    """Is the message a request of this kind (see WHOLE_MESSAGE_REQUESTS), and nothing else?"""
    pattern, most_words = WHOLE_MESSAGE_REQUESTS[kind]
    return len(text.split()) <= most_words and bool(pattern.search(text))


is_repeat_request = partial(says_only, "repeat")  # "sorry, what was the question?"
is_pause_request = partial(says_only, "pause")  # "can I take a minute?"
says_already_answered = partial(says_only, "already_said")  # "I already answered that"
asks_feedback = partial(says_only, "feedback")  # "am I on the right track?"


_AFTER_QUESTION = re.compile(r"(?<=\?)\s+")  # a message's questions, each up to its question mark


def asks_why(text: str) -> bool:
    """"why do you ask?", or a why-question followed by a short doubt about the question ("why does that
    matter here? dont see why id need that for v1")."""
    first = _AFTER_QUESTION.split(text.strip(), maxsplit=1)[0]
    return says_only("why", text) or (len(text.split()) <= WHY_WITH_DOUBT_WORDS and first.endswith("?")
                                      and says_only("why", first))


# "precision is just the share of flagged people who really leave, right?", "and recall is the same as
# coverage?": what a term means, put as a guess to confirm. Only the definition-like predicates: "labels
# are chargebacks, correct?" confirms a fact of the problem, which the spec may answer.
_CONFIRMS_CONCEPT = re.compile(
    r"^\W*(?:[^?\"“—–:]{0,60}(?:—|–|:)\s*)?(?:(?:so|and|ok(?:ay)?|wait|also|like|hmm|oh|um|uh|btw|by the way|actually|"
    r"quick question|just to check|just checking|sorry|one (?:more )?thing)\W+){0,4}(?:when (?:people|you|we|folks) (?:talk about|say|mention)[^?]{0,80}?(?:—|–|\s-\s|,|:)\s*)?"
    # the term named and then pointed at: "the \"feedback loop\" problem, this is the same as popularity bias, right?"
    r"(?:(?:the\s+)?[\"“][^\"”]{1,40}[\"”](?:\s+\w+){0,2},?\s+(?:this|that|it)\s+(?:is|means)\s+|"
    rf"(?!(?:it|that|this|these|those|we|they|i|you|there|he|she)\b)(?:an? |the )?{_TERM}\s+(?:is|are|means|measures)\s+)"
    r"(?:just |basically |simply |really |actually |kind of |sort of |pretty much |more or less )*"
    r"(?:the same(?: thing)?(?:\s+as)?\b|similar to|equivalent to|like\b[^?]{0,40}\bbut\b|another (?:word|name) for|an? (?:kind|type|form|version|variant) of|"
    r"an? (?:measure|metric|way|test|score|statistic|technique|method)s? (?:of|for|to|that)|"
    r"the (?:percentage|share|fraction|proportion|ratio|average|mean|number|count|sum|probability|rate)\b|"
    r"what (?:we|you|people)(?:'?d| would) call)[^?]*\?\s*$", re.I)


def confirms_concept(sentence: str) -> bool:
    """One question sentence that puts a guess at what a term means up for confirmation."""
    return len(sentence.split()) <= 40 and bool(_CONFIRMS_CONCEPT.search(sentence))


# "people say \"price elasticity\". What it means exactly?", "I've heard \"two-sided marketplace\" — what does
# that mean exactly?": a term named (quoted, or heard from others) and then asked about by pronoun. A bare
# "what does that mean?" asks about the interviewer's question instead (a repeat request).
_WHAT_IT_MEANS = re.compile(r"\bwhat (?:does|do|did) (?:that|it|this|they) (?:mean|stand for)\b|\bwhat (?:it|that|this) means?\b",
                            re.I)
_TERM_NAMED = re.compile(r"[\"“][^\"”]{2,40}[\"”]|\b(?:people|they|everyone|folks|others) (?:say|talk about|mention|use)\b|"
                         r"\bi(?:'ve| have)? (?:heard|keep hearing|read|seen)\b", re.I)


def is_concept_question(sentence: str, before: str = "") -> bool:
    """One question sentence that asks what a term means ("what's MRR again exactly?", or "what does that
    mean exactly?" about a term named in it or in `before`, the message's text before it)."""
    # "I'd use hashed features, quick question, what is a feature store?": one sentence, the question last
    tail = re.split(r",\s+|;\s+|\s[—–-]\s", sentence.strip())[-1]
    return says_only("concept", sentence) or (tail != sentence.strip() and says_only("concept", tail)) or (
        len(sentence.split()) <= 30 and bool(_WHAT_IT_MEANS.search(sentence))
        and bool(_TERM_NAMED.search(sentence) or _TERM_NAMED.search(before[-200:])))


def asks_concept(text: str) -> bool:
    """"what is PSI by the way? I heard it in monitoring" — one of the message's questions asks what a term
    means, and the message is short (a design statement with it is read as design)."""
    if len(text.split()) > 24:
        return False
    return any(is_concept_question(q) for q in _AFTER_QUESTION.split(text.strip()))


def asks_time_left(text: str) -> bool:
    return bool(_TIME.search(text))


# "next", "let's move on", "lets move to next": on past the question, whichever phase comes next. (Naming
# the phase — "can we move on to the model?" — is segmentation.phase_moved_to's.)
_MOVE_ON = re.compile(r"\b(?:let'?s|lets|can we|could we|shall we) (?:move|go) (?:on|to (?:the )?next)\b(?!\s+to\s+\w)|"
                      r"^\W*(?:ok(?:ay)?\W+)?(?:next|move on)(?: (?:one|question|please))?\W*$", re.I)


def asks_to_move_on(text: str) -> bool:
    return bool(_MOVE_ON.search(text))


def is_refusal(text: str) -> bool:
    """The message declines the interviewer's question and says nothing else."""
    return bool(_REFUSAL.match(text.strip()))


def is_hint_request(text: str) -> bool:
    return bool(_HINT.search(text))


def is_model_answer_request(text: str) -> bool:
    return bool(_MODEL_ANSWER.search(text))


# "That's it." / "nothing more" close a design only when they are most of the message: after a list of
# features in the same message they close the list ("...; locale; device. That's it.").
_WEAK_DONE = re.compile(r"^(?:(?:that|this)('?s| is) (?:about |pretty much |basically )?(?:it|all)|nothing (?:more|else|further))$", re.I)
WEAK_DONE_MAX_WORDS = 12  # the longest weak "done" in bench/data/done_signals.yaml has 11 words
WEAK_DONE_LEAD_WORDS = 3  # "Yeah so that's it…": a weak "done" this near the start opens the message


def end_signal(text: str) -> EndSignal | None:
    """"stop" (end now and grade), "done" (the design is complete: name the gaps), or None."""
    if _NOT_DONE.search(text):
        return None
    if _STOP.search(text):
        return "stop"
    done = _DONE.search(text)
    # "Yeah so that's pretty much it I think — routing engine plus residual model, backtest…" opens with it
    # and sums up; a weak "that's it" further into a long message closes a list instead
    if done and _WEAK_DONE.match(done.group(0).strip()) and len(text.split()) > WEAK_DONE_MAX_WORDS \
            and len(text[:done.start()].split()) > WEAK_DONE_LEAD_WORDS:
        return None
    if done or _INVITE.search(text):
        return "done"
    return None


def invites_questions(text: str) -> bool:
    """"Anything else you want me to cover?": the candidate asks to be asked."""
    return bool(_INVITE.search(text)) and not _NOT_DONE.search(text)


def has_end_wording(text: str) -> bool:
    """Do the patterns have a say on this message: an end phrase, or a phrase that vetoes one?"""
    return bool(_NOT_DONE.search(text) or _STOP.search(text) or _DONE.search(text) or _INVITE.search(text))
