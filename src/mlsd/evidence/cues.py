"""Lexical cues of a unit, the few word-level signals the judgment model reads beside its embedding.

The embedding says what a sentence is about; these say what the candidate is *doing* with it —
asking, assuming, putting something off, talking about the interview — and how many of a phase's
technique terms it names (`rubrics/phases.yaml`). Training (`bench/train_judgment.py`) and the
product compute them with this one function, so the model sees the same features in both.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from mlsd.content.phase_specs import load_phase_specs
from mlsd.core.phases import PHASE_IDS

_QUESTION_START = re.compile(
    r"^\W*(?:and |so |ok(?:ay)? |also |quick question:? |one more:? )?(?:how|what|whats|what's|when|where|which|who|why|"
    r"do|does|did|is|are|was|were|can|could|would|should|will|shall|have|has|any)\b", re.I)
_CLARIFY = re.compile(r"\b(?:wondering|curious|do we (?:know|have|get)|is there|are there|any idea|can you tell|"
                      r"could you tell|how (?:many|much|fast|big|long|often|quickly)|do i have|are we allowed)\b", re.I)
_DEFER = re.compile(r"\b(?:skip(?:ping)?|later|out of scope|beyond (?:the )?scope|won'?t (?:cover|go|get|talk|touch)|"
                    r"will not|not going to|leave (?:it|that|this|those|the \w+)? ?(?:for|out|aside)|park(?:ing)? (?:it|that)|"
                    r"come back to|if (?:we have|there'?s|there is) time|future work|tbd|to be decided|"
                    r"another time|ignore (?:that|it) for now|not cover)\b", re.I)
_ASSUME = re.compile(r"\b(?:assum\w*|let'?s say|suppose|say we have|given that|i'?ll take|taking \w+ .{0,40} as given|"
                     r"premise|presumably)\b", re.I)
_META = re.compile(r"\b(?:hint|does that make sense|makes sense\?|should i|want me to|shall i|covers (?:it|my design|"
                   r"everything)|that'?s (?:it|all|my design|about it|everything)|i'?m done|am done|move on|moving on|"
                   r"sorry|give me a (?:second|sec|moment)|let me think|good question|thank)\b", re.I)
_REQUIREMENT = re.compile(
    r"\b\d[\d,.]*\s*(?:k|m|b|bn|million|billion|thousand)?\s*(?:qps|rps|tps|dau|mau|users|requests|queries|ms|"
    r"milliseconds|seconds|events|transactions|per second|/s|a day|per day|daily)\b", re.I)
_SECOND_PERSON = re.compile(r"\b(?:you|your)\b", re.I)
_FIRST_PERSON_PLAN = re.compile(r"\b(?:i'?d|i would|we'?d|we would|i'?ll|we'?ll|we will|i will|let'?s|we use|i use|"
                                r"we can|i can|we should|i'?m going to|we'?re going to)\b", re.I)
_NEGATION = re.compile(r"\b(?:no|not|never|without|none|nothing)\b|n'?t\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\-]*")

CUE_NAMES: tuple[str, ...] = tuple(f"terms_{p}" for p in PHASE_IDS) + (
    "terms_all", "ends_with_question", "question_start", "clarify", "defer", "assume", "meta", "digit",
    "requirement", "log_words", "second_person", "first_person_plan", "negation")


def term_pattern(terms: list[str] | tuple[str, ...]) -> re.Pattern:
    """One pattern finding any of `terms`, longest first. Short terms (ann, psi, kl) must be whole words;
    longer ones may be stems ("downsampl"). The word-start check is made once per position, before the
    alternatives, and a look-ahead on the first letters skips positions no term can start at: tried
    term by term, a few hundred alternatives cost a millisecond a sentence, the grader's largest cost
    after embedding."""
    ordered = sorted(terms, key=len, reverse=True)
    if not ordered:
        return re.compile(r"(?!x)x")  # matches nothing
    firsts = "".join(sorted({re.escape(t[0]) for t in ordered}))
    alternatives = "|".join(re.escape(t) + (r"\b" if len(t) <= 4 else "") for t in ordered)
    return re.compile(rf"(?<![a-z0-9])(?=[{firsts}])(?:{alternatives})")


@lru_cache(maxsize=1)
def _technique_patterns() -> list[re.Pattern]:
    specs = load_phase_specs().phases
    return [term_pattern(specs[p].techniques) for p in PHASE_IDS]


def technique_terms(text: str) -> list[set[str]]:
    """Per phase, the distinct technique terms `text` names."""
    low = text.lower()
    return [{m.group(0) for m in pattern.finditer(low)} for pattern in _technique_patterns()]


def cue_vector(text: str) -> np.ndarray:
    terms = [len(t) for t in technique_terms(text)]
    words = len(_WORD.findall(text))
    stripped = text.strip()
    flags = [
        stripped.endswith("?"), bool(_QUESTION_START.search(stripped)), bool(_CLARIFY.search(text)),
        bool(_DEFER.search(text)), bool(_ASSUME.search(text)), bool(_META.search(text)), bool(re.search(r"\d", text)),
        bool(_REQUIREMENT.search(text)),
    ]
    rest = [np.log1p(words), bool(_SECOND_PERSON.search(text)), bool(_FIRST_PERSON_PLAN.search(text)),
            bool(_NEGATION.search(text))]
    return np.array([np.log1p(t) for t in terms] + [np.log1p(sum(terms))] + flags + rest, dtype=np.float32)


def cue_matrix(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, len(CUE_NAMES)), np.float32)
    return np.vstack([cue_vector(t) for t in texts])
