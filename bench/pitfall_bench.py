"""The interviewer's challenges (problems/_pitfalls.yaml) on labelled sentences: precision and recall.

`bench/data/pitfalls.yaml` is what the patterns were written against; `pitfalls_fresh.yaml` was written
blind, by someone who had not seen them, and is only measured (`challenge_precision_fresh`,
`challenge_recall_fresh`). A sentence counts as right when the pitfall found is the one labelled; a
pitfall found in a sentence labelled `none`, or a different one, is a false challenge.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from mlsd.content.problems import get_problem
from mlsd.interview.pitfalls import load_pitfalls, pitfall_in

DATA = Path(__file__).resolve().parent / "data"


def pitfall_figures(path: Path = DATA / "pitfalls_fresh.yaml") -> dict:
    sentences = yaml.safe_load(path.read_text(encoding="utf-8"))["sentences"]
    pitfalls = load_pitfalls()
    found = right = wanted = 0
    wrong: list[str] = []
    for item in sentences:
        hit = pitfall_in(item["text"], pitfalls, get_problem(item["problem"]).vocabulary)
        got, label = (hit.id if hit else "none"), item["pitfall"]
        found += got != "none"
        wanted += label != "none"
        right += got == label != "none"
        if got != label:
            wrong.append(f"{label} read as {got}: {item['text']}")
    return {"sentences": len(sentences), "challenge_precision": round(right / max(found, 1), 3),
            "challenge_recall": round(right / max(wanted, 1), 3), "wrong": wrong}


if __name__ == "__main__":
    for name in ("pitfalls.yaml", "pitfalls_fresh.yaml"):
        figures = pitfall_figures(DATA / name)
        print(name, {k: v for k, v in figures.items() if k != "wrong"})
