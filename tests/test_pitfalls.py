"""The interviewer challenges a questionable choice the candidate states (problems/_pitfalls.yaml): once,
only when it is the candidate's own choice, and only where the problem makes it questionable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlsd.content.files import DataFileError
from mlsd.content.problems import get_problem
from mlsd.interview.interviewer import Interviewer
from mlsd.interview.pitfalls import load_pitfalls, pitfall_in
from mlsd.interview.sessions import SessionStore

REPO = Path(__file__).resolve().parents[1]
GOAL = ("The goal is to block fraudulent card transactions in real time while keeping false declines low; "
        "success is fraud losses prevented and the false decline rate.")
FRAUD = get_problem("bank_fraud_detection").vocabulary


@pytest.fixture
def store(tmp_path):
    s = SessionStore(tmp_path / "s.db")
    yield s
    s.close()


@pytest.mark.parametrize("sentence, pitfall", [
    ("then just do a random train test split and train xgboost", "random_split"),
    ("we shuffle all the transactions and keep a fifth aside to test on", "random_split"),
    ("Offline metric: accuracy on the test set.", "accuracy_metric"),
    ("For model, gradient boosting is good on this table data. We check accuracy on test.", "accuracy_metric"),
    ("SMOTE the whole dataset, then split 80/20", "resample_before_split"),
    ("model = a huge transformer trained from scratch on raw swipes", "heavy_model_first"),
    ("We call an LLM on every transaction to decide.", "heavy_model_first"),
    ("once trained we push it to all users and retire the rules", "all_at_once_rollout"),
])
def test_a_stated_choice_names_its_pitfall(sentence, pitfall):
    found = pitfall_in(sentence, load_pitfalls(), FRAUD)
    assert found is not None and found.id == pitfall


@pytest.mark.parametrize("sentence", [
    "Split by time, not a random split: train on ten months, test on the next two.",
    "A random split would leak next month's behaviour into training.",
    "Would a random split be fine here?",
    "I wouldn't look at accuracy, fraud is 0.1 %: PR-AUC and recall at a fixed precision.",
    "Accuracy isn't the metric here, precision at our review capacity is.",
    "Downsample negatives in the training split only; the test set keeps the real ratio.",
    "Gradient-boosted trees as a baseline first, a sequence transformer later if it pays for itself.",
    "Shadow for a week, canary at 5 %, then ramp to all users.",
    "We push the new denylist to every edge node within minutes.",
    "First we compute the accuracy of the chargeback labels against a hand-checked sample.",
    "Features: amount, merchant category, card velocity over 10 minutes and 24 hours.",
])
def test_a_near_miss_names_no_pitfall(sentence):
    assert pitfall_in(sentence, load_pitfalls(), FRAUD) is None


def test_accuracy_is_questioned_only_where_positives_are_rare():
    accuracy = "The main metric would be accuracy on the test weeks."
    assert pitfall_in(accuracy, load_pitfalls(), FRAUD).id == "accuracy_metric"
    assert pitfall_in(accuracy, load_pitfalls(), get_problem("demand_forecasting").vocabulary) is None


def test_an_llm_per_query_is_no_pitfall_where_the_problem_is_built_on_one():
    per_query = "We call GPT-4 on every query with the top five chunks as context."
    assert pitfall_in(per_query, load_pitfalls(), FRAUD).id == "heavy_model_first"
    for problem in ("document_qa_rag", "support_ticket_routing"):
        assert pitfall_in(per_query, load_pitfalls(), get_problem(problem).vocabulary) is None


def test_the_interviewer_challenges_a_stated_pitfall_once(store):
    iv = Interviewer.start(store, problem_id="bank_fraud_detection", mode="mock")
    iv.respond(GOAL)
    r = iv.respond("I'd train a big transformer from scratch on the raw transaction sequences.")
    assert r.action == "challenge" and r.target_phase == "modeling" and "baseline" in r.message
    assert r.message.startswith("Why start with that model")  # it names the choice: no acknowledgement first
    assert iv.state.challenged == ["heavy_model_first"]
    again = iv.respond("Yes, a giant transformer from scratch, it's the state of the art.")
    assert again.action != "challenge"


def test_a_question_or_a_negation_is_not_challenged(store):
    iv = Interviewer.start(store, problem_id="bank_fraud_detection", mode="mock")
    iv.respond(GOAL)
    assert iv.respond("Would a random split of the transactions be OK, or do you want it by time?").action != "challenge"
    assert iv.respond("I'd split by time, not a random split, training on older months.").action != "challenge"
    assert iv.state.challenged == []


def test_a_challenge_survives_a_resume(store):
    iv = Interviewer.start(store, problem_id="bank_fraud_detection", mode="mock")
    iv.respond(GOAL)
    assert iv.respond("then just do a random train test split and train xgboost").action == "challenge"
    again = Interviewer.resume(store, iv.session_id)
    assert again.state.challenged == ["random_split"]
    assert again.respond("and we randomly split the data again for the next model").action != "challenge"


def test_a_pattern_that_does_not_compile_is_named_with_its_file(tmp_path, monkeypatch):
    shutil.copytree(REPO / "problems", tmp_path / "problems")
    (tmp_path / "problems" / "_pitfalls.yaml").write_text(
        "pitfalls:\n  - id: broken\n    phase: data\n    when: ['random (split']\n"
        "    question: What would you do instead?\n", encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        load_pitfalls(tmp_path)
    assert "_pitfalls.yaml" in str(raised.value) and "does not compile" in str(raised.value)


WRITTEN = ("The goal is to block fraudulent card transactions at authorization while keeping false declines low. "
           "Labels come from chargebacks, which arrive up to 60 days late. "
           "Features are the amount, the merchant category and card velocity over ten minutes and a day. "
           "The model is gradient-boosted trees with class weights. "
           "We evaluate it by accuracy on the test set. "
           "Thresholds are set from the cost of a missed fraud against a false decline.")


def test_in_a_design_written_out_at_once_the_gaps_come_before_the_challenge(store):
    iv = Interviewer.start(store, problem_id="bank_fraud_detection", mode="mock")
    first = iv.respond(WRITTEN)
    assert first.action != "challenge"
    assert iv.state.pending_challenge == "accuracy_metric"
    answers = ["Scoring runs inline in the authorization path with a 50 ms budget and falls back to rules on timeout.",
               "We shard the feature store by card and autoscale the scoring pods on request rate.",
               "We alert on score drift per merchant category and retrain weekly once chargebacks mature.",
               "The velocity counts come from a streaming job that updates per card as events arrive."]
    kinds = [iv.respond(a).action for a in answers]
    assert "challenge" in kinds and iv.state.challenged == ["accuracy_metric"] and iv.state.pending_challenge == ""


def test_a_challenge_kept_from_a_written_design_is_asked_before_the_end(store):
    iv = Interviewer.start(store, problem_id="bank_fraud_detection", mode="mock")
    iv.respond(WRITTEN)
    assert iv.state.pending_challenge == "accuracy_metric"
    iv.respond("I think that covers my design.")
    answers = ["Scoring runs inline in the authorization path with a 50 ms budget and falls back to rules on timeout.",
               "We shard the feature store by card and autoscale the scoring pods on request rate.",
               "We alert on score drift per merchant category and retrain weekly once chargebacks mature.",
               "Analysts review the alerts and their decisions become labels within a day."]
    kinds = []
    for answer in answers:
        if iv.state.status == "wrapped":
            break
        kinds.append(iv.respond(answer).action)
    assert "challenge" in kinds and iv.state.challenged == ["accuracy_metric"]


def test_a_challenge_kept_from_a_written_design_is_dropped_once_the_candidate_revisits_the_choice(tmp_path):
    """Replay: a random split kept to be challenged later was still put after the candidate had written
    "A random split over query logs would leak … I'd split by time instead"."""
    from mlsd.interview.interviewer import Interviewer
    from mlsd.interview.sessions import SessionStore

    design = ("Labels: clicks, add-to-carts and purchases from two years of search logs, graded purchase over cart over "
              "click. Retrieval: BM25 plus an embedding index, a couple of thousand candidates. Ranking: LambdaMART on "
              "query, listing and query-listing features. Evaluation: NDCG@10 on rater-graded pairs. Serving: ranker as "
              "its own service inside 300 ms. Then I'd randomly split the query logs 80/20 into train and test.")
    store = SessionStore(tmp_path / "s.db")
    iv = Interviewer.start(store, problem_id="search_ranking", mode="mock")
    iv.respond(design)
    assert iv.state.pending_challenge == "random_split"
    iv.respond("Actually, let me revise that split. A random split over query logs would leak: the same query lands on "
               "both sides. I'd split by time instead, training on weeks up to T and testing on the week after.")
    assert iv.state.pending_challenge == "" and "random_split" in iv.state.challenged
    for turn in ("For monitoring I'd track NDCG on fresh rater labels weekly and the zero-result rate daily.",
                 "Scaling: shard the index by listing id, replicate each shard three times.", "I think that's my design."):
        assert iv.respond(turn).action != "challenge"
    store.close()
