"""Is the candidate's text a poem? Rhymed verse about a model reads, sentence by sentence, like design.

A poem on an ML theme ("O patient model, trained on posts at dawn…") names the phases in their own
words — trained, features, labelled, monitor, scale, evaluate — and its hard-wrapped lines join into
sentences the judgment can take for statements. What no answer does is rhyme: most lines of rhymed
verse end in a word that rhymes with one of the next few lines' (ABAB, AABB, a limerick's AABBA),
while the line ends of notes, bullets and prose rhyme only by chance. Rhymes are read from spelling:
the last vowel group and what follows it ("dawn"/"drawn", "rage"/"page"), or the last two letters
("cheer"/"clear" is missed, so a poem needs many rhymes to be found, and a list is not taken for one);
a shared suffix alone ("training"/"serving", "labelled"/"used") is no rhyme, and a repeated word is none.
Free verse is not caught here; it is what the judgment and the talk filter are for.
"""

from __future__ import annotations

import re

MIN_LINES = 8  # two quatrains
MAX_LINE_WORDS = 12  # a line of verse; a sentence of prose is longer
MIN_SHORT_SHARE = 0.8  # of the text's lines
MIN_RHYMING_SHARE = 0.5  # of its short lines
LOOKAHEAD = 3  # ABAB rhymes two lines on, a limerick's last line three
SUFFIXES = ("ing", "ed", "es", "s", "tion", "sion", "ly", "er", "ers", "al", "ment", "ness", "ity", "ic", "ive")
_WORD = re.compile(r"[a-z']+")
_VOWELS = re.compile(r"[aeiouy]+[^aeiouy]*$")
_BULLET = re.compile(r"^\s*(?:[-*•·>]|\d+[.)])")


def _last_word(line: str) -> str:
    words = _WORD.findall(line.lower())
    return words[-1].strip("'") if words else ""


def rhymes(a: str, b: str) -> bool:
    if not a or not b or a == b or len(a) < 2 or len(b) < 2:
        return False
    for suffix in SUFFIXES:
        if a.endswith(suffix) and b.endswith(suffix):
            a_stem, b_stem = a[: -len(suffix)], b[: -len(suffix)]
            # "caps"/"snaps" still rhyme without their "s"; "training"/"serving" do not without "ing"
            return bool(a_stem and b_stem) and suffix == "s" and rhymes(a_stem, b_stem)
    tail_a, tail_b = _VOWELS.search(a), _VOWELS.search(b)
    same_tail = bool(tail_a and tail_b and tail_a.group() == tail_b.group())
    return same_tail or a[-2:] == b[-2:]


def is_verse(text: str) -> bool:
    """Eight or more short lines, most of the text, and at least half of them rhyming with a line soon after."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    short = [line for line in lines if len(line.split()) <= MAX_LINE_WORDS and not _BULLET.match(line)]
    if len(short) < MIN_LINES or len(short) < MIN_SHORT_SHARE * len(lines):
        return False
    ends = [_last_word(line) for line in short]
    rhymed = set()
    for i, end in enumerate(ends):
        for j in range(i + 1, min(i + 1 + LOOKAHEAD, len(ends))):
            if rhymes(end, ends[j]):
                rhymed.update((i, j))
    return len(rhymed) >= MIN_RHYMING_SHARE * len(short)
