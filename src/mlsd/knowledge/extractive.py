"""The offline answer: the best-matching section's own sentences, in their order, each cited.

A section of a note answers one question ("how skew is detected", "what PSI thresholds mean"), so
the answer is that section read back: every usable sentence when it has up to MAX_SENTENCES of
them, else the MAX_SENTENCES closest in meaning to the question, still in the section's order (a
section read out of order loses its "this" and "then"). Taking one sentence each from several
sections reads like a list of topic sentences that never get to the point, so it is never done.
Whether the section answers at all is decided by its best sentence (`answers`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlsd.core.text import split_sentences
from mlsd.knowledge.index import Hit, KnowledgeIndex

MAX_SENTENCES = 6  # a section with fewer usable sentences is read back whole
MIN_WORDS = 6  # shorter units ("Errors.", "Cover:") say nothing on their own
# A section whose closest sentence is less similar than this shares the question's words, not its
# meaning. Of the 111 labelled in-scope questions (bench/data/concept_questions.yaml) one falls below
# it, and rightly: "new listings get no exposure" picks a section on shadow deployments (0.285).
# Questions near the notes' scope that they do not answer ("how many GPUs trained GPT-4?") score
# higher than that, so this catches only plain misses: MiniLM similarity does not tell "about" from
# "answers".
ANSWER_FLOOR = 0.30

_MARKUP = re.compile(r"\*\*|__|`")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_END = re.compile(r"[.!?]+$")


@dataclass(frozen=True)
class Unit:
    """A sentence of a passage, or one list item, with Markdown emphasis removed."""

    text: str
    paragraph: int  # which blank-line separated block of the passage it comes from
    item: bool  # a list item (shown as a bullet), not prose


def passage_units(text: str) -> list[Unit]:
    """Sentences and list items of a passage, in order; headings and table rows are left out."""
    out: list[Unit] = []
    for number, paragraph in enumerate(re.split(r"\n\s*\n", text)):
        lines = paragraph.splitlines()
        is_list = any(_BULLET.match(line) for line in lines)
        pieces = [_BULLET.sub("", line) for line in lines] if is_list else [" ".join(lines)]
        for piece in pieces:
            piece = _MARKUP.sub("", piece).strip()
            if piece.startswith(("#", "|")):  # headings and table rows read badly out of context
                continue
            out.extend(Unit(s, number, is_list) for s in split_sentences(piece))
    return out


def usable(unit: Unit) -> bool:
    """Long enough to say something, and not a lead-in to a list ("Cover:")."""
    return len(unit.text.split()) >= MIN_WORDS and not unit.text.endswith(":")


def cite(sentence: str, number: int) -> str:
    """'It is detected by replay.' -> 'It is detected by replay [1].' (after a closing quote: '..." [1]')."""
    end = _END.search(sentence)
    if end:
        return f"{sentence[:end.start()]} [{number}]{end.group()}"
    return f"{sentence} [{number}]"


def compose(units: Sequence[Unit], number: int) -> str:
    """Prose sentences of one paragraph run together; list items become bullets; every unit cited."""
    blocks: list[str] = []
    previous: Unit | None = None
    for unit in units:
        text = cite(unit.text, number)
        if unit.item:
            blocks.append(f"- {text}")
        elif previous is not None and not previous.item and previous.paragraph == unit.paragraph:
            blocks[-1] += " " + text
        else:
            blocks.append(text)
        previous = unit
    return "\n\n".join(_join_bullets(blocks))


def _join_bullets(blocks: list[str]) -> list[str]:
    """Consecutive bullets form one list (single newlines), prose stays in its own paragraphs."""
    out: list[str] = []
    for block in blocks:
        if out and block.startswith("- ") and out[-1].split("\n")[-1].startswith("- "):
            out[-1] += "\n" + block
        else:
            out.append(block)
    return out


@dataclass(frozen=True)
class Extract:
    source: int  # index into the hits of the section the answer comes from
    units: list[Unit]  # the chosen units, in the section's order
    answers: bool  # False: the closest section does not answer the question


def extract(question: str, hits: Sequence[Hit], index: KnowledgeIndex) -> Extract:
    """Choose the section that answers best, then its units (see the module docstring); deterministic.

    The section: highest `relevance` + best sentence similarity. Relevance alone favours a section
    whose opening words match the question (only those are embedded in the index); the sentence
    term lets a section whose body says the answer win.
    """
    sections = [[u for u in passage_units(hit.text) if usable(u)] for hit in hits]
    texts = [u.text for units in sections for u in units]
    if not texts:
        return Extract(0, [], False)
    vectors = np.asarray(index.embedder.documents(texts))  # one batch: much faster than one call a section
    all_similarity = vectors @ np.asarray(index.embedder.query(question))
    best: tuple[float, int, np.ndarray] | None = None
    start = 0
    for position, (hit, units) in enumerate(zip(hits, sections)):
        similarity, start = all_similarity[start:start + len(units)], start + len(units)
        if units and (best is None or hit.relevance + float(similarity.max()) > best[0]):
            best = (hit.relevance + float(similarity.max()), position, similarity)
    _, position, similarity = best
    units = sections[position]
    chosen = range(len(units))
    if len(units) > MAX_SENTENCES:
        chosen = sorted(sorted(chosen, key=lambda i: (-similarity[i], i))[:MAX_SENTENCES])
    return Extract(position, [units[i] for i in chosen], float(similarity.max()) >= ANSWER_FLOOR)
