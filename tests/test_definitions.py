"""What a term means, from the notes: the short answer a practice interview gives to "what is X?"."""

from __future__ import annotations

import pytest

from mlsd.core.config import Settings
from mlsd.interview.interviewer import Interviewer
from mlsd.interview.policy import CONCEPT
from mlsd.interview.sessions import SessionStore
from mlsd.knowledge.ask import ask
from mlsd.knowledge.definitions import Definition, define
from mlsd.knowledge.extractive import term_asked
from mlsd.knowledge.index import KnowledgeIndex
from test_knowledge import write_knowledge

GLOSSARY = {
    "concepts/calibration.md": """\
        ---
        title: Probability calibration
        phases: [modeling, evaluation]
        tags: [calibration]
        ---
        # Probability calibration

        ## What calibration means

        Calibration is the agreement between predicted probabilities and observed frequencies: of the
        cases scored 0.2, about a fifth turn out positive. A ranking metric cannot see it, because it
        only reads the order of the scores.

        ## Fixing it

        Recalibrate on held-out data with Platt scaling or isotonic regression after training.

        ## How to bring it up in an interview

        Calibration is worth naming whenever a score feeds a threshold, a bid or a business rule.
        """,
    "concepts/drift.md": """\
        ---
        title: Drift and the population stability index
        phases: [monitoring]
        tags: [drift, psi]
        ---
        # Drift and the population stability index

        ## Comparing windows

        Drift checks compare the distribution of a feature in production with a reference window.
        PSI is the symmetric version of KL divergence on binned histograms, with alerts set near 0.2.
        """,
    "concepts/rag.md": """\
        ---
        title: Retrieval-augmented generation (RAG) basics
        phases: [modeling, serving]
        tags: [rag, llm]
        ---
        # Retrieval-augmented generation (RAG) basics

        ## What retrieval-augmented generation is

        Retrieval-augmented generation (RAG) answers a question by first fetching passages from a document
        collection and then letting a language model write the answer from them.

        ## Evaluating it

        RAG evaluation separates retrieval from generation and labels both on a fixed question set.
        """,
    "concepts/two_tower.md": """\
        ---
        title: Two-tower models for retrieval
        phases: [modeling, serving]
        tags: [retrieval, embeddings]
        ---
        # Two-tower models for retrieval

        ## What a two-tower model is

        A two-tower model (dual encoder) uses one network for the user and another for the item, and scores
        a pair by the dot product of their vectors, so item vectors can be computed ahead of time.

        ## Serving a two-tower model

        At serving time the two-tower model is split: the item tower runs offline over the catalogue and the
        user tower runs per request. The two-tower model is then a nearest neighbour lookup, and a two-tower
        model served this way answers in a few milliseconds.
        """,
}


@pytest.fixture(scope="module")
def glossary(tmp_path_factory):
    base = tmp_path_factory.mktemp("glossary")
    root = write_knowledge(base / "content", GLOSSARY)
    settings = Settings(home=base / "home", llm="offline")
    KnowledgeIndex(settings, root=root).build()
    return base, settings


@pytest.fixture
def kb(glossary, monkeypatch):
    base, settings = glossary
    monkeypatch.setenv("MLSD_CONTENT_DIR", str(base / "content"))
    return settings


@pytest.mark.parametrize("question, term", [
    ("what is calibration exactly?", "calibration"), ("whats PSI again?", "PSI"),
    ("what does NDCG stand for?", "NDCG"), ("ok, can you explain negative sampling?", "negative sampling"),
    ("Sorry. What is a feature store?", "feature store"),
    ("How would you calibrate the scores?", None), ("we'd use PSI on the top features", None),
])
def test_the_term_a_question_asks_about(question, term):
    assert term_asked(question) == term


def test_a_notes_title_reads_inside_a_sentence():
    assert [Definition("t", "x", title, "p").topic for title in ("Probability calibration (Platt, ECE)", "A/B testing",
                                                                 "PSI for drift", "Training-serving skew", "Shadow, canary and rollbacks")] == \
        ["probability calibration", "A/B testing", "PSI for drift", "training-serving skew", "shadow, canary and rollbacks"]


def test_a_definition_is_the_sentence_that_opens_its_section_and_says_what_the_term_is(kb):
    index = KnowledgeIndex(kb)
    found = define("what is calibration exactly?", index)
    assert found and found.text.startswith("Calibration is the agreement") and "order of the scores" in found.text
    assert found.title == "Probability calibration" and found.topic == "probability calibration"
    # "PSI is the symmetric version…" is true of PSI but deep in its section: not a definition to lead with
    assert define("what is PSI?", index) is None
    assert define("what is the capital of France?", index) is None
    # the term spelled out with its short form in brackets is the term too
    rag = define("what is RAG?", index)
    assert rag and rag.text.startswith("Retrieval-augmented generation (RAG) answers") and rag.topic == "retrieval-augmented generation (RAG) basics"


def test_practice_mode_defines_the_term_then_goes_back_and_a_mock_only_points_to_ask(glossary, tmp_path):
    kb = glossary[1]  # the problem bank stays the project's own; only the index is the glossary's
    store = SessionStore(tmp_path / "s.db")
    said = {}
    for mode in ("practice", "mock"):
        iv = Interviewer.start(store, problem_id="ads_ctr_prediction", mode=mode, settings=kb)
        iv.respond("We predict p(click) per ad candidate at request time; the auction ranks by bid times pCTR.")
        said[mode] = iv.respond("what is calibration exactly?").message
    assert "Calibration is the agreement between predicted probabilities" in said["practice"]
    assert "From the notes on probability calibration:" in said["practice"] and "Back to where we were:" in said["practice"]
    assert CONCEPT not in said["practice"]
    assert CONCEPT in said["mock"] and "agreement between predicted" not in said["mock"]
    store.close()


def test_without_a_built_index_the_pointer_stays(tmp_path):
    store = SessionStore(tmp_path / "s.db")
    iv = Interviewer.start(store, problem_id="ads_ctr_prediction", mode="practice",
                           settings=Settings(home=tmp_path / "empty", llm="offline"))
    iv.respond("We predict p(click) per ad candidate at request time; the auction ranks by bid times pCTR.")
    assert CONCEPT in iv.respond("what is calibration exactly?").message
    store.close()


def test_ask_answers_what_is_x_from_the_section_that_defines_x_definition_first(kb):
    """"what is a two-tower model?" is closer, word for word, to the section on serving one; the answer
    still comes from the section that says what it is, and opens with that."""
    answer = ask("what is a two-tower model?", settings=kb)
    assert answer.answered and answer.sources[0].heading == "What a two-tower model is"
    assert answer.answer.startswith("A two-tower model (dual encoder) uses one network")
