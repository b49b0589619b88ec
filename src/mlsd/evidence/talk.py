"""Design statement or talk around ML? A second opinion used only by the grader's refusal gate.

The judgment model decides which phases a unit covers; it was fitted to credit anything that reads like
design content, because a real answer's paraphrase must not be missed. Prose that only talks around
ML — an essay on the history of AI, a press release about an "AI-powered" product, an op-ed on
moderation, a coach's notes on "training load" — then gets a few units credited, and three such units
were enough to grade an off-topic text. This filter is a logistic head on the same MiniLM vectors,
fitted (`python -m bench.train_gate --write`) on our design clauses against our sentences of talk that
designs nothing. It never changes coverage: it only decides which units may count as the design
statements that make a text gradable at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from mlsd.core.errors import ConfigError
from mlsd.evidence.cues import cue_matrix

TALK_FILTER_PATH = Path(__file__).parent / "data" / "talk_filter.json"


@dataclass(frozen=True)
class TalkFilter:
    weights: np.ndarray  # (384 + cues,)
    bias: float
    threshold: float = 0.5  # the shipped one is chosen on held-out groups (bench/train_gate.py): a veto, not a vote

    def design_probability(self, vectors: np.ndarray, texts: list[str]) -> np.ndarray:
        """P(the unit states a design choice rather than talking around ML), one per text; `vectors` are
        the texts' MiniLM embeddings."""
        return self.probability(talk_features(vectors, texts)) if texts else np.zeros(0)

    def probability(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(features @ self.weights + self.bias)))

    def is_design(self, vectors: np.ndarray, texts: list[str]) -> np.ndarray:
        return self.design_probability(vectors, texts) >= self.threshold

    def to_dict(self, meta: dict | None = None) -> dict:
        return {"weights": [round(float(w), 6) for w in self.weights], "bias": round(float(self.bias), 6),
                "threshold": round(self.threshold, 4), "meta": meta or {}}

    @classmethod
    def from_dict(cls, data: dict) -> TalkFilter:
        return cls(np.asarray(data["weights"], np.float64), float(data["bias"]), float(data.get("threshold", 0.5)))


def talk_features(vectors: np.ndarray, texts: list[str]) -> np.ndarray:
    """The embedding beside the judgment's lexical cues (a plan in the first person, technique terms,
    numbers with units), which say whether a sentence commits to something."""
    return np.hstack([np.asarray(vectors, np.float64), cue_matrix(texts).astype(np.float64)])


@lru_cache(maxsize=1)
def load_talk_filter(path: Path = TALK_FILTER_PATH) -> TalkFilter:
    if not path.is_file():
        raise ConfigError(f"{path} is missing: fit it with `python -m bench.train_gate --write`")
    return TalkFilter.from_dict(json.loads(path.read_text(encoding="utf-8")))
