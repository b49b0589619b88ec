"""Choose the meaning-based end-signal thresholds on done_signals.yaml; measure them on the fresh set.

    python -m bench.ending_fit

interview/ending.py reads a message's last short non-design unit against the prototypes of
src/mlsd/interview/data/endings.yaml. SIMILAR and MARGIN are chosen here on
bench/data/done_signals.yaml and every candidate turn of our dialogues (the last "done" when the
dialogue ends so, the rest not: a false end mid-interview is the costly error);
bench/data/done_signals_fresh.yaml, written after the patterns
and never used to choose, is then measured with the patterns alone and with meaning added.
"""

from __future__ import annotations

import itertools
import json

from mlsd.content.rubrics import load_rubric
from mlsd.evidence import EvidenceEngine
from mlsd.interview import ending
from mlsd.interview.signals import end_signal

from . import labelled

GRID = list(itertools.product([round(0.45 + 0.025 * i, 3) for i in range(13)], (0.0, 0.025, 0.05, 0.1)))


def judged(engine: EvidenceEngine, items) -> list[tuple]:
    """(labelled kind, text, the message's judged units) per item."""
    return [(i.kind, i.text, engine.analyze([(0, i.text)]).units) for i in items]


def dialogue_turns(engine: EvidenceEngine) -> list[tuple]:
    """Every candidate turn of our dialogues: the last one "done" when the dialogue ends that way, the
    rest not (a false "done" mid-interview would make the interviewer start closing)."""
    rows = []
    for d in labelled.dialogues():
        turns = [t for t in d.turns if t.role == "candidate"]
        for k, t in enumerate(turns):
            kind = "done" if d.ends_with_done and k == len(turns) - 1 else "not_done"
            rows.append((kind, t.content, engine.analyze([(0, t.content)]).units))
    return rows


def accuracy(rows, similar: float | None, margin: float = 0.0) -> tuple[float, list]:
    wrong = []
    for kind, text, units in rows:
        got = end_signal(text) if similar is None else ending.read_end(text, units, similar, margin)
        if (got or "not_done") != kind:
            wrong.append((kind, got, text))
    return round(1 - len(wrong) / len(rows), 3), wrong


def recall_of_ends(rows, similar, margin) -> float:
    ends = [r for r in rows if r[0] != "not_done"]
    return accuracy(ends, similar, margin)[0]


def end_signal_figures() -> dict:
    """The shipped thresholds on the fresh set: patterns alone against patterns plus meaning."""
    fresh = judged(EvidenceEngine(load_rubric()), labelled.done_signals(fresh=True))
    shipped = (ending.SIMILAR, ending.MARGIN)
    return {"items": len(fresh), "patterns_only": accuracy(fresh, None)[0], "with_meaning": accuracy(fresh, *shipped)[0],
            "end_recall_patterns_only": recall_of_ends(fresh, None, 0.0),
            "end_recall_with_meaning": recall_of_ends(fresh, *shipped), "wrong": accuracy(fresh, *shipped)[1]}


def main() -> None:
    engine = EvidenceEngine(load_rubric())
    fit = judged(engine, labelled.done_signals()) + dialogue_turns(engine)
    fresh = judged(engine, labelled.done_signals(fresh=True))
    # Most accurate on the fitting set; among ties the loosest threshold (it catches the most wordings).
    best = max(GRID, key=lambda g: (accuracy(fit, *g)[0], -g[0], -g[1]))
    patterns, wrong_patterns = accuracy(fresh, None)
    chosen, wrong_chosen = accuracy(fresh, *best)
    print(json.dumps({
        "chosen": {"SIMILAR": best[0], "MARGIN": best[1]},
        "fitting_set": {"items": len(fit), "accuracy": accuracy(fit, *best)[0],
                        "patterns_only": accuracy(fit, None)[0], "wrong": accuracy(fit, *best)[1]},
        "fresh_set": {"items": len(fresh), "patterns_only": patterns, "with_meaning": chosen,
                      "end_recall_patterns_only": recall_of_ends(fresh, None, 0.0),
                      "end_recall_with_meaning": recall_of_ends(fresh, *best),
                      "wrong_with_meaning": wrong_chosen},
    }, indent=2))


if __name__ == "__main__":
    main()
