"""The offline interviewer's words: a short acknowledgement tied to what the candidate said, then the
question with an opener that never repeats the one just used.

The acknowledgement names a key phrase of the candidate's last turn — the techniques they named
("XGBoost", "downsampling") or, failing that, the start of their strongest sentence — without
praise: a real interviewer shows they listened, not that they approve.
"""

from __future__ import annotations

import re

from mlsd.core.phases import phase_title
from mlsd.core.text import after_dash
from mlsd.evidence.cues import technique_terms
from mlsd.knowledge.lexical import STOPWORDS
from mlsd.interview.policy import Action, and_list

ACKS = ("You mentioned {x}.", "OK — {x}.", "Noted: {x}.", "Right, {x}.", "Got it, {x}.")
OPENERS = {
    "move_on": ("Let's move on to {phase}. {q}", "Switching to {phase}: {q}", "Next, {phase}. {q}",
                "Turning to {phase} — {q_low}", "Now {phase}: {q}"),
    "ask_skipped": ("You haven't said much about {phase} yet. {q}", "Let's go back to {phase}, which we skipped. {q}",
                    "One gap so far is {phase}. {q}", "Before we go further, {phase}: {q}"),
    "probe": ("{q}", "Going one level deeper: {q}", "Staying on {phase} for a moment — {q_low}", "Let me push on that: {q}"),
    "close_gaps": ("Before we wrap up: {gaps}. Let's take {phase} first: {q}",
                   "Next gap: {phase}. {q}", "And {phase}: {q}", "One more: {phase}. {q}"),
}


FIRST = ("Let's start with {phase}. {q}", "To start, {phase}: {q}")  # the first question about any phase
# Moving to a phase, or back to a gap, that the last question was already on: no second "Next, serving…"
# or "You haven't said much about serving yet" — the candidate knows where we are.
STILL_ON = ("{q}", "Staying on {phase} for a moment — {q_low}", "Also on {phase}: {q}")
# The last question was on this phase, and the candidate answered about another one: back to it, said so.
BACK_TO = ("Back to {phase}: {q}", "Coming back to {phase} — {q_low}")
ELSEWHERE = ("On {phase}: {q}", "About {phase} — {q_low}")  # deeper on a phase other than the one just talked about

NAMING = {",", "a", "an", "the", "our", "their", "its", "each", "every", "per", "of", "for", "with", "by", "on", "in", "from",
          "at", "into", "over", "via", "using", "use"}
# Technique terms that name what the candidate is doing, not a choice they made: "Got it, assume." says nothing.
NOT_A_CHOICE = {"assume", "assumption", "constraint", "budget", "requirement", "requirements", "predict", "output",
               "maximize", "minimize", "framing", "formulate", "formulation", "clarify", "clarifying"}


# A run of content words ends before a word that opens a clause ("a hard constraint since…", "except new
# users"), and loses a verb or participle it ends on: "short shifts come", "a ticket arrive", "the posts
# labelled" are a noun and its verb, and only the noun is the thing said. (No tagger: the verbs that follow
# a noun in design chat, and "-ed".)
CLAUSE_WORDS = {"since", "except", "while", "because", "unless", "though", "although", "whereas", "until", "whether",
                "instead", "otherwise", "anyway", "also", "still", "already", "just", "really", "actually",
                # joining words the stopword list leaves out: "plus uploaded contacts", "layer-one scores across"
                "plus", "minus", "times", "via", "across", "among", "toward", "towards", "behind", "beyond", "upon", "onto",
                "inside", "outside", "near", "along", "despite", "unlike"}
TRAILING_VERBS = {"come", "comes", "arrive", "arrives", "send", "sends", "drop", "drops", "go", "goes", "run", "runs",
                  "work", "works", "take", "takes", "get", "gets", "make", "makes", "need", "needs", "sold", "sell",
                  "sells", "hit", "hits", "show", "shows", "change", "changes", "fail", "fails", "happen", "happens",
                  "move", "moves", "look", "looks", "keep", "keeps", "stay", "stays", "become", "becomes", "start",
                  "starts", "stop", "stops", "grow", "grows", "matter", "matters", "say", "says", "want", "wants",
                  "carry", "carries", "hold", "holds", "contain", "contains", "include", "includes", "return", "returns",
                  "give", "gives", "mean", "means", "lands", "sits", "lives", "becomes"}


# Words that end a run wherever they fall, as a verb or an adverb would: "user keeps rescuing", "friends
# shares friends", "average maybe friends", "fast mover suddenly" acknowledge nothing. Hedges and fillers
# too. (-ing words that name techniques — "downsampling", "hashing" — reach the acknowledgement as
# technique terms first; a run of plain words loses them.)
RUN_BREAKERS = {"keeps", "shares", "handles", "ranks", "turns", "uses", "helps", "tells", "lets", "pays", "finds", "picks",
                "decides", "affects", "causes", "creates", "drives", "depends", "feeds", "fits", "leads", "learns",
                "leaves", "predicts", "produces", "reduces", "requires", "sets", "tracks", "triggers", "seems", "covers",
                "checks", "builds", "recommends", "suggests", "ignores", "misses", "beats", "knows", "thinks", "wins",
                "maybe", "perhaps", "whatever", "whichever", "um", "uh", "umm", "basically", "roughly", "approximately",
                "differs", "varies", "works", "grows", "drops", "rises", "falls", "spikes", "arrives", "appears",
                "exists", "occurs", "remains", "taps",
                "ahead", "later", "again", "anyway", "fast", "slow", "first", "too"}
# A choice the candidate declines or puts off is not what they said: "I'd rather not go into sharding",
# "I wouldn't start with an autoencoder or LSTM", "let's park scaling".
_DECLINED = re.compile(r"\b(?:i'?d rather not|rather not|not going to|(?:i|we) won'?t|will not|wouldn'?t|would not|don'?t|"
                       r"do not|no need (?:for|to)|(?:let'?s |i'?ll |we'?ll )?(?:skip|park|leave out|set aside)|not (?:go|going) "
                       r"into|instead of|never)\b[^.;:!?—–]*", re.I)


def _breaks_run(word: str) -> bool:
    low = word.lower()
    return low in RUN_BREAKERS or (low.endswith("ing") and len(low) > 5) or (low.endswith("ly") and len(low) > 4)


# A modifier of time left at the end once its number is dropped: "hotel ctr last 7d" names "hotel ctr".
TRAILING_MODIFIERS = {"last", "past", "next", "previous", "prior", "recent", "latest", "trailing", "rolling"}


def _trimmed(run: list[str]) -> list[str]:
    while run and (run[-1].lower() in TRAILING_VERBS or run[-1].lower() in TRAILING_MODIFIERS
                   or run[-1].lower().endswith("ed")):
        run = run[:-1]
    return run


def key_phrase(text: str, phase_index: int | None = None) -> str:
    """A few words of the candidate's own: the techniques they named (for the phase when given), else the
    longest run of content words in what they said ("step-up authentication", "three actions")."""
    text = _DECLINED.sub(" ", text)
    terms = technique_terms(text)
    low = text.lower()
    # longest first, then in the order said: the same turn always gets the same words (sets have no order)
    found = sorted(terms[phase_index] if phase_index is not None else set().union(*terms),
                   key=lambda t: (-len(t), low.find(t)))
    found = [t for t in found if t not in NOT_A_CHOICE and t.split()[-1] not in STOPWORDS]  # not "number of"
    # "at request time" qualifies a choice and is no choice itself: named only when nothing else is
    found = [t for t in found if t.split()[0] not in NAMING] or found
    surface: list[str] = []
    for term in found:
        said = _surface(text, term)
        if said.lower().endswith("ly") and not term.endswith("ly"):
            continue  # "asynchronous" said as "asynchronously": how something is done, no thing named
        if said.lower().endswith(("ed", "est")):
            # "gradient boosted" → "gradient boosted trees", "approximate nearest" → "… neighbour"; a participle
            # with no noun after it ("sliced by market") acknowledges nothing
            said = _with_next_noun(text, said)
        if not said:
            continue
        said = _with_of_noun(text, _with_modifiers(text, said))
        inside = [other for other in surface if other.lower() in said.lower()]
        if inside:  # "downsample negatives" names "downsample" and more
            surface[surface.index(inside[0])] = said
        elif not any(said.lower() in other.lower() for other in surface):
            surface.append(said)  # not "hard negatives and negatives"
        if len(surface) == 2:
            break
    if surface:
        return " and ".join(surface)
    best: list[str] = []
    # A run never crosses punctuation: "prep time at restaurant + courier travel. metric" gives "prep time"
    # (the first of the longest runs), not "restaurant courier travel metric". It must follow a determiner
    # or preposition ("the review queue", "per store"), which makes it a thing named: a run that opens a
    # clause is as likely a verb's ("we decide approve", "online orders hit"), and no acknowledgement is
    # better than a garbled one.
    pieces = re.split(r"([^\w\s'-]+|\s-\s)", text)
    for delimiter, span in zip([""] + pieces[1::2], pieces[0::2]):
        run: list[str] = []
        # a list item names a thing too, and so does what follows "=" or "+" in terse notes ("success = time
        # spent + meaningful interactions")
        before = "," if re.search(r"[,:;=+]|^\s*-\s*$", delimiter) else ""
        for word in re.findall(r"[A-Za-z][A-Za-z0-9'-]*", span) + [""]:
            if (not word or word.lower() in STOPWORDS or word.lower() in CLAUSE_WORDS or len(word) < 3 or "'" in word
                    or _breaks_run(word)):
                run = _trimmed(run)  # "we'd", "it's" end a run too
                best, run = (run if len(run) > len(best) else best), []
                before = word.lower()
            elif run or before in NAMING:
                run.append(word)
    return " ".join(best[-3:]) if len(best) >= 2 else ""  # a noun phrase's head comes last


def _with_modifiers(text: str, said: str) -> str:
    """A one-word term with the words that modify it, as far back as the determiner, preposition or list
    break before them: "text search logs", not "logs"; "an ANN index", "ANN index". A word that could be a
    verb or a clause ("we embed vectors", "daily, retrain") stops it, and so does the start of the text
    ("count false alerts…" opens on a verb as often as on a noun): with no such break in two words the term
    stays alone, since without a tagger a noun's modifiers and a verb's subject look alike."""
    if " " in said:
        return said
    match = re.search(r"((?:[A-Za-z][\w-]*\s+){1,2})" + re.escape(said) + r"\b", text)
    if not match:
        return said
    words = match.group(1).split()
    before = text[:match.start()].split()
    for start in range(len(words)):
        mods = words[start:]
        opener = words[start - 1] if start else (before[-1] if before else "")
        opens = opener.lower() in NAMING | {"and", "or", "-", "*", "•"} or opener.endswith((",", ":", ";"))
        if opens and not any(w.lower() in STOPWORDS | CLAUSE_WORDS | {"plus", "then"} or _breaks_run(w) or len(w) < 2
                             or w.lower() in TRAILING_VERBS or w.lower().endswith("ed") for w in mods):
            return " ".join([*mods, said])
    return said


def _with_of_noun(text: str, said: str) -> str:
    """A term with the "of" phrase that says what it is made of: "slice of cities", "ensemble of trees" (a
    trial's reply opened "Noted: slice." after "roll it out to a slice of cities"). Only a single noun that
    ends its phrase (punctuation, the end, or a joining word after it): "cache of hot completions" would
    be cut to "cache of hot", and "share of the…" and "cache of course" are no such phrase."""
    match = re.search(re.escape(said) + r"\s+of\s+(?!course\b)([A-Za-z][\w-]*)(?=\s*(?:[^\w\s'-]|$)|\s+(\w+))",
                      text, re.I)
    if not match:
        return said
    noun, after = match.group(1), (match.group(2) or "").lower()
    ends = not after or after in STOPWORDS
    plain = noun.lower() not in STOPWORDS and not _breaks_run(noun) and not noun.lower().endswith("ed")
    return f"{said} of {noun}" if ends and plain else said


# Nouns that end a compound a participle qualifies ("fine-tuned language model", "pre-trained text encoder")
COMPOUND_HEADS = {"model", "models", "encoder", "encoders", "classifier", "classifiers", "embedding", "embeddings",
                  "network", "networks", "tree", "trees", "index", "features", "pipeline", "service", "store"}


def _with_next_noun(text: str, said: str) -> str:
    """A participle with the noun it qualifies, and the head noun after that one when a compound goes on:
    "fine-tuned language model", not "fine-tuned language" (from a practice trial); "" with no noun."""
    match = re.search(re.escape(said) + r"\s+([A-Za-z][\w-]*)(?:\s+([A-Za-z][\w-]*))?", text)
    if not match or match.group(1).lower() in STOPWORDS:
        return ""
    head = match.group(2) or ""
    compound = head.lower() in COMPOUND_HEADS
    return f"{said} {match.group(1)} {head}" if compound else f"{said} {match.group(1)}"


def _surface(text: str, term: str) -> str:
    """The term as the candidate wrote it, extended to the end of its word ("downsampl" → "downsampling")."""
    match = re.search(re.escape(term) + r"[\w-]*", text, re.I)
    return match.group(0) if match else ""


def acknowledgement(text: str, turn: int, phase_index: int | None = None) -> str:
    phrase = key_phrase(text, phase_index)
    said = " and ".join(mid_sentence(part, text) for part in phrase.split(" and "))  # "training data and impressions"
    return ACKS[turn % len(ACKS)].format(x=said) if phrase else ""


def mid_sentence(phrase: str, text: str) -> str:
    """The phrase as it reads inside our sentence: a capital that only started the candidate's sentence
    or line ("Velocity and device: ...") is lowered; a word they capitalise mid-sentence too ("Kafka"),
    and acronyms or inner capitals ("PR-AUC", "XGBoost"), stay as written."""
    first = phrase.split(" ", 1)[0]
    if not first[:1].isupper() or first[1:] != first[1:].lower():
        return phrase
    if re.search(r"[A-Za-z0-9,;]\s+" + re.escape(first) + r"\b", text):
        return phrase  # capitalised mid-sentence: a name
    return phrase[0].lower() + phrase[1:]


def first_words(text: str, n: int = 4) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower())[:n])


NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}


def named_gaps(action: Action) -> str:
    """"you haven't covered monitoring and scaling, and I'd like to hear more about data": a phase the
    candidate did mention is never called uncovered, nor called thin — one dense sentence can hold a lot,
    and the interviewer only knows it wants more."""
    missing = [g for g in action.gaps if g not in action.brief]
    brief = [g for g in action.gaps if g in action.brief]
    count = NUMBER_WORDS.get(action.unnamed, str(action.unnamed))
    more = [f"{count} other phase{'s' if action.unnamed > 1 else ''}"] if action.unnamed > 0 else []
    said = [f"you haven't covered {and_list(missing, *more)}"] if missing else []
    if brief:
        said.append(f"I'd like to hear more about {and_list(brief)}")
    return ", and ".join(said)


def offline_message(action: Action, turn: int = 0, previous: str = "", continuing: bool = False,
                    first: bool = False, strayed: bool = False) -> str:
    """The action in words; `turn` rotates the openers and none starts like `previous` did. `continuing`:
    the last question was on this phase too ("Staying on data…" is only said then). `strayed`: the candidate's
    last answer was about another phase ("Back to data: …", never "Let me push on that"). `first`: no
    question about a phase came before ("Let's start with…", never "Next, …")."""
    phase = phase_title(action.target_phase).lower() if action.target_phase else ""
    if action.kind in OPENERS:
        gaps = named_gaps(action) if action.gaps else phase
        options = OPENERS[action.kind] if action.kind != "close_gaps" or not action.gaps else OPENERS["close_gaps"][:1]
        if not continuing:
            options = tuple(o for o in options if not o.startswith("Staying on"))
        elif strayed and action.kind in ("move_on", "ask_skipped"):
            options = BACK_TO
        elif action.kind in ("move_on", "ask_skipped"):
            options = STILL_ON
        if strayed and action.kind == "probe":  # "push on that" / "one level deeper" about what was not just said
            options = BACK_TO if continuing else ELSEWHERE
        if first and action.kind == "move_on":
            options = FIRST
        if action.kind == "close_gaps" and not action.gaps:
            options = OPENERS["close_gaps"][1:]
        if action.kind == "probe" and action.preface:
            options = ("{q}",)  # after "In a mock interview I can't give hints.", "Fair enough.": no "push on that"
        texts = [o.format(phase=phase, q=action.question, q_low=after_dash(action.question), gaps=gaps)
                 for o in options]
    elif action.kind == "requirement_change":
        texts = [f"A change in requirements: {action.question}"]
    elif action.kind == "repeat":
        # "what do you mean?": saying which phase the question is about is the little a repeat can add
        texts = ([action.question] if action.preface  # the preface leads ("Back to the change:")
                 else [f"Sure — on {phase}: {action.question}", f"Of course. About {phase}: {action.question}"] if phase
                 else [f"Sure. {action.question}", f"Of course. {action.question}"])
    elif action.kind == "model_answer":
        texts = [f"Model answer outline for {phase}: {action.question}"]
    else:
        texts = [action.question]
    rotated = texts[turn % len(texts):] + texts[: turn % len(texts)]
    for lead in ("", "OK. ", "And ", "Also: "):  # never the same opening words twice in a row
        for text in rotated:
            # a lead goes first: after a preface said twice running it would change nothing of the opening
            message = f"{lead}{action.preface} {action.ack} {text}" if action.preface and lead else \
                f"{action.preface} {lead}{action.ack} {text}"
            message = " ".join(message.split())
            if not previous or first_words(message) != first_words(previous):
                return message
    return message
