"""Grounded concept Q&A over the knowledge index: retrieve, decide if in scope, answer with citations.

Out of scope (the best passage is not relevant enough) → a plain refusal, never a guess, and no
LLM call. In scope → an LLM answer restricted to numbered sources whose citations are checked in
code, or, on the offline backend, an extractive answer: the answering section's own sentences in
order, each cited (`mlsd.knowledge.extractive`); when no section answers, it says so and names the
closest notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from pydantic import BaseModel, Field

from mlsd.core.config import Settings
from mlsd.knowledge.extractive import compose_cited, defining_section, extract
from mlsd.knowledge.index import Hit, KnowledgeIndex, ensure_index
from mlsd.llm import LLM

# In-scope decision on the best hit's relevance (cosine + lexical coverage, see mlsd.index).
# Cosine alone does not separate the labelled questions (MiniLM scores "a good marathon training
# plan" against a modeling note above several real questions), while off-topic questions use words
# the notes never contain (sourdough, visa, wicket). Calibrated with `python -m bench.knowledge_bench`
# on bench/data/concept_questions.yaml: lowest in-scope relevance 0.372, highest out-of-scope 0.299;
# the threshold sits midway.
IN_SCOPE_THRESHOLD = 0.34
# Below the threshold, topics at least this relevant are offered as "related"; above it, weaker
# passages are left out of the sources.
RELATED_FLOOR = 0.30  # no labelled off-topic question reaches it (highest: 0.299)


SYSTEM_PROMPT = (
    "You help candidates prepare for machine learning system design interviews. Answer the "
    "question using ONLY the numbered sources provided. Cite every claim with the number of its "
    "source in square brackets, like [1] or [2][3]. Do not use outside knowledge and do not cite "
    "numbers that are not in the list. If the sources do not answer the question, say that the "
    "knowledge base does not cover it. Be concise: a short paragraph or a few bullets."
)


class Source(BaseModel):
    path: str
    heading: str
    text: str
    score: float = Field(description="relevance: cosine + lexical coverage, the value sources are ranked by "
                                     "and IN_SCOPE_THRESHOLD is compared with")


class Answer(BaseModel):
    answer: str
    in_scope: bool
    answered: bool = Field(True, description="False when refused, or when the closest notes do not answer it")
    sources: list[Source] = Field(default_factory=list, description="best first; [n] cites sources[n-1]")


# -- retrieval and scope --------------------------------------------------------------------------
def scope_score(hits: Sequence[Hit]) -> float:
    """How well the knowledge base covers the question (compare with IN_SCOPE_THRESHOLD)."""
    return max((h.relevance for h in hits), default=0.0)


def is_in_scope(hits: Sequence[Hit], threshold: float = IN_SCOPE_THRESHOLD) -> bool:
    return scope_score(hits) >= threshold


def to_sources(hits: Sequence[Hit]) -> list[Source]:
    return [Source(path=h.path, heading=h.heading, text=h.text, score=round(h.relevance, 4)) for h in hits]


def refusal(question: str, hits: Sequence[Hit]) -> str:
    related: list[str] = []
    for hit in sorted(hits, key=lambda h: h.relevance, reverse=True):
        if hit.relevance >= RELATED_FLOOR and hit.title not in related:
            related.append(hit.title)
    text = ("The knowledge base has nothing on this question, so I won't answer it from general "
            "knowledge. It covers ML system design: problem framing, data, features, modeling, "
            "evaluation, serving, scalability and monitoring.")
    if related:
        text += " Related topics it does cover: " + "; ".join(related[:3]) + "."
    return text


# -- citations ------------------------------------------------------------------------------------
_CITATION = re.compile(r"(\s*)\[(\s*\d+(?:\s*[,;]\s*\d+)*\s*)\]")


def fix_citations(text: str, n_sources: int) -> str:
    """Drop cited numbers outside 1..n_sources; a bracket left empty disappears with its space."""

    def repl(match: re.Match) -> str:
        numbers = [int(x) for x in re.findall(r"\d+", match.group(2))]
        kept = [n for n in dict.fromkeys(numbers) if 1 <= n <= n_sources]
        if not kept:
            return ""
        return match.group(1) + "".join(f"[{n}]" for n in kept)

    return _CITATION.sub(repl, text)


def cited_numbers(text: str) -> set[int]:
    return {int(n) for m in _CITATION.finditer(text) for n in re.findall(r"\d+", m.group(2))}


def sources_footer(sources: Sequence[Source]) -> str:
    lines = [f"[{i}] {s.path} — {s.heading}" for i, s in enumerate(sources, 1)]
    return "\n\nSources:\n" + "\n".join(lines)


class CitationFilter:
    """Applies `fix_citations` to streamed text, holding back only an unfinished `[...`."""

    MAX_PENDING = 16  # a '[' followed by more than this without ']' is not a citation

    def __init__(self, n_sources: int):
        self.n_sources = n_sources
        self._pending = ""

    def feed(self, piece: str) -> str:
        self._pending += piece
        cut = self._pending.rfind("[")
        if cut == -1 or "]" in self._pending[cut:] or len(self._pending) - cut > self.MAX_PENDING:
            cut = len(self._pending)
        # Whitespace right before a held-back '[' may belong to a citation that gets dropped.
        while cut > 0 and cut < len(self._pending) and self._pending[cut - 1].isspace():
            cut -= 1
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return fix_citations(ready, self.n_sources)

    def flush(self) -> str:
        ready, self._pending = self._pending, ""
        return fix_citations(ready, self.n_sources)


# -- answering ------------------------------------------------------------------------------------
class AnswerStream:
    """Iterate for text pieces (for the UI); `answer()` gives the final Answer (consuming the rest).

    `sources` and `in_scope` are known before the first piece.
    """

    def __init__(self, question: str, hits: list[Hit], in_scope: bool, pieces: Iterator[str] | None,
                 answered: bool | None = None):
        self.question = question
        self.hits = hits
        self.in_scope = in_scope
        self.answered = in_scope if answered is None else answered
        self.sources = to_sources(hits) if in_scope else []
        self._pieces = pieces
        self._parts: list[str] = []
        self.sources_listed = False  # the reply cited nothing, so the sources list was appended
        self._iterator = self._run()

    def __iter__(self) -> Iterator[str]:
        return self._iterator

    def _run(self) -> Iterator[str]:
        if not self.in_scope:
            yield from self._emit(refusal(self.question, self.hits))
        elif self._pieces is not None:
            citations = CitationFilter(len(self.sources))
            for piece in self._pieces:
                yield from self._emit(citations.feed(piece))
            yield from self._emit(citations.flush())
            if not cited_numbers("".join(self._parts)):
                self.sources_listed = True
                yield from self._emit(sources_footer(self.sources))

    def _emit(self, text: str) -> Iterator[str]:
        if text:
            self._parts.append(text)
            yield text

    def answer(self) -> Answer:
        for _ in self._iterator:
            pass
        return Answer(answer="".join(self._parts).strip(), in_scope=self.in_scope, answered=self.answered,
                      sources=self.sources)


def source_messages(question: str, hits: Sequence[Hit]) -> list[tuple[str, str]]:
    blocks = [f"[{i}] {h.title} — {h.heading} ({h.path})\n{h.text.strip()}" for i, h in enumerate(hits, 1)]
    user = "Sources:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question.strip()}"
    return [("system", SYSTEM_PROMPT), ("user", user)]


def _llm_for(settings: Settings, llm: LLM | None) -> LLM:
    from mlsd.llm import get_llm

    return llm or get_llm(settings)


def _retrieve(question: str, k: int, settings: Settings) -> tuple[KnowledgeIndex, list[Hit], bool]:
    index = ensure_index(settings)
    hits = index.search(question, k=k)
    if not is_in_scope(hits):
        return index, hits, False
    # Passages no more relevant than a "related topic" would only dilute the answer and its sources.
    return index, [h for h in hits if h.relevance >= RELATED_FLOOR], True


def ask_stream(question: str, *, k: int = 5, settings: Settings | None = None, llm: LLM | None = None,
               max_tokens: int = 600) -> AnswerStream:
    """The answer in pieces, as they arrive (LLM backends stream; the offline answer is one piece)."""
    settings = settings or Settings()
    index, hits, in_scope = _retrieve(question, k, settings)
    if not in_scope:
        return AnswerStream(question, hits, False, None)  # refusals never call the LLM
    model = _llm_for(settings, llm)
    if model.offline:
        hits, text, answered = offline_answer(question, hits, index)
        return AnswerStream(question, hits, True, iter([text]), answered)
    return AnswerStream(question, hits, True, model.stream(source_messages(question, hits), max_tokens=max_tokens))


def ask(question: str, *, k: int = 5, settings: Settings | None = None, llm: LLM | None = None,
        max_tokens: int = 600) -> Answer:
    """Answer `question` from the knowledge base only, citing sources as [n] (sources[n-1])."""
    return ask_stream(question, k=k, settings=settings, llm=llm, max_tokens=max_tokens).answer()


# -- offline: extractive answer -------------------------------------------------------------------
def not_answered(hits: Sequence[Hit]) -> str:
    closest = "; ".join(f"{h.title} — {h.heading} [{n}]" for n, h in enumerate(hits[:3], 1))
    return (f"The notes closest to this question do not answer it directly, so here is where to read "
            f"instead: {closest}.")


def offline_answer(question: str, hits: list[Hit], index: KnowledgeIndex) -> tuple[list[Hit], str, bool]:
    """(hits with the answering section first, so it is [1], then the sections of its supplement; the
    answer; whether it answers)."""
    found = extract(question, hits, index, defining=defining_section(question, hits))
    order = [found.source] + list(dict.fromkeys(n for n, _ in found.supplement))
    order += [n for n in range(len(hits)) if n not in order]
    hits = [hits[n] for n in order]
    if not found.answers:
        return hits, not_answered(hits), False
    number = {n: place for place, n in enumerate(order, 1)}
    units = [(unit, 1) for unit in found.units] + [(unit, number[n]) for n, unit in found.supplement]
    return hits, compose_cited(units), True
