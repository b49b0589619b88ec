"""Reports that never contradict themselves: checked on the report JSON, independently of the code that builds it.

- `missing` never holds a criterion that has a quote; thin criteria carry their quote;
- "what a strong answer adds" never repeats a point the candidate made (the trial's fraud candidate);
- study links start with the gaps and only list notes for this problem (no two-tower retrieval for fraud);
- quotes are cut at word boundaries, everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlsd.grading.grader import grade
from mlsd.grading.report import cut
from mlsd.grading.transcript import Transcript, Turn, parse_transcript

DATA = Path(__file__).parent / "data"
TRANSCRIPTS = sorted((DATA / "transcripts").glob("*.json"))
FRAUD_TURNS = json.loads((DATA / "trials" / "fraud_mock_candidate_turns.json").read_text(encoding="utf-8"))


def fraud_trial() -> Transcript:
    turns = [Turn(role="interviewer", content="Design real-time card fraud detection for a retail bank.")]
    for text in FRAUD_TURNS:
        turns += [Turn(role="candidate", content=text), Turn(role="interviewer", content="Go on.")]
    return Transcript(problem="bank_fraud_detection", turns=turns[:-1])


def contradictions(report_json: dict) -> list[str]:
    """Every place the report says two things at once, read from its JSON alone."""
    found = []
    for d in report_json["dimensions"]:
        quoted = {c["looks_for"] for c in d["criteria"] if c["evidence"]}
        found += [f"{d['id']}: missing yet quoted: {m[:60]}" for m in d["missing"] if m in quoted]
        found += [f"{d['id']}: thin without a quote" for t in d.get("thin", []) if not t["quote"]]
        if d["level"] is None and any(c["evidence"] for c in d["criteria"]):
            found.append(f"{d['id']}: not covered yet quoted")
    return found


@pytest.mark.parametrize("path", TRANSCRIPTS + ["fraud trial"], ids=lambda p: getattr(p, "stem", p))
def test_missing_never_holds_a_quoted_criterion(path):
    transcript = fraud_trial() if path == "fraud trial" else parse_transcript(path.read_bytes(), source=path.name)
    report = grade(transcript)
    assert contradictions(json.loads(report.model_dump_json())) == []


def test_the_contradiction_check_catches_a_contradiction():
    report = json.loads(grade(fraud_trial()).model_dump_json())
    quoted = next(d for d in report["dimensions"] if any(c["evidence"] for c in d["criteria"]))
    criterion = next(c for c in quoted["criteria"] if c["evidence"])
    quoted["missing"].append(criterion["looks_for"])
    assert contradictions(report)


def test_the_fraud_trial_report_lists_no_point_the_candidate_made_and_studies_its_gaps():
    report = grade(fraud_trial())
    adds = " ".join(report.strong_answer_adds)
    # points the candidate made in so many words: scores mapped to approve / step-up / decline, fraud
    # dollars at a bounded false-decline rate, boosted trees with downsampling, PR-AUC and recall at a
    # fixed false-positive rate, recalibrating after resampling, chargebacks as delayed labels
    made = ["mapping scores to approve", "fraud dollars prevented", "gradient-boosted trees", "PR-AUC",
            "Recalibrates scores", "chargebacks and disputes"]
    assert [m for m in made if m in adds] == []
    assert any(a.startswith("Serving architecture:") for a in report.strong_answer_adds), "serving was skipped"
    imbalance = [m for d in report.dimensions for m in d.missing if "imbalance" in m.lower()]
    assert imbalance == [], "downsampling and reweighting were quoted: imbalance is not missing"
    study = [s.path for s in report.study]
    assert "knowledge/concepts/two_tower_retrieval.md" not in study
    assert "knowledge/concepts/learning_to_rank.md" not in study
    gaps = [d.id for d in report.dimensions if d.level is None]
    assert gaps and {s.dimension for s in report.study[: len(gaps)]} <= set(gaps)
    assert {"knowledge/phases/serving.md", "knowledge/phases/monitoring.md"} <= set(study)


def test_quotes_are_cut_at_word_boundaries():
    long = "We score every authorization with gradient boosted trees over velocity features " * 4
    short = cut(long, 60)
    assert short.endswith("…") and len(short) <= 61
    assert long.startswith(short[:-1]) and long[len(short) - 1] == " "
    assert cut("fits entirely", 60) == "fits entirely"
    report = grade(fraud_trial())
    for line in report.strengths:
        quote = line.split("“", 1)[1].rstrip("”")
        assert quote.endswith("…") or quote in " ".join(FRAUD_TURNS)


def test_thin_criteria_say_what_would_deepen_them():
    report = grade(fraud_trial())
    thin = [t for d in report.dimensions for t in d.thin]
    assert thin and all(t.deepen and t.quote for t in thin)


# -- mlsd.grading.consistency: the checker behind `report_contradictions` in `mlsd bench` ----------
from mlsd.grading import consistency  # noqa: E402


@pytest.mark.parametrize("path", TRANSCRIPTS[:3] + ["fraud trial"], ids=lambda p: getattr(p, "stem", p))
def test_reports_pass_every_consistency_check(path):
    transcript = fraud_trial() if path == "fraud trial" else parse_transcript(path.read_bytes(), source=path.name)
    assert consistency.contradictions(grade(transcript), transcript) == []


def test_each_consistency_check_catches_its_kind_of_contradiction():
    transcript = fraud_trial()
    report = grade(transcript)
    said = next(t.content for _, t in transcript.candidate_turns() if "chargeback" in t.content)
    report.strong_answer_adds.append(f"Data: {said[:120]}")
    assert consistency.adds_already_said(report, transcript)
    # an evaluation quote filed under data as well: the judgment does not place it in data (the online
    # A/B test; the offline protocol's time-based split is data too, by the labelling rules)
    evaluation = next(d for d in report.dimensions if d.phase == "evaluation" and d.evidence)
    quote = next(q for q in evaluation.evidence if "A/B" in q.quote)
    data = next(d for d in report.dimensions if d.phase == "data")
    criterion = next(c for c in data.criteria if not rubric_counts_questions(c.id))
    criterion.evidence.append(quote)
    data.evidence.append(quote)
    assert any("quote not about data" in c for c in consistency.contradictions(report, transcript))


def rubric_counts_questions(criterion_id: str) -> bool:
    from mlsd.content.problems import resolve_problem, rubric_for

    return rubric_for(resolve_problem("bank_fraud_detection"), None).criterion(criterion_id).counts_questions
