"""What a term means, in one or two sentences of our notes: the short answer a practice interview gives to
"what is calibration?" before going back to the question still open.

Only a sentence that defines the term counts: it names the term first and says what it is or does
("Calibration is the property that…", "Sharding (horizontal partitioning) splits…") and it opens its
section, where our notes put their definitions ("## What sharding is"). A sentence further on that merely starts with the term ("PSI is mathematically the
symmetric version of KL…", "NDCG is the default offline metric…") says something true about it, not
what it is; sections on how to bring a topic up in an interview say how to talk about it. When no such
sentence is found the interviewer keeps pointing to Ask, which answers at length and with sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlsd.knowledge.ask import is_in_scope
from mlsd.knowledge.extractive import passage_units, usable
from mlsd.knowledge.index import KnowledgeIndex

# "what is PSI?", "whats MRR again?", "what does NDCG stand for?", "can you explain negative sampling?"
_ASKS_TERM = re.compile(
    r"^\W*(?:(?:sorry|btw|by the way|quick question|ok(?:ay)?|so|hmm|wait|oh|actually|also|and)\W+){0,3}"
    r"(?:what(?:'?s| is| are)\s+(?:an? |the )?(?P<a>.+?)|what (?:does|do)\s+(?:an? |the )?(?P<b>.+?)\s+(?:mean|stand for)|"
    r"(?:can|could) you (?:explain|define|remind me)(?: what)?\s+(?:an? |the )?(?P<c>.+?)(?:\s+(?:is|are|means?))?|"
    r"(?:explain|define)\s+(?:an? |the )?(?P<d>.+?))"
    r"\s*(?:\W+(?:by the way|btw|exactly|again|actually|even|here))*\W*$", re.I)
_DEFINING_HEADING = re.compile(r"^what\b.*\b(?:is|are|means?|does)$", re.I)
_ADVICE = re.compile(r"\bin (?:an|the) interview\b", re.I)
MAX_WORDS = 60  # a second sentence is added only while the two stay this short


@dataclass(frozen=True)
class Definition:
    term: str
    text: str  # one or two sentences, as the note has them
    title: str  # the note's title
    path: str

    @property
    def topic(self) -> str:
        """The title as it reads inside a sentence: "probability calibration", not "Probability calibration
        (Platt scaling, isotonic regression, ECE)"; an acronym or a name keeps its capitals."""
        short = re.sub(r"\s*\([^)]*\)\s*$", "", self.title).strip() or self.title
        plain_word = re.fullmatch(r"[A-Z][a-z]+(?:-[a-z]+)*", short.split()[0].rstrip(",;:"))  # not "A/B", "PSI"
        return short[0].lower() + short[1:] if plain_word else short


def term_asked(question: str) -> str | None:
    """The term a "what is X?" question asks about, or None when it asks something else."""
    for sentence in re.split(r"(?<=[?.!])\s+", question.strip()):
        match = _ASKS_TERM.match(sentence)
        if match:
            return next(group for group in match.groups() if group).strip()
    return None


def define(question: str, index: KnowledgeIndex, k: int = 5) -> Definition | None:
    """The notes' definition of the term `question` asks about, or None (not a term question, out of
    scope, or no section opens with a definition of it)."""
    term = term_asked(question)
    if not term:
        return None
    hits = index.search(question, k=k)
    if not is_in_scope(hits):
        return None
    words = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", term))
    # the term, an optional "(…)" or ", …," after it, then what it does or is ("Sharding (horizontal
    # partitioning) splits…", "Data leakage happens when…"): a lower-case word, never a comma or a colon
    # or the term spelled out, with it in brackets: "Retrieval-augmented generation (RAG) combines…"
    named = rf"(?:{words}s?\b(?:\s*\([^)]*\))?|[\w-]+(?:\s+[\w-]+){{0,4}}\s*\({words}\))"
    defines = re.compile(rf"^(?:an? |the )?{named}(?:,[^,]{{0,60}},)?\s+[a-z]", re.I)
    # a section that says what something is ("## What sharding is") first, then the rest in search order
    ordered = sorted(hits, key=lambda hit: not _DEFINING_HEADING.match(hit.heading or ""))
    for hit in ordered:
        if _ADVICE.search(hit.heading or ""):
            continue
        units = [u for u in passage_units(hit.text) if usable(u)]
        if units and defines.match(units[0].text):
            text = units[0].text
            if len(units) > 1 and units[1].paragraph == units[0].paragraph and not units[1].item \
                    and len(f"{text} {units[1].text}".split()) <= MAX_WORDS:
                text = f"{text} {units[1].text}"
            return Definition(term=term, text=text, title=hit.title, path=hit.path)
    return None
