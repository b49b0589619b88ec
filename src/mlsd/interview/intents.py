"""What a message asks of the interview ("I'm done", "let's stop", a hint, the model answer), read by
wording first and by meaning second.

The patterns of `signals` are precise but only know the phrasings they list; candidates close a
walkthrough or ask for help in endless ways ("I'll leave it there", "any pointers?"). When no pattern
has a say, the message's last unit, if it is short and not design content, is compared with the
prototypes in data/intents.yaml and takes the kind of the closest one (done, stop, hint, model_answer
or other) when that is close enough. The patterns' vetoes ("done with features, moving on", "are we
done?") and their own verdicts always stand; meaning only adds what they missed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from mlsd.content.files import load_yaml_model
from mlsd.evidence.judged import JudgedUnit
from mlsd.interview.signals import end_signal, has_end_wording, is_hint_request, is_model_answer_request
from mlsd.knowledge.content_vectors import content_vectors

Intent = Literal["done", "stop", "hint", "model_answer"]
KINDS = ("done", "stop", "hint", "model_answer", "other")
PROTOTYPES = Path(__file__).parent / "data" / "intents.yaml"
# Chosen on bench/data/done_signals.yaml and our dialogues' turns (python -m bench.intents_fit), whose
# wording the prototypes do not share.
SIMILAR = 0.575  # the closest prototype must be at least this close
MARGIN = 0.0  # and at least this much closer than every "other" prototype
MAX_WORDS = 16  # a request is a short line, not a design sentence that happens to come last


class Prototypes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    done: list[str] = Field(min_length=1)
    stop: list[str] = Field(min_length=1)
    hint: list[str] = Field(min_length=1)
    model_answer: list[str] = Field(min_length=1)
    other: list[str] = Field(min_length=1)


@lru_cache(maxsize=1)
def prototypes() -> tuple[list[str], np.ndarray]:
    """(kind per prototype, their unit vectors), embedded once per process."""
    data = load_yaml_model(PROTOTYPES, Prototypes)
    kinds = [kind for kind in KINDS for _ in getattr(data, kind)]
    texts = [text for kind in KINDS for text in getattr(data, kind)]
    return kinds, content_vectors(texts)


def closest(vector: np.ndarray) -> tuple[str, float, float]:
    """(kind of the closest prototype, its similarity, the best "other" similarity)."""
    kinds, vectors = prototypes()
    sims = vectors @ vector
    best = int(np.argmax(sims))
    other = max(float(s) for s, k in zip(sims, kinds) if k == "other")
    return kinds[best], float(sims[best]), other


def by_meaning(units: list[JudgedUnit], similar: float = SIMILAR, margin: float = MARGIN) -> Intent | None:
    """The kind of the message's last unit when it is a short non-design line close to a prototype."""
    last = units[-1] if units else None
    if last is None or last.content >= 0.5 or len(last.unit.text.split()) > MAX_WORDS:
        return None
    kind, sim, other = closest(last.vector)
    if kind == "other" or sim < similar or sim - other < margin:
        return None
    return kind  # type: ignore[return-value]


def read_intents(text: str, units: list[JudgedUnit], similar: float = SIMILAR,
                 margin: float = MARGIN) -> tuple[Intent | None, bool, bool]:
    """(end signal: "done" | "stop" | None, asks for a hint, asks for the model answer) of one message."""
    hint, model_answer = is_hint_request(text), is_model_answer_request(text)
    if hint or model_answer or has_end_wording(text):  # the patterns have a say: their verdict stands
        return end_signal(text), hint, model_answer
    kind = by_meaning(units, similar, margin)
    return (kind if kind in ("done", "stop") else None), kind == "hint", kind == "model_answer"
