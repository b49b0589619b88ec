"""The grader's talk filter: talk around ML (an essay on feeds, a press release) is not a design statement,
and a long text standing alone needs three design statements before it is graded."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from bench.train_gate import fit
from mlsd.evidence.talk import load_talk_filter
from mlsd.grading.grader import grade
from mlsd.grading.transcript import Transcript, Turn
from mlsd.knowledge.embeddings import get_embedder

# Written for these tests; in none of the training or gate files.
ESSAY_ON_FEEDS = (
    'Recommendation feeds did not begin with machine learning. Newspapers ranked stories by hand for two '
    'centuries, and editors argued about what readers needed as fiercely as engineers now argue about eng'
    'agement. What changed in the last fifteen years is the speed of the loop: a feed can now learn withi'
    'n hours which headline keeps a person scrolling, and it will keep learning that lesson whether or no'
    't anyone meant to teach it. Critics say the models reward outrage because outrage is measurable, whi'
    'le boredom and regret leave no trace in the logs. Defenders reply that people choose what they click'
    ', and that a feed only reflects those choices back. Both sides are partly right. The data is real, b'
    'ut it records a narrow slice of what people value, and the metrics built on it decide what the next '
    'million people see. Perhaps the honest conclusion is that every ranking embodies a judgment, and the'
    ' only question is whether that judgment is made in the open.')
PRESS_RELEASE = (
    'Harbourline Bank today announced SafePay Sentinel, an AI-powered fraud shield now protecting all 3.1'
    ' million of its card customers. During a nine-month pilot, customers covered by Sentinel saw fraud l'
    'osses fall by 38 percent and false alarms drop by a quarter. "Criminals move fast, and now so do we,'
    '" said Marta Lind, Head of Customer Protection. Sentinel reviews every payment around the clock and '
    'alerts customers in the Harbourline app when something looks unusual, so that they can approve or bl'
    "ock it with a single tap. The launch follows a 40 million pound investment in the bank's data platfo"
    'rm and a new fraud operations hub in Glasgow. Harbourline was recently named Most Trusted Bank by a '
    'national consumer survey. Customers do not need to do anything to benefit from the new protection, w'
    'hich is included at no extra cost on every account.')


def _is_design(texts: list[str]) -> np.ndarray:
    return load_talk_filter().is_design(get_embedder().embed(texts), texts)


def test_design_choices_read_as_design_and_talk_around_ml_does_not():
    # (vague talk is the judgment's to refuse, as generic; plain words are the filter's weak side: held out,
    # it keeps 0.80 of the plain-voice clauses; see bench/data/LABELLING.md)
    design = _is_design([
        "I'd train a gradient-boosted model on ninety days of chargebacks and serve it behind the auth API.",
        "cache the top 200 candidates per user in redis, refreshed every hour",
        "Every Monday we compare last week's predicted arrival times with the real ones, per city.",
    ])
    talk = _is_design([
        "In 1997 a chess computer beat the world champion, and the papers declared the age of thinking machines.",
        "Our AI-powered assistant cut waiting times by a third, said the company's chief executive on Tuesday.",
        "Critics argue that engagement metrics reward outrage, and regulators have started to listen.",
    ])
    assert design.all() and not talk.any(), (design, talk)


@pytest.mark.parametrize("text, problem", [(ESSAY_ON_FEEDS, "personalized_news_feed"),
                                           (PRESS_RELEASE, "bank_fraud_detection")])
def test_an_essay_or_press_release_that_uses_ml_words_is_not_graded(text, problem):
    report = grade(Transcript(problem=problem, turns=[Turn(role="candidate", content=text)]))
    assert report.status == "insufficient_evidence", report.overall


def test_a_long_text_standing_alone_needs_five_design_statements_or_three_making_a_third_of_it():
    report = grade(Transcript(problem="personalized_news_feed", turns=[Turn(role="candidate", content=ESSAY_ON_FEEDS)]))
    assert len(ESSAY_ON_FEEDS.split()) > 150
    assert report.status == "insufficient_evidence"
    assert report.reason.endswith("needs 5, or 3 that are over a third of it)")


def test_the_refusal_rule_still_grades_a_short_real_answer_on_two_phases():
    text = ("Goal: flag fraudulent card payments before authorisation, within 50 ms p99, while keeping false declines "
            "under one in a thousand. I'd train LightGBM on the last six months of transactions with chargebacks as "
            "labels, downsampling the legitimate ones to 1:20, and serve it in the authorisation path from an "
            "in-memory model with the velocity counts per card read from Redis, so the whole call stays inside the budget.")
    report = grade(Transcript(problem="bank_fraud_detection", turns=[Turn(role="candidate", content=text)]))
    assert report.status == "graded", report.reason


def test_the_filter_fitter_separates_what_is_separable_and_keeps_the_bias_free():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(1.0, 0.3, (40, 5)), rng.normal(-1.0, 0.3, (40, 5))])
    y = np.array([1.0] * 40 + [0.0] * 40)
    model = fit(x + 3.0, y)  # shifted: only an unshrunk bias can centre the boundary
    assert ((model.probability(x + 3.0) >= 0.5) == (y == 1)).all()


def test_the_shipped_filter_says_what_it_was_fitted_on():
    import json

    from mlsd.evidence.talk import TALK_FILTER_PATH

    meta = json.loads(TALK_FILTER_PATH.read_text(encoding="utf-8"))["meta"]
    assert meta["design"] > 1000 and meta["talk"] > 500 and 0.8 < meta["design_recall_cv"] <= 1.0


def test_the_filter_never_sees_the_gate_texts():
    from bench import labelled

    gate_texts = " ".join(" ".join(i.text.split()) for g in (labelled.gate(), labelled.gate(dev=True))
                          for i in g.adversarial + g.short_real)
    sentences = [" ".join(s.text.split()) for s in labelled.gate_clauses()]
    assert len(sentences) > 400 and not [s for s in sentences if s in gate_texts]



def test_outlines_of_generic_bullets_are_not_graded_and_bullet_notes_with_choices_are():
    """bench/data/gate_dev_3.yaml: outlines that name every phase in generic bullets ("try a few models /
    keep the best one" read whole as more than either line says) or in agenda items ("note the
    constraints"), beside real answers in bullet notes, some opening with the same agenda verbs."""
    from bench import labelled
    from mlsd.content.rubrics import load_rubric
    from mlsd.evidence import EvidenceEngine
    from mlsd.grading.grader import only_generic_lines

    items = yaml.safe_load((labelled.DATA / "gate_dev_3.yaml").read_text(encoding="utf-8"))
    def status(item) -> str:
        return grade(Transcript(problem=item["problem"], turns=[Turn(role="candidate", content=item["text"])])).status
    assert [i["id"] for i in items["adversarial"] if status(i) != "insufficient_evidence"] == []
    assert [i["id"] for i in items["short_real"] if status(i) != "graded"] == []
    state = EvidenceEngine(load_rubric()).new_state()
    assert only_generic_lines(state, "- try some models\n- keep whichever wins")
    assert not only_generic_lines(state, "- try some models\n- LambdaMART over price and distance")
    assert not only_generic_lines(state, "try some models")  # one line: the judgment's own say
    assert not only_generic_lines(state, "try some models\nkeep whichever wins")  # wrapped prose, no list
    # an agenda item with no design in it says nothing either; one that states a choice, or a terse choice
    # that reads as neither design nor generic on its own, keeps the list a statement
    assert only_generic_lines(state, "- figure out the objective\n- mention the constraints")
    assert not only_generic_lines(state, "- consider GBDT with class weights\n- note: chargebacks land 60 days late")
    assert not only_generic_lines(state, "- GBDT\n- two-tower + ANN\n- shadow 2 weeks")
