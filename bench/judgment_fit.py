"""Fitting the judgment network: a small multi-task MLP on MiniLM vectors + lexical cues, in numpy.

One hidden ReLU layer feeds three heads: the act (softmax over six, classes balanced), the eight
phase topics (sigmoid, learnt on content units only) and "generic" (sigmoid, content units only).
Dropout on the hidden layer and weight decay keep it from memorising one writer's phrasing; a few
members with different seeds are averaged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlsd.core.phases import PHASE_IDS
from mlsd.evidence.cues import cue_matrix
from mlsd.evidence.judgment import ACTS, N_ACTS, N_PHASES, JudgmentModel


@dataclass(frozen=True)
class TrainUnit:
    text: str
    act: str
    phases: tuple[str, ...]
    generic: bool
    source: str


@dataclass(frozen=True)
class NetConfig:
    hidden: int = 64
    weight_decay: float = 1e-2
    epochs: int = 300
    learning_rate: float = 3e-3
    dropout: float = 0.2
    members: int = 3


def targets(units: list[TrainUnit]) -> tuple[np.ndarray, ...]:
    acts = np.array([ACTS.index(u.act) for u in units])
    topics = np.array([[p in u.phases for p in PHASE_IDS] for u in units], dtype=float)
    generic = np.array([u.generic for u in units], dtype=float)
    content = np.array([u.act in ("design", "assume") for u in units], dtype=float)
    return acts, topics, generic, content


def _gradients(x, params, mask, y, class_weight):
    """Loss gradients of one full-batch step (softmax acts, sigmoid topics and generic on content)."""
    (w1, b1, w2, b2), (acts, topics, generic, content) = params, y
    z1 = x @ w1 + b1
    hidden = np.maximum(z1, 0) * mask
    out = hidden @ w2 + b2
    logits = out[:, :N_ACTS] - out[:, :N_ACTS].max(axis=1, keepdims=True)
    p_act = np.exp(logits)
    p_act /= p_act.sum(axis=1, keepdims=True)
    g_act = p_act.copy()
    g_act[np.arange(len(x)), acts] -= 1
    g_act *= class_weight[acts][:, None]
    g_topic = (1 / (1 + np.exp(-out[:, N_ACTS:N_ACTS + N_PHASES])) - topics) * content[:, None]
    g_generic = ((1 / (1 + np.exp(-out[:, -1])) - generic) * content)[:, None]
    g_out = np.hstack([g_act, g_topic, g_generic]) / len(x)
    g_hidden = (g_out @ w2.T) * mask * (z1 > 0)
    return [x.T @ g_hidden, g_hidden.sum(axis=0), hidden.T @ g_out, g_out.sum(axis=0)]


def fit_member(x: np.ndarray, y: tuple, config: NetConfig, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    d, h = x.shape[1], config.hidden
    params = [rng.normal(0, np.sqrt(2 / d), (d, h)), np.zeros(h),
              rng.normal(0, np.sqrt(1 / h), (h, N_ACTS + N_PHASES + 1)), np.zeros(N_ACTS + N_PHASES + 1)]
    counts = np.bincount(y[0], minlength=N_ACTS)
    class_weight = len(y[0]) / (N_ACTS * np.maximum(counts, 1))
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for step in range(1, config.epochs + 1):  # Adam, full batch
        mask = (rng.random((len(x), h)) > config.dropout) / (1 - config.dropout)
        grads = _gradients(x, params, mask, y, class_weight)
        for i, g in enumerate(grads):
            if i in (0, 2):
                g = g + config.weight_decay * params[i]
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            params[i] -= config.learning_rate * (m[i] / (1 - 0.9 ** step)) / (np.sqrt(v[i] / (1 - 0.999 ** step)) + 1e-8)
    return [(params[0].astype(np.float32), params[1].astype(np.float32)),
            (params[2].astype(np.float32), params[3].astype(np.float32))]


def fit_network(vectors: np.ndarray, units: list[TrainUnit], config: NetConfig = NetConfig()) -> JudgmentModel:
    raw = np.hstack([vectors, cue_matrix([u.text for u in units])])
    mean, std = raw.mean(axis=0), raw.std(axis=0) + 1e-6
    x = (raw - mean) / std
    y = targets(units)
    members = [fit_member(x, y, config, seed) for seed in range(config.members)]
    return JudgmentModel(members, mean.astype(np.float32), std.astype(np.float32))
