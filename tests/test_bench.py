"""The benchmark runner: a quick-mode smoke test through the click command, and its pieces."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

from mlsd.cli.bench import bench_cmd, load_runner
from mlsd.storage.throwaway import server_binaries
from mlsd.grading.transcript import Transcript

runner_mod = load_runner()  # puts the checkout's bench/ package on sys.path

from bench import grading_bench as gb  # noqa: E402
from bench.resource_bench import measure_rss  # noqa: E402


# -- smoke test: every figure, quick mode, through the command --------------------------------------
@pytest.fixture(scope="module")
def quick_result():
    result = CliRunner().invoke(bench_cmd, ["--quick", "--json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def test_quick_run_reports_every_figure_as_a_number_or_null_with_a_reason(quick_result):
    figures = quick_result["figures"]
    assert list(figures) == runner_mod.FIGURE_KEYS
    for key, figure in figures.items():
        value = figure["value"]
        if value is None:
            assert figure["reason"], f"{key} is null without a reason"
        else:
            assert isinstance(value, (int, float)) and not isinstance(value, bool), (key, value)
            assert figure["pass"] in (True, False, None)
        assert figure["goal"]
    assert quick_result["errors"] == []
    assert quick_result["mode"] == "quick"
    # every offline part ran; only the RSS subprocess and the LLM parts are skipped in quick mode
    measured = {k for k, f in figures.items() if f["value"] is not None}
    expected = set(runner_mod.FIGURE_KEYS) - {"rss_mb_peak", "llm_schema_valid_rate", "llm_ttft_s", "llm_tokens_per_s",
                                                 "llm_grade_10_turns_s"}
    if server_binaries() is None and os.environ.get("MLSD_REQUIRE_POSTGRES") != "1":
        expected -= {k for k in expected if "_pg" in k}  # said "not measured" (tested below)
    if figures["skip_probe_recall"]["value"] is None:  # quick mode's few cases may all lose a second phase
        assert "no clean removal cases" in figures["skip_probe_recall"]["reason"]
        expected.discard("skip_probe_recall")
    assert measured >= expected
    assert "--quick" in figures["rss_mb_peak"]["reason"]
    assert "--llm" in figures["llm_ttft_s"]["reason"]
    assert "--llm" in figures["llm_grade_10_turns_s"]["reason"]


def test_quick_run_names_the_machine_and_renders_a_table(quick_result):
    machine = quick_result["machine"]
    for key in ("cores", "ram_gb", "cpu_model", "python"):
        assert machine[key]
    table = runner_mod.render_table(quick_result)
    for key in runner_mod.FIGURE_KEYS:
        assert key in table
    assert machine["cpu_model"] in table and "goal" in table


def test_a_missing_corpus_folder_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(bench_cmd, ["--corpus", str(tmp_path / "nope"), "--quick"])
    assert result.exit_code == 1
    assert "no such folder" in result.output


def test_an_empty_corpus_folder_is_an_error(tmp_path):
    result = CliRunner().invoke(bench_cmd, ["--corpus", str(tmp_path), "--quick"])
    assert result.exit_code == 1
    assert "no labelled answers" in result.output


# -- grade ordering: pair counting ------------------------------------------------------------------
def test_all_cross_tier_pairs_right():
    scored = [(0, "strong", 80.0), (1, "strong-data", 70.0), (1, "strong-serving", 60.0),
              (2, "handwavy", 30.0), (3, "minimal", 5.0)]
    counted = gb.count_ordered_pairs(scored)
    # strong vs 4 others, each variant vs handwavy and minimal, handwavy vs minimal; not variant vs variant
    assert counted == {"pairs": 9, "right": 9, "wrong": []}


def test_inversions_and_ties_are_wrong_and_same_tier_is_not_compared():
    scored = [(0, "strong", 60.0), (1, "strong-data", 65.0), (1, "strong-serving", 50.0),
              (2, "handwavy", 0.0), (3, "minimal", 0.0)]
    counted = gb.count_ordered_pairs(scored)
    assert counted["pairs"] == 9
    assert counted["right"] == 7
    assert sorted(counted["wrong"]) == ["handwavy 0 <= minimal 0", "strong 60 <= strong-data 65"]


def test_no_pairs_with_a_single_tier():
    assert gb.count_ordered_pairs([(1, "a", 1.0), (1, "b", 2.0)]) == {"pairs": 0, "right": 0, "wrong": []}


def _write_set(folder, problem, strong_phases):
    strong = {"problem": problem, "turns": []}
    for phase in strong_phases:
        strong["turns"] += [{"role": "interviewer", "content": f"Tell me about {phase}."},
                            {"role": "candidate", "content": f"words about {phase} " * 5, "phase": phase}]
    handwavy = {"problem": problem, "turns": [{"role": "interviewer", "content": "Go."},
                                              {"role": "candidate", "content": "we use a model"}]}
    minimal = {"problem": problem, "turns": [{"role": "interviewer", "content": "Go."},
                                             {"role": "candidate", "content": "ml"}]}
    for label, data in (("strong", strong), ("handwavy", handwavy), ("minimal", minimal)):
        (folder / f"{problem}_{label}.json").write_text(json.dumps(data))


def fake_grade(transcript: Transcript):
    """Score = candidate words; under 3 words is insufficient evidence (counts as 0)."""
    words = transcript.candidate_words()
    if words < 3:
        return SimpleNamespace(status="insufficient_evidence", overall=None)
    return SimpleNamespace(status="graded", overall=float(words))


def test_grade_ordering_builds_one_variant_per_tagged_phase(tmp_path):
    _write_set(tmp_path, "p1", ["data", "modeling"])
    (tmp_path / "p2_strong.json").write_text("{}")  # an incomplete set is ignored
    result = gb.grade_ordering(folder=tmp_path, grade_fn=fake_grade)
    assert result["problems"] == ["p1"]
    assert set(result["scores"]["p1"]) == {"strong", "strong-data", "strong-modeling", "handwavy", "minimal"}
    assert result["scores"]["p1"]["minimal"] == 0.0  # insufficient evidence
    # tiers of sizes 1, 2, 1, 1: 2 + 1 + 1 + 2 + 2 + 1 cross-tier pairs
    assert (result["pairs"], result["right"], result["grade_ordering"]) == (9, 9, 1.0)


def test_grade_ordering_counts_insufficient_evidence_as_zero(tmp_path):
    _write_set(tmp_path, "p1", ["data", "modeling"])

    def grade_fn(transcript):
        report = fake_grade(transcript)
        if transcript.candidate_words() == 4:  # handwavy: graded, but 0 overall
            report = SimpleNamespace(status="graded", overall=0.0)
        return report

    result = gb.grade_ordering(folder=tmp_path, grade_fn=grade_fn)
    assert result["pairs"] == 9 and result["right"] == 8
    assert result["wrong"] == ["p1: handwavy 0 <= minimal 0"]


def test_removing_a_phase_drops_only_its_candidate_turns():
    raw = {"problem": "p", "turns": [{"role": "interviewer", "content": "q1"},
                                     {"role": "candidate", "content": "a1", "phase": "data"},
                                     {"role": "interviewer", "content": "q2"},
                                     {"role": "candidate", "content": "a2", "phase": "serving"}]}
    cut = gb.to_transcript(raw, "data")
    assert [t.content for t in cut.turns] == ["q1", "q2", "a2"]
    assert gb.tagged_phases(raw) == ["data", "serving"]


def test_long_transcript_has_forty_candidate_turns():
    t = gb.long_transcript(40)
    assert len(t.candidate_turns()) == 40 and len(t.turns) == 80
    assert t.turns[0].role == "interviewer"


# -- shared pieces ----------------------------------------------------------------------------------
def test_embedding_memo_returns_the_same_vectors_and_restores_the_embedder():
    from mlsd.knowledge.embeddings import get_embedder

    embedder = get_embedder()
    texts = ["We score every card payment.", "A short one.", "We score every card payment."]
    plain = embedder.embed(texts)
    stats: dict = {}
    with runner_mod.embedding_memo(stats):
        first = embedder.embed(texts)
        again = embedder.embed(texts[:1])
        with runner_mod.no_memo():
            assert "embed" not in vars(embedder)
        assert "embed" in vars(embedder)
    assert "embed" not in vars(embedder)
    assert np.allclose(plain, first, atol=1e-6) and np.allclose(again[0], plain[0], atol=1e-6)
    assert stats == {"hits": 2, "misses": 2}


def test_rss_subprocess_plumbing_reports_the_child_not_the_parent():
    ballast = np.ones(300 * 1024 * 1024, dtype=np.uint8)  # the bench process is large after its other parts
    result = measure_rss("noop", timeout=120)
    assert 1 < result["rss_mb_peak"] < 200, result  # an interpreter alone, not the parent's 300 MB
    del ballast


def test_llm_figures_say_why_when_no_backend(monkeypatch):
    bench = runner_mod.Bench(runner_mod.Options(llm=True))
    bench.part_llm()
    assert bench.figures["llm_ttft_s"]["value"] is None
    assert "MLSD_LLM=local" in bench.figures["llm_ttft_s"]["reason"]


def test_counting_llm_records_valid_and_invalid_calls():
    from mlsd.core.errors import LLMOutputError

    class Fake:
        backend = "test"

        def __init__(self):
            self.n = 0

        def structured(self, messages, schema, **kw):
            self.n += 1
            if self.n == 2:
                raise LLMOutputError("bad", attempts=9)
            return "ok"

    counting = gb.CountingLLM(Fake())
    assert counting.structured([], None) == "ok"
    with pytest.raises(LLMOutputError):
        counting.structured([], None)
    assert [c["outcome"] for c in counting.calls] == ["valid", "invalid"]
    assert counting.backend == "test"


def test_without_postgresql_its_figures_are_not_measured_and_say_why(monkeypatch, tmp_path):
    import mlsd.storage.throwaway as throwaway

    monkeypatch.setattr(throwaway, "server_binaries", lambda: None)
    monkeypatch.delenv("MLSD_BENCH_DATABASE_URL", raising=False)
    bench = runner_mod.Bench(runner_mod.Options(quick=True))
    bench.home = tmp_path
    bench.part_stores()
    pg = {k: f for k, f in bench.figures.items() if "_pg" in k}
    assert len(pg) == 6 and all(f["value"] is None and "no PostgreSQL" in f["reason"] for f in pg.values())
    assert bench.figures["load_turns_lost_sqlite"]["value"] == 0  # SQLite is always measured


def test_exit_code_is_one_only_when_a_part_errors(monkeypatch):
    def boom(self):
        raise RuntimeError("kaput")

    def fine(self):
        pass

    for name in ("part_embedder", "part_knowledge", "part_answers", "part_turn_overhead", "part_grade_time",
                 "part_prompt_tokens", "part_coverage", "part_skip_probe", "part_grade_ordering", "part_stores"):
        monkeypatch.setattr(runner_mod.Bench, name, fine)
    monkeypatch.setattr(runner_mod, "PARTS", [])
    lines: list[str] = []
    assert runner_mod.run_and_print(runner_mod.Options(quick=True), as_json=False, echo=lines.append) == 0
    assert "goals: 0 met, 0 missed" in lines[0]  # every figure unmeasured, still a report
    monkeypatch.setattr(runner_mod.Bench, "part_coverage", boom)
    out: list[str] = []
    assert runner_mod.run_and_print(runner_mod.Options(quick=True), as_json=True, echo=out.append) == 1
    result = json.loads(out[0])
    assert "kaput" in result["figures"]["coverage_f1"]["reason"]
    assert result["errors"] and "phase coverage" in result["errors"][0]


def test_the_fresh_chats_are_measured_only_never_trained_on():
    from bench import labelled
    trained = {t.content for d in labelled.dialogues() for t in d.turns} | {c.text for c in labelled.clauses()}
    for name in labelled.FRESH_DIALOGUES:
        fresh = labelled.fresh_dialogues(name)
        said = [t.content for d in fresh for t in d.turns if t.role == "candidate"]
        assert len(said) >= 80 and not any(text in trained for text in said), name
        assert {d.source for d in fresh}.isdisjoint({d.source for d in labelled.dialogues()}), name


def test_the_plain_talk_clauses_are_measured_only_never_trained_on():
    from bench import labelled
    trained = {c.text for c in labelled.clauses()} | {t.content for d in labelled.dialogues() for t in d.turns}
    plain = labelled.plain_talk()
    assert len(plain) >= 400 and not any(c.text in trained for c in plain)
    assert {c.source for c in plain}.isdisjoint({c.source for c in labelled.clauses()})


def test_the_proposals_are_measured_only_never_trained_on():
    from bench import labelled
    trained = {c.text for c in labelled.clauses()} | {t.content for d in labelled.dialogues() for t in d.turns}
    proposals = labelled.proposals()
    assert len(proposals) >= 100 and not any(p.text in trained for p in proposals)


def test_a_labelled_term_is_found_as_whole_words_with_prefixes_and_possessives():
    from bench.knowledge_bench import term_found

    assert term_found("teacher", "a student trained on the teacher's scores")  # possessive, straight or curly
    assert term_found("teacher", "the teacher’s logits")
    assert not term_found("teacher", "teachers disagree")  # no prefix without a star
    assert term_found("calibrat*", "then recalibrate it") is False  # a prefix matches from a word's start
    assert term_found("recalibrat*|calibrat*", "then recalibrate it")
    assert term_found("population stability index|PSI", "PSI above 0.25")
    assert not term_found("0.1", "a PSI of 0.15")


@pytest.mark.parametrize("name", ["QUESTIONS", "FRESH_QUESTIONS", "FRESH_2_QUESTIONS"])
def test_every_labelled_concept_question_names_real_notes_that_state_each_expected_point(name):
    """A term no expected note states could never be matched by an answer drawn from the notes: the label,
    not the answer, would be wrong. Each set also keeps some out-of-scope questions for the refusal check."""
    from pathlib import Path

    from bench import knowledge_bench as kb

    questions = kb.load_questions(getattr(kb, name))
    root = Path(kb.__file__).resolve().parents[1]
    unstated = []
    for item in questions:
        if item.out_of_scope:
            assert not item.terms, item.q
            continue
        notes = " ".join((root / path).read_text(encoding="utf-8") for path in item.expect)
        unstated += [(item.q, term) for term in item.terms if not kb.term_found(term, notes)]
    assert not unstated
    assert any(q.out_of_scope for q in questions) and sum(not q.out_of_scope for q in questions) >= 40


def test_the_point_made_figure_as_the_report_applies_it_never_credits_a_question_about_the_point():
    """Scored whole, a question that names the point looks made; the report reads only design units."""
    from bench.point_made_eval import Item, report_path, scored
    from mlsd.grading import feedback

    point = "Defines success as fraud dollars prevented at a bounded false-decline rate, not accuracy"
    asked = Item("bank_fraud_detection", point, "Should success be measured in dollars saved, or do you have a "
                 "target false-decline rate in mind?", False, "question")
    stated = Item("bank_fraud_detection", point, "Success is the fraud dollars we stop, with the false-decline "
                  "rate held under an agreed cap; accuracy says nothing here.", True, "terse")
    whole = {i.voice: i.score for i in scored([asked, stated])}
    assert whole["question"] >= feedback.POINT_MADE  # the scorer alone is fooled by the question
    assert report_path([asked, stated]) == {"accuracy": 1.0, "per_voice": {"terse": 1.0, "question": 1.0}}


def test_the_blind_clarifying_questions_are_measured_only_and_name_real_facts():
    """No blind question is one of ours or one of a problem's example questions, which the matcher embeds;
    every labelled fact exists in its problem's hidden spec."""
    from bench import labelled
    from mlsd.content.problems import load_problems

    problems = load_problems()
    blind = labelled.clarifications(fresh=True)
    seen = {c.question for c in labelled.clarifications() + labelled.clarifications(dev=True)}
    seen |= {example for p in problems.values() for fact in p.hidden_spec for example in fact.examples}
    assert len(blind) >= 40 and not any(c.question in seen for c in blind)
    for c in blind:
        assert set(c.facts) <= {fact.id for fact in problems[c.problem].hidden_spec}, c.question
    assert sum(not c.facts for c in blind) >= 10  # questions the spec leaves out are asked too


def test_the_criterion_statements_are_measured_only_and_name_criteria_of_their_phase(tmp_path):
    """Every phase criterion has statements; none is a rubric example (which the matcher embeds) or a text
    the judgment is trained on; a label naming another phase's criterion is an error naming the item."""
    from bench import labelled
    from bench.criteria_bench import load_items
    from mlsd.content.rubrics import load_rubric

    items = load_items()
    rubric = load_rubric("base")
    examples = {e for _, c in rubric.criteria() for e in c.evidence_examples}
    trained = {c.text for c in labelled.clauses()} | {t.content for d in labelled.dialogues() for t in d.turns}
    assert not any(i["text"] in examples | trained for i in items)
    assert {c for i in items for c in i["criteria"]} == {c.id for d, c in rubric.criteria() if d.phase}
    bad = tmp_path / "criteria.yaml"
    bad.write_text("items:\n  - {phase: data, criteria: [baseline_first], text: logistic regression first}\n")
    with pytest.raises(ValueError, match="item 1: \\['baseline_first'\\] not criteria of phase 'data'"):
        load_items(bad)
