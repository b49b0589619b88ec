"""Grounded Q&A: offline extractive answers, refusals, the LLM path's citation checks, the CLI."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from mlsd.knowledge import extractive
from mlsd.knowledge.ask import Answer, CitationFilter, ask, ask_stream, fix_citations
from mlsd.knowledge.extractive import Unit, cite, compose, passage_units
from mlsd.cli.knowledge import ask_cmd, commands, index_cmd
from mlsd.core.config import Settings
from mlsd.knowledge.index import KnowledgeIndex
from mlsd.llm.testing import scripted_llm
from test_knowledge import knowledge, write_knowledge  # noqa: F401  (fixture)

THRESHOLD_QUESTION = "What PSI value means a feature has drifted enough to worry about?"
OFF_TOPIC = ["What is the best recipe for lasagna?", "Who won the football world cup in 2014?",
             "How long should I boil an egg for a runny yolk?"]
CITATION = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One small knowledge base and its index, shared by this module's read-only tests."""
    base = tmp_path_factory.mktemp("ask")
    root = write_knowledge(base / "content")
    KnowledgeIndex(Settings(home=base / "home", llm="offline"), root=root).build()
    return base


@pytest.fixture
def kb(built, monkeypatch):
    monkeypatch.setenv("MLSD_CONTENT_DIR", str(built / "content"))
    monkeypatch.setenv("MLSD_HOME", str(built / "home"))
    monkeypatch.setenv("MLSD_LLM", "offline")
    return built


def plain(text: str) -> str:
    return " ".join(re.sub(r"\*\*|__|`", "", text).split())


# -- offline ---------------------------------------------------------------------------------------
def cited_sentences(answer: str) -> list[tuple[int, str]]:
    """(source number, sentence without its citation) for each cited sentence of an answer."""
    out = []
    for block in re.split(r"\n+", answer):
        for piece in re.findall(r".*?\[\d+\][.!?]*", block.lstrip("- ")):
            number = int(CITATION.search(piece).group(1))
            out.append((number, plain(CITATION.sub("", piece).replace(" .", ".").strip())))
    return out


def test_offline_answer_reads_the_answering_section_in_order(kb):
    answer = ask(THRESHOLD_QUESTION)
    assert answer.in_scope and answer.answered and answer.sources
    top = answer.sources[0]
    assert (top.path, top.heading) == ("knowledge/concepts/drift_detection.md", "PSI thresholds")
    sentences = cited_sentences(answer.answer)
    assert 3 <= len(sentences) <= 6
    assert {n for n, _ in sentences} == {1}  # one section, cited as [1], not one sentence from each of several
    texts = [t for _, t in sentences]
    assert len(set(texts)) == len(texts)
    positions = [plain(top.text).find(t) for t in texts]
    assert -1 not in positions, f"not the section's own words: {texts}"
    assert positions == sorted(positions)  # in the section's order
    assert "0.25" in answer.answer and "0.1" in answer.answer


def test_weak_passages_are_not_offered_as_sources(kb):
    answer = ask("What does a canary release compare before a full rollout?", k=10)
    assert answer.in_scope
    assert [s.path for s in answer.sources] == ["knowledge/phases/serving.md"]
    assert answer.answer.startswith("A canary release sends a small share of traffic")
    assert answer.answer.endswith("before a full rollout [1].")


def test_a_section_that_does_not_answer_says_so_and_names_the_closest_notes(kb, monkeypatch):
    monkeypatch.setattr(extractive, "ANSWER_FLOOR", 1.01)  # no sentence is that close to any question
    answer = ask(THRESHOLD_QUESTION, k=3)
    assert answer.in_scope and not answer.answered
    assert answer.answer.startswith("The notes closest to this question do not answer it directly")
    assert "PSI for drift detection — PSI thresholds [1]" in answer.answer
    assert len(answer.sources) == 3 and "[3]" in answer.answer


LONG_NOTE = """\
    ---
    title: Shadow traffic replay
    phases: [serving]
    tags: [shadow]
    ---
    # Shadow traffic replay

    ## How to replay shadow traffic safely

    Shadow traffic replay copies a sample of live requests to the candidate model without serving its output.
    The copy happens asynchronously so the production path never waits for the candidate model.
    Each replayed request keeps its original timestamp and feature snapshot for later comparison.
    The candidate's predictions are written to a separate log table keyed by request identifier.
    A nightly job joins both logs and reports agreement, latency percentiles and error counts.
    Requests that carry personal data are filtered before they are copied to the shadow cluster.
    Replay volume starts at one percent of traffic and grows only when the cluster keeps up.
    The replay stops automatically when the candidate's error rate passes a fixed limit.
    """


def test_a_long_section_gives_six_of_its_sentences_in_order(tmp_path, monkeypatch):
    root = write_knowledge(tmp_path / "content", {"concepts/shadow.md": LONG_NOTE})
    monkeypatch.setenv("MLSD_CONTENT_DIR", str(tmp_path / "content"))
    KnowledgeIndex(Settings(llm="offline"), root=root).build()
    answer = ask("How do I replay shadow traffic safely?", settings=Settings(llm="offline"))
    sentences = [t for _, t in cited_sentences(answer.answer)]
    assert len(sentences) == 6 and len(set(sentences)) == 6  # eight in the section, the six closest
    body = plain(answer.sources[0].text)
    positions = [body.find(t) for t in sentences]
    assert -1 not in positions and positions == sorted(positions)


def test_offline_answer_is_deterministic(kb):
    assert ask(THRESHOLD_QUESTION) == ask(THRESHOLD_QUESTION)


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_questions_are_refused_without_sources(kb, question):
    answer = ask(question)
    assert answer.in_scope is False and answer.answered is False
    assert answer.sources == []
    assert "nothing on this question" in answer.answer
    assert not CITATION.search(answer.answer)


def test_passage_units_split_lists_and_drop_markup():
    text = "Cover:\n\n- **Latency**: p99 under 50 ms.\n- Errors. Alerts too.\n\nA sentence. Another one (v2)."
    units = passage_units(text)
    assert [u.text for u in units] == ["Cover:", "Latency: p99 under 50 ms.", "Errors.", "Alerts too.",
                                       "A sentence.", "Another one (v2)."]
    assert [u.item for u in units] == [False, True, True, True, False, False]
    assert units[-1].paragraph == units[-2].paragraph != units[0].paragraph


def test_compose_keeps_paragraphs_and_lists_and_cites_every_sentence():
    units = [Unit("Skew is found by replay.", 0, False), Unit("Log the features.", 0, False),
             Unit("Compare scores, then alert.", 1, False), Unit("Mismatch rate per feature.", 2, True),
             Unit('Say "alert above 0.5%."', 2, True)]
    assert compose(units, 2) == ('Skew is found by replay [2]. Log the features [2].\n\n'
                                 'Compare scores, then alert [2].\n\n'
                                 '- Mismatch rate per feature [2].\n- Say "alert above 0.5%." [2]')
    assert cite("No full stop", 1) == "No full stop [1]" and cite("Why?", 3) == "Why [3]?"


# -- citations -------------------------------------------------------------------------------------
def test_fix_citations_drops_numbers_without_a_source():
    assert fix_citations("PSI bins features [1]. KS needs none [7]. Both [2, 9][3].", 3) == \
        "PSI bins features [1]. KS needs none. Both [2][3]."
    assert fix_citations("Zero is not a source [0].", 3) == "Zero is not a source."


def test_citation_filter_handles_citations_split_across_stream_pieces():
    pieces = ["PSI is binned [", "1", "] and KS is not [", "8]", ". Done [2", "]."]
    stream = CitationFilter(3)
    text = "".join(stream.feed(p) for p in pieces) + stream.flush()
    assert text == "PSI is binned [1] and KS is not. Done [2]."


# -- LLM backends ------------------------------------------------------------------------------------
def test_llm_answer_keeps_only_citations_of_real_sources(kb):
    llm, model = scripted_llm("PSI above 0.25 means a significant shift [1]. Retrain then [7]. See also [2, 12].")
    answer = ask(THRESHOLD_QUESTION, llm=llm, k=3)
    assert answer.in_scope and len(answer.sources) == 3
    assert answer.answer == "PSI above 0.25 means a significant shift [1]. Retrain then. See also [2]."
    (messages, _), = model.calls
    system, user = messages[0].content, messages[-1].content
    assert "ONLY the numbered sources" in system
    assert "[1] PSI for drift detection — PSI thresholds" in user and "[3]" in user and "[4]" not in user
    assert answer.sources[0].text in user and THRESHOLD_QUESTION in user


def test_llm_answer_without_citations_gets_the_source_list(kb):
    llm, _ = scripted_llm("A PSI above 0.25 is a significant shift.")
    answer = ask(THRESHOLD_QUESTION, llm=llm, k=2)
    assert answer.answer.startswith("A PSI above 0.25 is a significant shift.")
    assert "Sources:\n[1] knowledge/concepts/drift_detection.md — PSI thresholds" in answer.answer
    assert "[2] " in answer.answer


def test_off_topic_question_never_reaches_the_llm(kb):
    llm, model = scripted_llm()  # any call would fail: nothing is queued
    answer = ask(OFF_TOPIC[0], llm=llm)
    assert answer.in_scope is False and model.calls == []


def test_configured_backend_builds_the_llm_through_the_seam(kb, monkeypatch):
    llm, model = scripted_llm("Use an as-of join [1].")
    monkeypatch.setattr("mlsd.llm.get_llm", lambda settings: llm)
    settings = Settings(llm="openai", api_key="sk-test")
    answer = ask("How do I avoid leaking future feature values into training data?", settings=settings)
    assert answer.answer == "Use an as-of join [1]." and len(model.calls) == 1


def test_streamed_answer_matches_the_final_answer(kb):
    llm, _ = scripted_llm("Above 0.25 the shift is significant [1] so retrain [5] soon.")
    stream = ask_stream(THRESHOLD_QUESTION, llm=llm, k=3)
    assert stream.in_scope and len(stream.sources) == 3  # known before the first piece
    pieces = list(stream)
    assert len(pieces) > 1
    final = stream.answer()
    assert isinstance(final, Answer) and "".join(pieces).strip() == final.answer
    assert final.answer == "Above 0.25 the shift is significant [1] so retrain soon."


# -- CLI ---------------------------------------------------------------------------------------------
def test_commands_are_exported_under_their_names():
    assert list(commands) == ["index", "ask"] and [c.name for c in commands.values()] == ["index", "ask"]


def test_ask_json_has_exactly_the_documented_shape(kb):
    result = CliRunner().invoke(ask_cmd, [THRESHOLD_QUESTION, "--json", "-k", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"answer", "in_scope", "answered", "sources"}
    assert isinstance(data["answer"], str) and data["in_scope"] is True and data["answered"] is True
    assert len(data["sources"]) == 3
    for source in data["sources"]:
        assert set(source) == {"path", "heading", "text", "score"}
        assert isinstance(source["path"], str) and isinstance(source["heading"], str)
        assert isinstance(source["text"], str) and isinstance(source["score"], float)
    scores = [s["score"] for s in data["sources"]]
    assert scores == sorted(scores, reverse=True)


def test_ask_json_for_an_off_topic_question(kb):
    result = CliRunner().invoke(ask_cmd, [OFF_TOPIC[1], "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["in_scope"] is False and data["answered"] is False and data["sources"] == []


def test_ask_prints_the_answer_and_numbered_sources(kb):
    result = CliRunner().invoke(ask_cmd, [THRESHOLD_QUESTION])
    assert result.exit_code == 0, result.output
    assert "[1]" in result.stdout
    assert "\n[1] knowledge/concepts/drift_detection.md — PSI thresholds (score " in result.stdout


def test_index_command_summarises_and_is_incremental(knowledge):
    runner = CliRunner()
    first = runner.invoke(index_cmd, [])
    assert first.exit_code == 0, first.output
    assert re.search(r"5 notes: 5 added, 0 updated, 0 removed, 0 unchanged; \d+ chunks embedded in [\d.]+ s", first.stdout)
    second = runner.invoke(index_cmd, [])
    assert "0 added, 0 updated, 0 removed, 5 unchanged; 0 chunks embedded" in second.stdout
    rebuilt = runner.invoke(index_cmd, ["--rebuild"])
    assert "5 added" in rebuilt.stdout and "0 chunks embedded" not in rebuilt.stdout


def test_index_command_names_a_malformed_note_and_indexes_the_rest(knowledge):
    (knowledge / "concepts/bad.md").write_text("---\ntitle: T\nphases: [deployment]\n---\n## A\ntext\n")
    result = CliRunner().invoke(index_cmd, [])
    assert result.exit_code == 1
    assert "knowledge/concepts/bad.md" in result.stderr and "unknown phase" in result.stderr
    assert "5 notes: 5 added" in result.stdout


def test_library_errors_become_one_line_cli_errors(knowledge, monkeypatch):
    monkeypatch.setenv("MLSD_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("MLSD_CHROMA_PORT", "9")
    result = CliRunner().invoke(index_cmd, [])
    assert result.exit_code == 1
    assert "Error: cannot reach Chroma at 127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.output
