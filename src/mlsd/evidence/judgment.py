"""The judgment model: what each unit of candidate text does and which phases it covers.

Per unit, from its MiniLM embedding and its lexical cues (`cues.py`), a small multi-task network
(an ensemble of a few, averaged) gives
- its act: design, assume, clarify, defer, meta or offtopic (softmax);
- for each phase, the probability that the unit is about it *if* it is design content (topic);
- the probability that it is only a generic one-liner ("we'd monitor it").
A unit covers a phase with probability P(design or assume) × P(phase | content): a question, a
deferral, talk about the interview or everyday prose covers nothing, whatever words it uses, and
one clause can cover two phases. Context sharpens it: the interviewer's question before a chat
turn, or the heading above a written section, is judged too, and a fitted combiner (`Context`)
adds its topic to the unit's own evidence — "PR-AUC on the last month" answers "how would you
test it?". Weights are fitted on our own labelled data by `python -m bench.train_judgment`
(cross-validated by source) and live in `data/judgment_model.json`; judging a turn is a few
matrix products on top of the embeddings.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from mlsd.core.errors import ConfigError
from mlsd.core.phases import PHASE_IDS
from mlsd.evidence.cues import CUE_NAMES, cue_matrix
from mlsd.evidence.phase_names import fallback_named, named_phase

MODEL_PATH = Path(__file__).parent / "data" / "judgment_model.json"
ACTS: tuple[str, ...] = ("design", "assume", "clarify", "defer", "meta", "offtopic")
N_ACTS, N_PHASES = len(ACTS), len(PHASE_IDS)
OUTPUTS = N_ACTS + N_PHASES + 1  # act logits, topic logits, generic logit


@dataclass(frozen=True)
class Judgments:
    """Per-unit judgments, rows aligned with the units judged."""

    acts: np.ndarray  # (n, 6) probabilities over ACTS, rows sum to 1
    topic: np.ndarray  # (n, 8) P(phase | the unit is design content)
    generic: np.ndarray  # (n,) P(only a generic one-liner | content)

    @property
    def content(self) -> np.ndarray:
        """P(the unit states design content or an assumption)."""
        return self.acts[:, 0] + self.acts[:, 1]

    @property
    def phases(self) -> np.ndarray:
        """(n, 8) P(the unit covers the phase), before context."""
        return self.content[:, None] * self.topic

    @property
    def asks(self) -> np.ndarray:
        """P(a clarifying question or a stated assumption): problem definition's scoping evidence."""
        return self.acts[:, 1] + self.acts[:, 2]

    @property
    def offtopic(self) -> np.ndarray:
        return self.acts[:, 5]


@dataclass
class Context:
    """logit P'(phase) = own · logit P(phase) + cue · content · topic_of_context(phase) + bias."""

    own: float = 1.0
    cue: float = 0.0
    bias: float = 0.0

    def apply(self, phases: np.ndarray, content: np.ndarray, context_topic: np.ndarray | None) -> np.ndarray:
        if context_topic is None:
            return phases
        p = np.clip(phases, 1e-6, 1 - 1e-6)
        z = self.own * np.log(p / (1 - p)) + self.cue * content[:, None] * context_topic + self.bias
        return 1 / (1 + np.exp(-z))


@dataclass
class Thresholds:
    unit: float = 0.5  # a unit is evidence for a phase at or above this


COVERAGE_FEATURES = ("best", "second", "strong_units", "share", "concrete_best")


def coverage_features(phases: np.ndarray, generic: np.ndarray, content: np.ndarray) -> np.ndarray:
    """(8, features) per phase: how strong its best units are, how much of the text is about it, and
    its best *concrete* unit (probability times the chance it is not a generic one-liner).

    A long answer always has some sentence that resembles any phase a little; one strong unit, a
    second one, and the share of the text spent on the phase tell a real section from a passing
    mention.
    """
    n = len(phases)
    if n == 0:
        return np.zeros((N_PHASES, len(COVERAGE_FEATURES)))
    top = -np.sort(-phases, axis=0)
    second = top[1] if n > 1 else np.zeros(N_PHASES)
    concrete = (phases * (1 - generic)[:, None]).max(axis=0)
    logit = lambda p: np.log(np.clip(p, 1e-3, 1 - 1e-3) / (1 - np.clip(p, 1e-3, 1 - 1e-3)))  # noqa: E731
    # No raw length feature: real answers run longer than any we wrote, and a length weight would extrapolate.
    # The second unit's evidence is floored at 5 %: a one-sentence turn has no second unit, and that must not
    # weigh against a phase its sentence plainly covers as much as a long answer that never comes back to it.
    return np.stack([logit(top[0]), logit(np.maximum(second, 0.05)), np.log1p((phases >= 0.5).sum(axis=0)),
                     phases.sum(axis=0) / max(float(content.sum()), 1.0), logit(concrete)], axis=1)


@dataclass
class Coverage:
    """P(the whole text covers a phase) = logistic over `coverage_features`, fitted on our answers and dialogues."""

    weights: list[float] = field(default_factory=lambda: [1.0, 0.0, 0.0, 0.0, 0.0])
    bias: float = 0.0

    def probability(self, phases: np.ndarray, generic: np.ndarray, content: np.ndarray) -> np.ndarray:
        if len(phases) == 0:
            return np.zeros(N_PHASES)
        z = coverage_features(phases, generic, content) @ np.asarray(self.weights) + self.bias
        return 1 / (1 + np.exp(-z))


@dataclass
class JudgmentModel:
    members: list[list[tuple[np.ndarray, np.ndarray]]]  # each: [(W1, b1), (W2, b2)] — relu hidden, linear out
    mean: np.ndarray  # feature standardisation: embedding dims, then cues
    std: np.ndarray
    thresholds: Thresholds = field(default_factory=Thresholds)
    coverage: Coverage = field(default_factory=Coverage)
    question: Context = field(default_factory=Context)  # the interviewer's question before a chat turn
    heading: Context = field(default_factory=Context)  # the heading above a written section
    meta: dict = field(default_factory=dict)

    def judge(self, vectors: np.ndarray, texts: list[str]) -> Judgments:
        if not texts:
            return Judgments(np.zeros((0, N_ACTS)), np.zeros((0, N_PHASES)), np.zeros(0))
        raw = np.hstack([np.asarray(vectors, np.float32).reshape(len(texts), -1), cue_matrix(texts)])
        x = (raw - self.mean) / self.std
        acts = np.zeros((len(texts), N_ACTS))
        rest = np.zeros((len(texts), N_PHASES + 1))
        for (w1, b1), (w2, b2) in self.members:
            out = np.maximum(x @ w1 + b1, 0) @ w2 + b2
            logits = out[:, :N_ACTS] - out[:, :N_ACTS].max(axis=1, keepdims=True)
            e = np.exp(logits)
            acts += e / e.sum(axis=1, keepdims=True)
            rest += 1 / (1 + np.exp(-out[:, N_ACTS:]))
        k = len(self.members)
        return Judgments(acts / k, rest[:, :N_PHASES] / k, rest[:, N_PHASES] / k)

    def context_topics(self, vectors: np.ndarray, texts: list[str]) -> np.ndarray:
        """(n, 8) what each context (a heading, a signpost, the interviewer's question) is about. A context
        that is nothing but a phase's name ("Monitoring", "On the serving side") names that phase outright;
        the network, fitted on sentences, reads such two-word phrases only faintly."""
        topics = self.judge(vectors, texts).topic if len(texts) else np.zeros((0, N_PHASES))
        for i, text in enumerate(texts):
            phase = named_phase(text)
            if phase:
                topics[i] = np.eye(N_PHASES)[PHASE_IDS.index(phase)]
        return topics

    @staticmethod
    def signposted(phases: np.ndarray, content: np.ndarray, signposts: list[str],
                   texts: list[str] | None = None) -> np.ndarray:
        """A unit that opens by naming its phase ("For monitoring we'd track…", "feats: velocity, amount", or an
        inline heading before it, "Serving. A streaming job…") is about that phase as surely as it is design
        content: the candidate said so. So is a unit that says what happens when predictions fail or come
        late (`fallback_named`). `signposts`: each unit's phase-naming phrase, or ""; `texts`: the units."""
        out = phases.copy()
        for i, phrase in enumerate(signposts):
            phase = (named_phase(phrase) if phrase else None) or (fallback_named(texts[i]) if texts else None)
            if phase:
                j = PHASE_IDS.index(phase)
                out[i, j] = max(out[i, j], content[i])
        return out

    # -- the file ---------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"format": 2, "cues": list(CUE_NAMES), "acts": list(ACTS), "phases": list(PHASE_IDS),
                "mean": _pack(self.mean), "std": _pack(self.std),
                "members": [[{"w": _pack(w), "b": _pack(b)} for w, b in layers] for layers in self.members],
                "thresholds": asdict(self.thresholds), "coverage": asdict(self.coverage),
                "question": asdict(self.question),
                "heading": asdict(self.heading), "meta": self.meta}

    @classmethod
    def from_dict(cls, data: dict) -> "JudgmentModel":
        if (data.get("format") != 2 or data.get("cues") != list(CUE_NAMES) or data.get("acts") != list(ACTS)
                or data.get("phases") != list(PHASE_IDS)
                or len(data.get("coverage", {}).get("weights", [])) != len(COVERAGE_FEATURES)):
            raise ConfigError(f"{MODEL_PATH.name} was fitted for other cues, acts, phases or coverage features: refit it with "
                              "`python -m bench.train_judgment --write`")
        members = [[(_unpack(layer["w"]), _unpack(layer["b"])) for layer in layers] for layers in data["members"]]
        return cls(members, _unpack(data["mean"]), _unpack(data["std"]), Thresholds(**data["thresholds"]),
                   Coverage(**data["coverage"]), Context(**data["question"]), Context(**data["heading"]),
                   data.get("meta", {}))


def _pack(a: np.ndarray) -> dict:
    a = np.asarray(a, np.float32)
    return {"shape": list(a.shape), "float32": base64.b64encode(a.tobytes()).decode("ascii")}


def _unpack(d: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(d["float32"]), dtype=np.float32).reshape(d["shape"]).copy()


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> JudgmentModel:
    if not path.is_file():
        raise ConfigError(f"{path} is missing: fit it with `python -m bench.train_judgment --write`")
    return JudgmentModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
