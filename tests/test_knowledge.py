"""Knowledge notes: loading, chunking by heading, malformed notes named by file.

`write_knowledge` builds the small knowledge base the index and ask tests use too.
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest

from mlsd.core.errors import DataFileError
from mlsd.content.notes import chunk_note, knowledge_root, load_note, load_notes, split_long

NOTES: dict[str, str] = {
    "concepts/drift_detection.md": """\
        ---
        title: PSI for drift detection
        phases: [monitoring]
        tags: [drift, psi]
        ---
        # PSI for drift detection

        Drift detection compares production data with a reference window.

        ## What PSI measures

        The population stability index bins a feature on the reference window and sums
        (actual share minus expected share) times the log of their ratio over the bins. It tells you
        how far the distribution of a feature or of the model score has moved since training.

        ## PSI thresholds

        A PSI below 0.1 means no meaningful shift. Between 0.1 and 0.25 the shift is moderate and
        worth investigating. Above 0.25 the shift is significant and usually warrants retraining.

        ## How to bring it up in an interview

        Say that labels arrive late, so you compute PSI daily on the top features and on the score
        distribution, and alert when it stays above 0.2 for two consecutive days.
        """,
    "concepts/feature_store.md": """\
        ---
        title: Feature stores and point-in-time correctness
        phases: [features, serving]
        tags: [feature-store, point-in-time]
        ---
        # Feature stores and point-in-time correctness

        ## Offline and online stores

        A feature store keeps an offline store of historical feature values for training and an
        online key-value store with the latest values for low-latency serving. Both are fed by the
        same feature definitions, which removes training-serving skew.

        ## Point-in-time joins

        Training examples must only see feature values that existed at the label's timestamp. An
        as-of join picks, for each example, the latest feature value before that moment, which
        prevents leaking future information into training data.
        """,
    "concepts/two_tower.md": """\
        ---
        title: Two-tower retrieval models
        phases: [modeling]
        tags: [retrieval, embeddings]
        ---
        # Two-tower retrieval models

        ## How two towers retrieve candidates

        A user tower and an item tower each map their inputs to an embedding. Item embeddings are
        precomputed and stored in an approximate nearest neighbour index, so retrieval over millions
        of items is a fast dot-product search at request time.

        ## Limits of the dot product

        Because the towers only interact through a dot product, the model cannot learn crosses
        between user and item features. A heavier ranking model re-scores the retrieved candidates.
        """,
    "phases/serving.md": """\
        ---
        title: Serving architecture (phase guide)
        phases: [serving]
        tags: [phase-guide, latency]
        ---
        # Serving architecture (phase guide)

        ## Online versus batch prediction

        Batch prediction precomputes scores on a schedule and serves them from a cache, which is
        cheap but stale. Online prediction computes scores per request within a latency budget, which
        is needed when the input only exists at request time.

        ## Canary rollouts

        A canary release sends a small share of traffic, such as one percent, to the new model and
        compares its error rate and latency with the current model before a full rollout.
        """,
    "cases/fraud.md": """\
        ---
        title: Card fraud detection (case study)
        phases: [problem_definition, evaluation]
        tags: [fraud, imbalance]
        ---
        # Card fraud detection (case study)

        ## Framing fraud detection

        Fraud is rare, often below one transaction in a thousand, so accuracy is meaningless. The
        model scores each transaction and a threshold decides whether to block it, chosen from the
        cost of a missed fraud versus the cost of a declined legitimate purchase.

        ## Evaluating a fraud model

        Use precision and recall at the operating threshold and the area under the precision-recall
        curve, because ROC-AUC looks optimistic when positives are this rare.
        """,
}


def write_knowledge(content_dir: Path, notes: dict[str, str] | None = None) -> Path:
    """Write notes under content_dir/knowledge and return that knowledge folder."""
    root = content_dir / "knowledge"
    for relative, text in (notes or NOTES).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def knowledge(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MLSD_CONTENT_DIR", str(tmp_path / "content"))
    return write_knowledge(tmp_path / "content")


def test_knowledge_root_follows_content_dir(tmp_path, monkeypatch):
    assert knowledge_root().name == "knowledge" and (knowledge_root().parent / "src" / "mlsd").is_dir()
    monkeypatch.setenv("MLSD_CONTENT_DIR", str(tmp_path))
    assert knowledge_root() == tmp_path / "knowledge"


def test_notes_load_with_front_matter_and_repo_relative_paths(knowledge):
    notes = {n.path: n for n in load_notes()}
    assert sorted(notes) == sorted(f"knowledge/{p}" for p in NOTES)
    drift = notes["knowledge/concepts/drift_detection.md"]
    assert drift.title == "PSI for drift detection"
    assert drift.phases == ["monitoring"] and drift.tags == ["drift", "psi"]
    assert drift.sha256 == hashlib.sha256((knowledge / "concepts/drift_detection.md").read_bytes()).hexdigest()
    assert not drift.body.startswith("# "), "the title heading is metadata, not body text"


def test_one_chunk_per_section_with_intro_joined_and_title_in_embedded_text(knowledge):
    note = load_note(knowledge / "concepts/drift_detection.md")
    chunks = chunk_note(note)
    assert [c.heading for c in chunks] == ["What PSI measures", "PSI thresholds", "How to bring it up in an interview"]
    assert [c.id for c in chunks] == [f"knowledge/concepts/drift_detection.md#{i}" for i in range(3)]
    assert chunks[0].text.startswith("Drift detection compares production data")  # the intro joins chunk 0
    assert "population stability index" in chunks[0].text
    assert chunks[1].text.startswith("A PSI below 0.1")
    assert chunks[1].embed_text.startswith("PSI for drift detection — PSI thresholds: A PSI below 0.1")
    assert all(c.phases == ["monitoring"] and c.sha256 == note.sha256 for c in chunks)


def test_chunk_ids_are_stable_across_loads(knowledge):
    first = [c.id for c in chunk_note(load_note(knowledge / "cases/fraud.md"))]
    second = [c.id for c in chunk_note(load_note(knowledge / "cases/fraud.md"))]
    assert first == second == ["knowledge/cases/fraud.md#0", "knowledge/cases/fraud.md#1"]


def test_code_fences_and_subsections_do_not_start_chunks(tmp_path):
    root = write_knowledge(tmp_path, {"concepts/code.md": """\
        ---
        title: Code
        phases: [serving]
        tags: []
        ---
        # Code

        ## Example

        ```python
        ## not a heading
        x = 1
        ```

        ### A subsection

        Still the same section.
        """})
    chunks = chunk_note(load_note(root / "concepts/code.md", root))
    assert len(chunks) == 1
    assert "## not a heading" in chunks[0].text and "### A subsection" in chunks[0].text


def test_a_note_without_sections_is_one_chunk(tmp_path):
    root = write_knowledge(tmp_path, {"concepts/flat.md": "---\ntitle: Flat\nphases: []\n---\nJust one paragraph.\n"})
    (chunk,) = chunk_note(load_note(root / "concepts/flat.md", root))
    assert chunk.heading == "Flat" and chunk.text == "Just one paragraph."


def test_long_sections_split_at_paragraph_boundaries():
    paragraphs = [" ".join([f"p{i}w{j}" for j in range(120)]) for i in range(6)]
    pieces = split_long("\n\n".join(paragraphs), max_words=350)
    assert len(pieces) == 3
    assert all(len(p.split()) <= 350 for p in pieces)
    assert "\n\n".join(pieces) == "\n\n".join(paragraphs)  # nothing lost, nothing cut mid-paragraph


def test_long_section_chunks_keep_the_heading(tmp_path):
    long_text = "\n\n".join(" ".join(["word"] * 200) for _ in range(4))
    root = write_knowledge(tmp_path, {"concepts/long.md": f"---\ntitle: Long\nphases: [data]\n---\n## Big\n\n{long_text}\n"})
    chunks = chunk_note(load_note(root / "concepts/long.md", root))
    assert len(chunks) == 4 and {c.heading for c in chunks} == {"Big"}
    assert [c.index for c in chunks] == [0, 1, 2, 3]


@pytest.mark.parametrize("text, problem", [
    ("# No front matter\n\n## A\ntext\n", "front matter"),
    ("---\ntitle: [unclosed\n---\n## A\ntext\n", "YAML"),
    ("---\nphases: [data]\n---\n## A\ntext\n", "title"),
    ("---\ntitle: T\nphases: [deployment]\n---\n## A\ntext\n", "unknown phase"),
    ("---\ntitle: T\nphases: [data]\n---\n", "no text"),
])
def test_malformed_note_raises_data_file_error_naming_the_file(tmp_path, text, problem):
    root = write_knowledge(tmp_path, {"concepts/bad.md": text})
    with pytest.raises(DataFileError) as info:
        load_notes(root)
    assert "knowledge/concepts/bad.md" in str(info.value)
    assert problem.lower() in str(info.value).lower()


def test_collecting_errors_keeps_the_good_notes(knowledge):
    (knowledge / "concepts/bad.md").write_text("---\ntitle: [oops\n---\n", encoding="utf-8")
    errors: list[DataFileError] = []
    notes = load_notes(errors=errors)
    assert len(notes) == len(NOTES)
    assert [e.path for e in errors] == ["knowledge/concepts/bad.md"]


def test_repository_knowledge_notes_are_all_valid():
    errors: list[DataFileError] = []
    notes = load_notes(errors=errors)
    assert not errors, "\n".join(str(e) for e in errors)
    assert notes, "the repository ships knowledge notes"
    assert all(chunk_note(n) for n in notes)
