"""What the candidate said, understood: the trial cases that were misread, as regression tests.

The turns quoted here come from trials of the app and CLI as a new candidate would use them
(tests/data/trials, written for this project). Each assertion is about the judgment the whole
product rests on: which phases a turn covers, what counts as evidence for which criterion, and
when there is nothing to grade.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlsd.content.rubrics import load_rubric
from mlsd.evidence import EvidenceEngine
from mlsd.evidence.judgment import load_model
from mlsd.evidence.phase_names import fallback_named
from mlsd.grading.grader import grade
from mlsd.grading.transcript import parse_transcript

TRIALS = Path(__file__).parent / "data" / "trials"
FRAUD_TURNS = json.loads((TRIALS / "fraud_mock_candidate_turns.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fraud_engine():
    return EvidenceEngine(load_rubric(problem_id="bank_fraud_detection"))


def covered(engine, text: str, context: str = "") -> set[str]:
    return {p for p, e in engine.analyze([(0, text, context)]).phases().items() if e.covered}


def test_a_goal_and_success_metrics_are_problem_definition(fraud_engine):
    text = ("OK. So the goal is to block fraudulent card transactions in real time while keeping false declines low. "
            "I'd measure success by fraud losses prevented and the false decline rate.")
    assert "problem_definition" in covered(fraud_engine, text)


def test_monitoring_said_without_the_textbook_words_is_monitoring():
    engine = EvidenceEngine(load_rubric(problem_id="spam_email_filter"))
    text = ("I'd monitor the spam rate, not-spam reports and score distributions per domain every hour, "
            "and retrain weekly")
    assert "monitoring" in covered(engine, text)


def test_a_feature_list_is_features_not_data(fraud_engine):
    text = ("transaction amount, merchant category, velocity features over the last 10 minutes and 24 hours, "
            "deviation from the cardholder's usual spend")
    phases = covered(fraud_engine, text)
    assert "features" in phases and "data" not in phases


def test_questions_deferrals_and_done_signals_cover_nothing(fraud_engine):
    for text in ("How many transactions per second at peak, and what latency budget do we have?",
                 "I'll skip monitoring for now, we can come back to it if there's time.",
                 "I think that covers my design.",
                 "Should I talk about serving next?"):
        assert covered(fraud_engine, text) == set(), text


def test_clarifying_questions_and_assumptions_are_evidence_for_scoping(fraud_engine):
    state = fraud_engine.analyze([
        (1, FRAUD_TURNS[0], ""),  # scale and latency questions
        (3, "OK, I'll assume labels come mostly from chargebacks plus analyst decisions, 30-60 days late.", ""),
    ])
    scoping = state.criteria()["clarifying_questions_and_scope"]
    quotes = " ".join(s.quote for s in scoping.spans)
    assert scoping.units >= 2 and "per second" in quotes and "assume" in quotes


def test_evidence_sits_under_the_dimension_it_supports(fraud_engine):
    evaluation = ("Offline I'd use a time-based split and report PR-AUC and recall at a fixed false-positive rate; "
                  "online an A/B test against the rules engine.")
    metrics = "Success metrics: fraud dollars caught at a fixed false-positive rate, and the false decline rate."
    state = fraud_engine.analyze([(0, evaluation, ""), (2, metrics, "")])
    by_dimension: dict[str, str] = {}
    rubric = load_rubric(problem_id="bank_fraud_detection")
    for criterion_id, ev in state.criteria().items():
        dimension = next(d.id for d, c in rubric.criteria() if c.id == criterion_id)
        for span in ev.spans:
            by_dimension.setdefault(dimension, "")
            by_dimension[dimension] += span.quote
    assert "PR-AUC" not in by_dimension.get("data", "") and "PR-AUC" in by_dimension.get("evaluation", "")
    assert "Success metrics" not in by_dimension.get("modeling", "")


def test_a_success_metric_said_in_a_learners_english_is_evidence_for_the_metrics_criterion():
    """From a mock trial (support tickets): "I think success is less tickets re-routed by humans…" was judged
    problem definition, but its quote went under clarifying questions and assumptions (the "I think" of a stated
    assumption), and the metrics criterion quoted a fallback sentence instead; "the system must read new ticket
    and decide to which team it go" was the task, yet scored under it only faintly."""
    engine = EvidenceEngine(load_rubric(problem_id="support_ticket_routing"))
    state = engine.analyze([(3, "So the system must read new ticket and decide to which team it go, and also priority. "
                                "I think success is less tickets re-routed by humans and faster first response time.", "")])
    criteria = state.criteria()
    quotes = lambda cid: " ".join(s.quote for s in criteria[cid].spans)  # noqa: E731
    assert "success is less tickets" in quotes("success_metrics_business_and_ml")
    assert "success is less tickets" not in quotes("clarifying_questions_and_scope")
    assert "which team it go" in quotes("business_objective_to_ml_task")


def test_only_questions_and_assumptions_are_evidence_for_asking_and_scoping():
    """From a graded trial answer: "Goal: suggest a nightly price per listing…" was quoted as a clarifying
    question or stated assumption (it resembles one), and the report told the candidate to ask more questions."""
    engine = EvidenceEngine(load_rubric(problem_id="dynamic_pricing"))
    state = engine.analyze([(0, "Goal: suggest a nightly price per listing per date that maximises host revenue while "
                                "keeping occupancy healthy.", ""),
                            (2, "I'll assume about 2 million listings and that hosts can override any suggestion.", ""),
                            (4, "How many listings are there, and can hosts override the price?", "")])
    quotes = " ".join(s.quote for s in state.criteria()["clarifying_questions_and_scope"].spans)
    assert "Goal:" not in quotes and "I'll assume" in quotes and "How many listings" in quotes


def test_a_model_or_a_fallback_named_in_a_long_statement_is_evidence_for_its_criterion():
    """From a graded answer: Modeling quoted "GBDT with price as a monotone feature…" and listed "chooses a model
    family" as missing (0.16 against that criterion's prototypes, its meaning spread over pricing); Serving quoted
    "…if the job fails we keep yesterday's prices" and listed "plans for failure" as missing."""
    engine = EvidenceEngine(load_rubric(problem_id="dynamic_pricing"))
    state = engine.analyze([
        (0, "booking probability as a function of price: GBDT with price as a monotone feature, then choose the "
            "price that maximises price x P(book)", ""),
        (2, "nightly batch scores every listing for the next 180 nights, writes to a price table the calendar reads; "
            "if the job fails we keep yesterday's prices", "")])
    criteria = state.criteria()
    assert "GBDT" in " ".join(s.quote for s in criteria["model_choice_and_justification"].spans)
    assert "job fails" in " ".join(s.quote for s in criteria["fallbacks_and_deployment_safety"].spans)
    # a name counts only in a statement about the criterion's phase: a question naming a model is no choice
    asked = engine.analyze([(0, "Would you expect GBDT to be fast enough here?", "")]).criteria()
    assert asked["model_choice_and_justification"].units == 0


def test_what_the_product_does_when_the_model_fails_or_is_late_is_serving():
    """Trial and fresh-dialogue misses: the network read these as monitoring or as an assumption."""
    engine = EvidenceEngine(load_rubric(problem_id="eta_prediction"))
    for text in ("If anything times out we show the simple estimate.",
                 "On timeout we fall back to the smoothed historical CTR.",
                 "If the detector falls behind, the old static thresholds stay on as the fallback."):
        assert "serving" in covered(engine, text), text
    for text in ("A brand-new ad with no clicks yet falls back to its advertiser's average click rate.",
                 "When the feed spikes, requests wait in a queue instead of the service falling over.",
                 "If the model fails to beat the baseline on last month, we don't ship it."):
        assert fallback_named(text) is None, text


def test_a_short_answer_after_a_question_is_read_in_its_context(fraud_engine):
    assert "evaluation" in covered(fraud_engine, "PR-AUC on the most recent month, recall at 1% FPR",
                                   context="How would you test the model before launch?")


def test_the_fraud_trial_covers_what_it_says_and_skips_serving_scaling_monitoring(fraud_engine):
    state = fraud_engine.analyze([(2 * i + 1, t, "") for i, t in enumerate(FRAUD_TURNS)])
    phases = {p for p, e in state.phases().items() if e.covered}
    assert {"problem_definition", "data", "features", "modeling", "evaluation"} <= phases
    assert not {"scalability", "monitoring"} & phases


def test_the_pasted_spam_transcript_covers_its_phases():
    report = grade(parse_transcript((TRIALS / "spam_pasted.txt").read_text(encoding="utf-8"),
                                    problem="spam_email_filter"))
    covered_dims = {d.id for d in report.dimensions if d.covered}
    # (its goal sentence also names the metrics to track, and is read as evaluation more than framing: a
    # known soft spot on that boundary, so problem definition is not asserted here)
    assert {"data", "features", "modeling", "serving", "monitoring"} <= covered_dims
    assert "scalability" not in covered_dims


@pytest.mark.parametrize("text", [
    # everyday senses of ML words, at grading length
    "My training plan for the marathon has a simple model: build the base, then add load each week. I monitor my "
    "resting heart rate every morning and track the data in a spreadsheet, and when the metrics drift I scale back. "
    "Serving dinner after a long run is its own pipeline problem; the features I care about are protein and time. "
    "Evaluation happens on race day, and the latency between effort and recovery is what I watch most closely. " * 2,
    # word salad salted with ML words
    "Gradient purple the shards inference Tuesday embedding soup under the latency of a cheerful monitoring banana. "
    "Sharding the kettle retrains a feature of velvet data while the model of rain evaluates ninety pipelines. " * 3,
])
def test_everyday_ml_words_and_salted_salad_are_not_graded(text):
    report = grade(parse_transcript(text, problem="bank_fraud_detection"))
    assert report.status == "insufficient_evidence"


def test_the_shipped_model_says_what_it_was_fitted_on():
    meta = load_model().meta
    assert "clauses" in meta["fitted_on"] and "cv" in meta
