"""A unit of candidate text with its judgment: what the engine, the criteria and the interviewer read."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlsd.evidence.segmentation import Unit


@dataclass
class JudgedUnit:
    unit: Unit
    vector: np.ndarray  # (384,)
    phases: np.ndarray  # (8,) P(covers the phase), context included
    content: float  # P(design content or an assumption)
    asks: float  # P(a clarifying question or a stated assumption)
    generic: float  # P(a generic one-liner | content)
    offtopic: float
    defer: float  # P(skips or postpones something: "I'll skip monitoring for now")
    meta: float  # P(talks about the interview itself: "should I go deeper on the model?")

    @property
    def specific(self) -> bool:
        return self.generic < 0.5
