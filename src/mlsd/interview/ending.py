""""I'm done" and "let's stop", read by wording first and by meaning second.

The patterns of `signals.end_signal` are precise but only know the phrasings they list; candidates
close a walkthrough in endless ways ("I'll leave it there", "I'm happy with the design as it
stands"). When the patterns find nothing, the message's last unit, if it is short and not design
content, is compared with the prototypes in data/endings.yaml: it takes the kind of the closest one
(done, stop or other) when that is close enough. The patterns' vetoes ("done with features, moving
on", "are we done?") and their own verdicts always stand; meaning only adds what they missed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from mlsd.content.files import load_yaml_model
from mlsd.evidence.judged import JudgedUnit
from mlsd.interview.signals import EndSignal, end_signal, has_end_wording
from mlsd.knowledge.embeddings import get_embedder

PROTOTYPES = Path(__file__).parent / "data" / "endings.yaml"
# Chosen on bench/data/done_signals.yaml and our dialogues' turns (python -m bench.ending_fit), whose
# wording the prototypes do not share.
SIMILAR = 0.575  # the closest prototype must be at least this close
MARGIN = 0.0  # and at least this much closer than every "other" prototype
MAX_WORDS = 16  # an end signal is a short closing line, not a design sentence that happens to be last


class Endings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    done: list[str] = Field(min_length=1)
    stop: list[str] = Field(min_length=1)
    other: list[str] = Field(min_length=1)


@lru_cache(maxsize=1)
def prototypes() -> tuple[list[str], np.ndarray]:
    """(kind per prototype, their unit vectors), embedded once per process."""
    data = load_yaml_model(PROTOTYPES, Endings)
    kinds = [kind for kind in ("done", "stop", "other") for _ in getattr(data, kind)]
    texts = [text for kind in ("done", "stop", "other") for text in getattr(data, kind)]
    return kinds, get_embedder().embed(texts)


def closest(vector: np.ndarray) -> tuple[str, float, float]:
    """(kind of the closest prototype, its similarity, the best "other" similarity)."""
    kinds, vectors = prototypes()
    sims = vectors @ vector
    best = int(np.argmax(sims))
    other = max(float(s) for s, k in zip(sims, kinds) if k == "other")
    return kinds[best], float(sims[best]), other


def read_end(text: str, units: list[JudgedUnit], similar: float = SIMILAR, margin: float = MARGIN) -> EndSignal | None:
    """"done", "stop" or None for one candidate message, its units judged."""
    if has_end_wording(text):  # the patterns matched something: their verdict (or veto) stands
        return end_signal(text)
    last = units[-1] if units else None
    if last is None or last.content >= 0.5 or len(last.unit.text.split()) > MAX_WORDS:
        return None
    kind, sim, other = closest(last.vector)
    if kind == "other" or sim < similar or sim - other < margin:
        return None
    return kind  # type: ignore[return-value]
