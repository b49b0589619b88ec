"""Our content's vectors (rubric prototypes, example questions, intent prototypes) are embedded once and
kept under MLSD_HOME: a new process reads them instead of spending seconds embedding them again."""

import numpy as np

from mlsd.knowledge.content_vectors import FILE_NAME, content_vectors
from mlsd.knowledge.embeddings import get_embedder


def _as_new_process(monkeypatch):
    """A fresh in-memory cache, as a new `mlsd grade` has, with the model's own work counted."""
    embedder = get_embedder()
    embedder.cache_clear()
    monkeypatch.setattr(embedder, "embedded", 0)
    return embedder


def test_content_is_embedded_once_across_processes_and_an_edit_is_embedded_afresh(tmp_path, monkeypatch):
    texts = ["Chargebacks confirm fraud within ninety days.", "Scores go to a rules engine that declines."]
    embedder = _as_new_process(monkeypatch)
    first = content_vectors(texts, home=tmp_path)
    assert embedder.embedded == 2 and (tmp_path / FILE_NAME).is_file()

    embedder = _as_new_process(monkeypatch)
    again = content_vectors(texts, home=tmp_path)
    assert embedder.embedded == 0 and np.allclose(first, again)
    assert np.allclose(again, embedder.embed(texts))  # and this process knows them now

    embedder = _as_new_process(monkeypatch)
    edited = [texts[0], "Scores go to a rules engine that holds the payment."]
    content_vectors(edited, home=tmp_path)
    assert embedder.embedded == 1  # only the edited text

    embedder = _as_new_process(monkeypatch)
    content_vectors(texts + edited, home=tmp_path)
    assert embedder.embedded == 0  # the file keeps both versions


def test_an_unreadable_file_is_embedded_again_and_rewritten(tmp_path, monkeypatch):
    (tmp_path / FILE_NAME).write_bytes(b"not a numpy file")
    embedder = _as_new_process(monkeypatch)
    vectors = content_vectors(["Retrain weekly on the newest labels."], home=tmp_path)
    assert embedder.embedded == 1 and vectors.shape == (1, 384)
    embedder = _as_new_process(monkeypatch)
    content_vectors(["Retrain weekly on the newest labels."], home=tmp_path)
    assert embedder.embedded == 0


def test_the_grader_reads_its_prototypes_from_the_disk_in_a_new_process(monkeypatch):
    from mlsd.content.rubrics import load_rubric
    from mlsd.evidence.criteria import CriterionMatcher

    _as_new_process(monkeypatch)
    CriterionMatcher(load_rubric(), 0.4)  # MLSD_HOME is this test's own (conftest)
    embedder = _as_new_process(monkeypatch)
    matcher = CriterionMatcher(load_rubric(), 0.4)
    assert embedder.embedded == 0 and matcher.prototypes.shape[0] > 200



def test_a_home_that_cannot_be_written_still_gives_the_vectors_and_leaves_no_temp_file(tmp_path, monkeypatch):
    import mlsd.knowledge.content_vectors as module

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module.np, "savez", disk_full)
    embedder = _as_new_process(monkeypatch)
    vectors = content_vectors(["Canary one percent of traffic first."], home=tmp_path)
    assert vectors.shape == (1, 384) and embedder.embedded == 1
    assert list(tmp_path.iterdir()) == []
