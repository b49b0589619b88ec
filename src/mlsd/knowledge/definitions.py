"""What a term means, in one or two sentences of our notes: the short answer a practice interview gives to
"what is calibration?" before going back to the question still open.

Only a sentence that defines the term counts: it names the term first and says what it is or does
("Calibration is the property that…", "Sharding (horizontal partitioning) splits…") and it opens its
section, where our notes put their definitions ("## What sharding is"; `extractive.defining_section`,
which Ask also answers such a question from). A sentence further on that merely starts with the term
("PSI is mathematically the symmetric version of KL…", "NDCG is the default offline metric…") says
something true about it, not what it is; sections on how to bring a topic up in an interview say how to
talk about it. When no such sentence is found the interviewer keeps pointing to Ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlsd.knowledge.ask import is_in_scope
from mlsd.knowledge.extractive import defining_section, passage_units, term_asked, usable
from mlsd.knowledge.index import KnowledgeIndex

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


def define(question: str, index: KnowledgeIndex, k: int = 5) -> Definition | None:
    """The notes' definition of the term `question` asks about, or None (not a term question, out of
    scope, or no section opens with a definition of it)."""
    term = term_asked(question)
    if not term:
        return None
    hits = index.search(question, k=k)
    if not is_in_scope(hits):
        return None
    found = defining_section(question, hits)
    if found is None:
        return None
    hit, units = hits[found], [u for u in passage_units(hits[found].text) if usable(u)]
    text = units[0].text
    if len(units) > 1 and units[1].paragraph == units[0].paragraph and not units[1].item \
            and len(f"{text} {units[1].text}".split()) <= MAX_WORDS:
        text = f"{text} {units[1].text}"
    return Definition(term=term, text=text, title=hit.title, path=hit.path)
