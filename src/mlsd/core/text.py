"""Text primitives every part shares: one sentence splitter and one "same words?" normaliser.

The splitter is used by the evidence engine (it needs verbatim offsets), the extractive answers and
the interviewer's reading of questions, so a sentence is the same thing everywhere. It ends a
sentence at . ! or ? followed by white space, whatever comes next — typed chat rarely capitalises
("ok so we score each txn. then block above the threshold") — except after an abbreviation or an
initial ("e.g. the", "vs. rules").
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+\S)")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
# Only abbreviations that rarely end a sentence: "etc." and "ms." often do, so they are boundaries.
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\-]+")  # a word as counted for lengths (the segmenter's too)
_ABBREVIATIONS = frozenset({"e.g", "eg", "i.e", "ie", "vs", "approx", "incl", "esp", "fig", "eq", "cf", "al", "mr",
                            "mrs", "dr"})


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, surrounding white space excluded; text[start:end] is verbatim."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        word = _LAST_WORD.search(text[start:end])
        if word and text[end - len(match.group()):end].startswith(".") and (
                word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
            continue  # "e.g." or an initial, not the end of a sentence
        if _inside_quote(text, start, end) or (match.group()[-1] in "\"”" and _LOWER_NEXT.match(text, end)):
            # a quoted question: "we text them — \"Did you just spend $450? Yes / No\" — and…", "users ask
            # “what is my balance?” a lot"
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        piece = text[a:b]
        a += len(piece) - len(piece.lstrip())
        b -= len(piece) - len(piece.rstrip())
        if b > a:
            out.append((a, b))
    return out


_LOWER_NEXT = re.compile(r"[ \t]+[a-z]")


def _inside_quote(text: str, start: int, end: int) -> bool:
    """Is `end` inside a double-quoted span that opened in this sentence and closes later on the same line?"""
    before = text[start:end]
    line_end = text.find("\n", end)
    after = text[end:line_end if line_end >= 0 else len(text)]
    curly_open = before.count("“") > before.count("”")
    straight_open = before.count('"') % 2 == 1
    return (curly_open and "”" in after) or (straight_open and '"' in after)


# A run-on sentence states several things: "a two-tower model trained on watch events, and then a ranking
# model ...; ranking runs online within 100 ms, and before launch I would compare ...". Judged whole, its
# embedding is the average of four statements, close to none of them, and it counts as one statement
# where it makes four. Past LONG_SENTENCE_WORDS it is cut where a new clause starts: after a semicolon,
# or before a comma-led "then / after / before / finally / also" or "and I / and we". A piece shorter
# than MIN_CLAUSE_WORDS stays with the clause before it.
LONG_SENTENCE_WORDS = 40
MIN_CLAUSE_WORDS = 8
_CLAUSE_BREAK = re.compile(r";\s+|,\s+(?=(?:and\s+|but\s+)?(?:then|after|before|afterwards|finally|later|also|once)\b)"
                           r"|,\s+(?=(?:and|but|so|while)\s+(?:I|we)\b)")


def clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """text[start:end] as one span, or, when it is a run-on sentence, as its clauses (verbatim slices)."""
    if len(WORD.findall(text[start:end])) <= LONG_SENTENCE_WORDS:
        return [(start, end)]
    cuts = [m.end() for m in _CLAUSE_BREAK.finditer(text, start, end)]
    spans: list[tuple[int, int]] = []
    for a, b in zip([start] + cuts, cuts + [end]):
        piece_end = a + len(text[a:b].rstrip().rstrip(","))
        if spans and (len(WORD.findall(text[a:b])) < MIN_CLAUSE_WORDS
                      or len(WORD.findall(text[spans[-1][0]:spans[-1][1]])) < MIN_CLAUSE_WORDS):
            spans[-1] = (spans[-1][0], piece_end)
        elif piece_end > a:
            spans.append((a, piece_end))
    return spans


def split_sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, anything else not a letter or digit a space: "What's the SLA?" → "whats the sla"."""
    text = re.sub(r"['’`]", "", text.lower())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def after_dash(sentence: str) -> str:
    """A sentence continuing ours after a dash or colon: "— how would you…", not "— How would you…". "I",
    acronyms and words with inner capitals ("PR-AUC", "XGBoost") keep theirs."""
    first = sentence.split(" ", 1)[0]
    if not first[:1].isupper() or first[1:] != first[1:].lower() or re.match(r"I\b", first):
        return sentence
    return sentence[0].lower() + sentence[1:]
