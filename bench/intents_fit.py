"""Choose the meaning-based thresholds of interview/intents.py on our data; measure them on the fresh set.

    python -m bench.intents_fit

interview/intents.py reads a message's last short non-design unit against the prototypes of
src/mlsd/interview/data/intents.yaml when no wording pattern has a say. SIMILAR and MARGIN are chosen
here on bench/data/done_signals.yaml and every candidate turn of our dialogues (the last "done" when
the dialogue ends so, the rest what the patterns read in them: a false end or a false hint request
mid-interview is the costly error). bench/data/done_signals_fresh.yaml, written after the patterns
and never used to choose, is then measured with the patterns alone and with meaning added.
"""

from __future__ import annotations

import itertools
import json

from mlsd.content.rubrics import load_rubric
from mlsd.evidence import EvidenceEngine
from mlsd.interview import intents
from mlsd.interview.signals import end_signal, is_hint_request, is_model_answer_request

from . import labelled

GRID = list(itertools.product([round(0.45 + 0.025 * i, 3) for i in range(13)], (0.0, 0.025, 0.05, 0.1)))


def judged(engine: EvidenceEngine, items) -> list[tuple]:
    """(labelled kind, text, the message's judged units) per item."""
    return [(i.kind, i.text, engine.analyze([(0, i.text)]).units) for i in items]


def dialogue_turns(engine: EvidenceEngine) -> list[tuple]:
    """Every candidate turn of our dialogues: the last one "done" when the dialogue ends that way; a
    hint or model-answer request where the patterns find one; the rest nothing."""
    rows = []
    for d in labelled.dialogues():
        turns = [t for t in d.turns if t.role == "candidate"]
        for k, t in enumerate(turns):
            kind = "done" if d.ends_with_done and k == len(turns) - 1 else \
                "hint" if is_hint_request(t.content) else "model_answer" if is_model_answer_request(t.content) else "not_done"
            rows.append((kind, t.content, engine.analyze([(0, t.content)]).units))
    return rows


def read(text: str, units, similar: float | None, margin: float = 0.0) -> str:
    """One kind per message, as labelled: an end first, then a request for help, else not_done."""
    if similar is None:
        end, hint, model = end_signal(text), is_hint_request(text), is_model_answer_request(text)
    else:
        end, hint, model = intents.read_intents(text, units, similar, margin)
    return end or ("hint" if hint else "model_answer" if model else "not_done")


def accuracy(rows, similar: float | None, margin: float = 0.0) -> tuple[float, list]:
    wrong = [(kind, got, text) for kind, text, units in rows if (got := read(text, units, similar, margin)) != kind]
    return round(1 - len(wrong) / len(rows), 3), wrong


def recall(rows, similar: float | None, margin: float = 0.0) -> float:
    """Share of the messages that do ask something of the interview read as exactly that."""
    return accuracy([r for r in rows if r[0] != "not_done"], similar, margin)[0]


def fresh_figures(similar: float = intents.SIMILAR, margin: float = intents.MARGIN) -> dict:
    """The thresholds (by default the shipped ones) on the fresh set, against the patterns alone."""
    fresh = judged(EvidenceEngine(load_rubric()), labelled.done_signals(fresh=True))
    return {"items": len(fresh), "patterns_only": accuracy(fresh, None)[0], "with_meaning": accuracy(fresh, similar, margin)[0],
            "recall_patterns_only": recall(fresh, None), "recall_with_meaning": recall(fresh, similar, margin),
            "wrong": accuracy(fresh, similar, margin)[1]}


def main() -> None:
    engine = EvidenceEngine(load_rubric())
    fit = judged(engine, labelled.done_signals()) + dialogue_turns(engine)
    # Most accurate on the fitting set; among ties the loosest threshold (it catches the most wordings).
    best = max(GRID, key=lambda g: (accuracy(fit, *g)[0], -g[0], -g[1]))
    print(json.dumps({
        "chosen": {"SIMILAR": best[0], "MARGIN": best[1]},
        "fitting_set": {"items": len(fit), "accuracy": accuracy(fit, *best)[0], "patterns_only": accuracy(fit, None)[0],
                        "wrong": accuracy(fit, *best)[1]},
        "fresh_set": fresh_figures(*best),
    }, indent=2))


if __name__ == "__main__":
    main()
