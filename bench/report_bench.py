"""`report_contradictions`: reports that say two things at once, counted over every report we can build.

The reports come from our own texts only — the graded transcripts in tests/data/transcripts, the
fraud trial's candidate turns, our labelled dialogues and our labelled answers — so the figure can be
driven to zero without fitting anything to the evaluation corpus. The checks themselves
(`mlsd.grading.consistency`) are independent of how the report was built.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from mlsd.grading.consistency import contradictions
from mlsd.grading.grader import grade
from mlsd.grading.transcript import Transcript, Turn

from . import labelled

ROOT = Path(__file__).resolve().parents[1]
TRIAL = ROOT / "tests" / "data" / "trials" / "fraud_mock_candidate_turns.json"


def our_transcripts() -> Iterator[tuple[str, Transcript]]:
    for path in sorted((ROOT / "tests" / "data" / "transcripts").glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        yield path.stem, Transcript(problem=raw.get("problem"),
                                    turns=[Turn(role=t["role"], content=t["content"]) for t in raw["turns"]])
    turns = []
    for text in json.loads(TRIAL.read_text(encoding="utf-8")):
        turns += [Turn(role="interviewer", content="Go on."), Turn(role="candidate", content=text)]
    yield "fraud trial", Transcript(problem="bank_fraud_detection", turns=turns)
    for d in labelled.dialogues():
        yield f"dialogue {d.id}", Transcript(problem=d.problem, turns=[Turn(role=t.role, content=t.content)
                                                                        for t in d.turns if t.content.strip()])
    for a in labelled.answers():
        yield f"answer {a.path.stem}", Transcript(problem=a.problem, turns=[Turn(role="candidate", content=a.text)])


def report_contradictions(limit: int | None = None) -> dict:
    """How many contradictions over how many graded reports, with the first few spelled out."""
    found, reports, graded = [], 0, 0
    for i, (name, transcript) in enumerate(our_transcripts()):
        if limit is not None and i >= limit:
            break
        report = grade(transcript)
        reports += 1
        graded += report.status == "graded"
        found += [f"{name}: {c}" for c in contradictions(report, transcript)]
    return {"report_contradictions": len(found), "reports": reports, "graded_reports": graded,
            "contradiction_examples": found[:8]}


if __name__ == "__main__":
    print(json.dumps(report_contradictions(), indent=2))
