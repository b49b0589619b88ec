"""Rubrics: shipped files validate, broken files fail loudly and precisely, overlays merge."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlsd.content.files import content_root
from mlsd.core.errors import DataFileError, NotFoundError
from mlsd.core.phases import PHASE_IDS
from mlsd.content.rubrics import check_rubrics, list_overlays, list_rubrics, load_rubric

REPO = content_root()


# --- a small valid rubric, written out line by line so tests can break one line at a time ---


def minimal_rubric_yaml() -> str:
    lines = [
        "id: base",
        "title: Test rubric",
        "version: 1",
        "max_level: 3",
        "level_names: {0: not covered, 1: mentioned, 2: solid, 3: strong}",
        "hire_bands:",
        "  - {min_score: 70, band: hire}",
        "  - {min_score: 0, band: no hire}",
        "dimensions:",
    ]
    for phase in PHASE_IDS:
        lines += [
            f"  - id: {phase}",
            f"    title: {phase.replace('_', ' ').title()}",
            "    weight: 0.125",
            f"    phase: {phase}",
            "    criteria:",
            f"      - id: {phase}_criterion",
            f"        looks_for: Says something concrete about {phase.replace('_', ' ')}.",
            "        levels:",
            f"          0: Nothing about {phase}.",
            f"          1: Names {phase} in passing.",
            f"          2: Explains {phase} with one example.",
            f"          3: Explains {phase} with tradeoffs ({phase}).",
            "        evidence_examples:",
            f"          - \"For {phase} I would start simple.\"",
            f"          - \"The {phase} tradeoff here is cost.\"",
            f"        signals: [{phase}, alpha, beta, gamma, delta]",
        ]
    return "\n".join(lines) + "\n"


def line_number(text: str, needle: str) -> int:
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(hits) == 1, f"{needle!r} found on lines {hits}"
    return hits[0]


@pytest.fixture
def content(tmp_path) -> Path:
    (tmp_path / "rubrics" / "overlays").mkdir(parents=True)
    (tmp_path / "rubrics" / "base.yaml").write_text(minimal_rubric_yaml(), encoding="utf-8")
    return tmp_path


def write_base(root: Path, text: str | bytes) -> Path:
    path = root / "rubrics" / "base.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def broken(root: Path, text: str) -> DataFileError:
    path = write_base(root, text)
    with pytest.raises(DataFileError) as info:
        load_rubric(root=root)
    assert info.value.path == str(path)
    assert str(path) in str(info.value)
    return info.value


def test_minimal_rubric_is_valid(content):
    rubric = load_rubric(root=content)
    assert [d.phase for d in rubric.dimensions] == list(PHASE_IDS)
    assert check_rubrics(content) == []


def test_wrong_type(content):
    text = minimal_rubric_yaml().replace(
        "    weight: 0.125\n    phase: features", "    weight: heavy\n    phase: features"
    )
    err = broken(content, text)
    assert err.field == "dimensions[2].weight"
    assert err.line == line_number(text, "weight: heavy")
    assert f":{err.line} [dimensions[2].weight]" in str(err)


def test_missing_level(content):
    text = minimal_rubric_yaml()
    text = text.replace("          3: Explains modeling with tradeoffs (modeling).\n", "")
    err = broken(content, text)
    assert err.field == "dimensions[3].criteria[0].levels"
    # the `levels:` key of the modeling criterion
    expected = line_number(text, "2: Explains modeling with one example.") - 3
    assert err.line == expected
    assert "missing level(s) [3]" in str(err)


def test_extra_level(content):
    text = minimal_rubric_yaml().replace(
        "          3: Explains data with tradeoffs (data).\n",
        "          3: Explains data with tradeoffs (data).\n          4: Even more.\n",
    )
    err = broken(content, text)
    assert err.field == "dimensions[1].criteria[0].levels"
    assert "unexpected level(s) [4]" in str(err)


def test_duplicate_criterion_id(content):
    text = minimal_rubric_yaml().replace("      - id: serving_criterion", "      - id: data_criterion")
    err = broken(content, text)
    assert err.field == "dimensions[5].criteria[0].id"
    assert err.line == line_number(text, "looks_for: Says something concrete about serving.") - 1
    assert "duplicate criterion id 'data_criterion'" in str(err)


def test_duplicate_dimension_id(content):
    text = minimal_rubric_yaml().replace("  - id: scalability\n", "  - id: serving\n")
    err = broken(content, text)
    assert err.field == "dimensions[6].id"
    assert "duplicate dimension id 'serving'" in str(err)


def test_unknown_phase(content):
    text = minimal_rubric_yaml().replace("    phase: modeling", "    phase: modelling")
    err = broken(content, text)
    assert err.field == "dimensions[3].phase"
    assert err.line == line_number(text, "phase: modelling")
    assert "'modeling'" in str(err)  # pydantic lists the allowed phase ids


def test_every_phase_needs_exactly_one_dimension(content):
    text = minimal_rubric_yaml()
    # scalability's dimension claims the serving phase: one phase doubled, one missing
    text = text.replace("    phase: scalability", "    phase: serving")
    err = broken(content, text)
    assert err.field == "dimensions[6].phase"
    assert "already has dimension 'serving'" in str(err)


def test_weights_must_sum_to_one(content):
    text = minimal_rubric_yaml().replace(
        "    weight: 0.125\n    phase: monitoring", "    weight: 0.5\n    phase: monitoring"
    )
    err = broken(content, text)
    assert "sum to 1.0" in str(err)
    assert err.field == "dimensions"


def test_signals_must_be_lowercase(content):
    text = minimal_rubric_yaml().replace("signals: [data, alpha", "signals: [data, Alpha")
    err = broken(content, text)
    assert err.field == "dimensions[1].criteria[0].signals[1]"
    assert "lowercase" in str(err)


def test_yaml_syntax_error(content):
    text = minimal_rubric_yaml().replace("    title: Features", "    title: [Features")
    err = broken(content, text)
    assert "YAML syntax error" in str(err)
    assert err.line is not None and err.line >= line_number(text, "title: [Features")


def test_non_utf8_bytes(content):
    raw = minimal_rubric_yaml().encode().replace(b"Test rubric", b"Test \xe9 rubric")
    path = write_base(content, raw)
    with pytest.raises(DataFileError) as info:
        load_rubric(root=content)
    offset = raw.index(b"\xe9")
    assert f"byte offset {offset}" in str(info.value)
    assert str(path) in str(info.value)


def test_id_must_match_file_name(content):
    text = minimal_rubric_yaml().replace("id: base\n", "id: other\n", 1)
    err = broken(content, text)
    assert err.field == "id" and err.line == 1


def test_check_rubrics_collects_every_broken_file(content):
    write_base(content, minimal_rubric_yaml().replace("version: 1", "version: one"))
    (content / "rubrics" / "second.yaml").write_text(
        minimal_rubric_yaml().replace("id: base\n", "id: second\n", 1).replace("title: Test rubric", "title: [x"),
        encoding="utf-8",
    )
    errors = check_rubrics(content)
    assert sorted(Path(e.path).name for e in errors) == ["base.yaml", "second.yaml"]


def test_non_rubric_data_files_are_ignored(content):
    # rubrics/phases.yaml belongs to the evidence engine and is not a rubric
    (content / "rubrics" / "phases.yaml").write_text("phases: {}\n", encoding="utf-8")
    assert list_rubrics(content) == ["base"]
    assert check_rubrics(content) == []


def test_criterion_examples_name_criteria_that_exist(content):
    """rubrics/criterion_examples.yaml is no rubric; a key that is no criterion (renamed, mistyped) is an error
    naming the file, the key and its line, and a bad example is one too."""
    from mlsd.content.rubrics import load_rubric

    known = load_rubric("base", root=content).criteria()[0][1].id
    path = content / "rubrics" / "criterion_examples.yaml"
    path.write_text(f'{known}:\n  - "the task is the next purchase per user"\n', encoding="utf-8")
    assert list_rubrics(content) == ["base"] and check_rubrics(content) == []
    path.write_text(f'{known}:\n  - "fine example here"\nno_such_criterion:\n  - "another example"\n', encoding="utf-8")
    errors = check_rubrics(content)
    assert [(Path(e.path).name, e.line) for e in errors] == [("criterion_examples.yaml", 3)]
    assert "no_such_criterion" in str(errors[0])
    path.write_text(f'{known}:\n  - "ok"\n', encoding="utf-8")  # under three characters
    assert [Path(e.path).name for e in check_rubrics(content)] == ["criterion_examples.yaml"]


# --- overlays ---


FRAUD_OVERLAY = """\
id: fraud
extends: base
title: Fraud overlay
problems: [bank_fraud_detection]
add_criteria:
  data:
    - id: label_delay
      looks_for: Handles chargebacks that arrive weeks after the transaction.
      levels:
        0: Ignores label delay.
        1: Mentions chargebacks.
        2: States the delay and trains on matured data.
        3: Also uses fast analyst labels for recent data.
      evidence_examples:
        - "Chargebacks take up to ninety days."
        - "Recent weeks are not clean negatives."
      signals: [chargeback, label delay, matured, dispute, analyst]
  evaluation:
    - id: cost_thresholds
      looks_for: Chooses thresholds from error costs.
      levels:
        0: Uses 0.5.
        1: Mentions the tradeoff.
        2: Minimises expected cost.
        3: Uses several actions with capacity limits.
      evidence_examples:
        - "A missed fraud costs the full amount."
        - "Review capacity caps the review band."
      signals: [threshold, expected cost, false decline, review queue, step-up]
"""


def write_overlay(root: Path, text: str, name: str = "fraud") -> Path:
    path = root / "rubrics" / "overlays" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_overlay_merges_into_named_dimensions(content):
    write_overlay(content, FRAUD_OVERLAY)
    base = load_rubric(root=content)
    merged = load_rubric(problem_id="bank_fraud_detection", root=content)
    assert merged.applied_overlays == ["fraud"]
    assert [c.id for c in merged.dimension("data").criteria] == ["data_criterion", "label_delay"]
    assert [c.id for c in merged.dimension("evaluation").criteria] == ["evaluation_criterion", "cost_thresholds"]
    # other dimensions and the weights are untouched
    for before, after in zip(base.dimensions, merged.dimensions):
        assert before.weight == after.weight
        if before.id not in ("data", "evaluation"):
            assert before.criteria == after.criteria
    # unrelated problems get the plain base rubric
    assert load_rubric(problem_id="search_ranking", root=content).applied_overlays == []
    # the overlay id can be loaded directly and brings its base
    assert load_rubric("fraud", root=content).criterion("cost_thresholds").signals[0] == "threshold"


def test_overlay_unknown_dimension_is_an_error_naming_the_overlay(content):
    text = FRAUD_OVERLAY.replace("  evaluation:\n", "  evaluations:\n")
    path = write_overlay(content, text)
    with pytest.raises(DataFileError) as info:
        load_rubric(problem_id="bank_fraud_detection", root=content)
    err = info.value
    assert err.path == str(path)
    assert "unknown dimension 'evaluations'" in str(err)
    assert "did you mean evaluation" in str(err)
    assert err.line == line_number(text, "evaluations:")
    assert [Path(e.path).name for e in check_rubrics(content)] == ["fraud.yaml"]


def test_overlay_cannot_reuse_a_base_criterion_id(content):
    path = write_overlay(content, FRAUD_OVERLAY.replace("- id: label_delay", "- id: modeling_criterion"))
    errors = check_rubrics(content)
    assert len(errors) == 1 and errors[0].path == str(path)
    assert "already exists" in str(errors[0])
    assert errors[0].field == "add_criteria.data[0].id"


def test_overlay_levels_checked_against_base_max_level(content):
    text = FRAUD_OVERLAY.replace("        3: Also uses fast analyst labels for recent data.\n", "")
    path = write_overlay(content, text)
    errors = check_rubrics(content)
    assert len(errors) == 1 and errors[0].path == str(path)
    assert errors[0].field == "add_criteria.data[0].levels"
    assert "missing level(s) [3]" in str(errors[0])


def test_overlay_extending_unknown_base(content):
    write_overlay(content, FRAUD_OVERLAY.replace("extends: base", "extends: nope"))
    errors = check_rubrics(content)
    assert len(errors) == 1 and "unknown base rubric 'nope'" in str(errors[0])
    with pytest.raises(DataFileError, match="unknown base rubric"):
        load_rubric("fraud", root=content)


def test_unknown_rubric_id(content):
    write_overlay(content, FRAUD_OVERLAY)
    with pytest.raises(NotFoundError) as info:
        load_rubric("fraudd", root=content)
    assert "fraud" in str(info.value)


def test_rubric_ids_cannot_escape_the_rubrics_dir(content):
    with pytest.raises(NotFoundError):
        load_rubric("../rubrics/base", root=content)


def test_content_dir_env_var(content, monkeypatch):
    monkeypatch.setenv("MLSD_CONTENT_DIR", str(content))
    assert load_rubric().title == "Test rubric"


# --- the shipped rubrics ---


def test_shipped_rubrics_validate():
    assert check_rubrics() == []


def test_base_rubric_shape():
    rubric = load_rubric()
    assert len(rubric.dimensions) == 10
    assert {d.phase for d in rubric.dimensions if d.phase} == set(PHASE_IDS)
    assert {d.id for d in rubric.dimensions if d.phase is None} == {"communication", "tradeoffs"}
    assert sum(d.weight for d in rubric.dimensions) == pytest.approx(1.0)
    lightest_phase = min(d.weight for d in rubric.dimensions if d.phase)
    assert all(d.weight <= lightest_phase for d in rubric.dimensions if d.phase is None)
    for dimension in rubric.dimensions:
        assert 2 <= len(dimension.criteria) <= 4, dimension.id
        for criterion in dimension.criteria:
            assert sorted(criterion.levels) == [0, 1, 2, 3]
            # behaviour-anchored descriptors: every level says something different
            assert len(set(criterion.levels.values())) == 4


def test_hire_bands_follow_the_score():
    rubric = load_rubric()
    assert rubric.band_for(95) == "strong hire"
    assert rubric.band_for(80) == "strong hire"
    assert rubric.band_for(79.9) == "hire"
    assert rubric.band_for(0) == "no hire"


REQUIRED_OVERLAYS = {
    "bank_fraud_detection", "ecommerce_recommendations", "personalized_news_feed",
    "realtime_sentiment_analysis", "predictive_maintenance", "search_ranking", "ads_ctr_prediction",
}


def test_required_overlays_exist_and_apply_to_their_problem():
    assert REQUIRED_OVERLAYS <= set(list_overlays())
    for overlay_id in list_overlays():
        merged = load_rubric(problem_id=overlay_id)
        assert overlay_id in merged.applied_overlays
        assert sum(d.weight for d in merged.dimensions) == pytest.approx(1.0)


def test_fraud_overlay_covers_the_hard_parts_of_fraud():
    base = load_rubric()
    merged = load_rubric(problem_id="bank_fraud_detection")
    added = {
        c.id: d.id
        for d in merged.dimensions
        for c in d.criteria
        if c.id not in {bc.id for _, bc in base.criteria()}
    }
    assert added["extreme_class_imbalance"] == "modeling"
    assert added["fraud_label_delay"] == "data"
    assert added["realtime_scoring_budget"] == "serving"
    assert added["adversarial_drift"] == "monitoring"
    assert added["cost_sensitive_thresholds"] == "evaluation"
    signals = " ".join(merged.criterion("extreme_class_imbalance").signals)
    assert "downsampl" in signals and "class imbalance" in signals


def test_ecommerce_overlay_covers_two_stage_cold_start_and_position_bias():
    merged = load_rubric(problem_id="ecommerce_recommendations")
    ids = {c.id for _, c in merged.criteria()}
    assert {"candidate_generation_and_ranking", "cold_start_strategy", "position_and_exposure_bias"} <= ids


def test_study_links_point_at_existing_knowledge_notes():
    dangling = {
        (criterion.id, note)
        for rubric_id in list_rubrics()
        for _, criterion in load_rubric(rubric_id).criteria()
        for note in criterion.study
        if not (REPO / note).is_file()
    }
    assert dangling == set()


def test_shipped_base_breaks_precisely_when_copied_and_edited(tmp_path):
    # The real base.yaml, not just the toy one, gets correct line numbers.
    shutil.copytree(REPO / "rubrics", tmp_path / "rubrics")
    path = tmp_path / "rubrics" / "base.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    weight: 0.11\n    phase: data", "    weight: lots\n    phase: data")
    path.write_text(text, encoding="utf-8")
    errors = check_rubrics(tmp_path)
    assert len(errors) == 1
    assert errors[0].field == "dimensions[1].weight"
    assert errors[0].line == line_number(text, "weight: lots")
