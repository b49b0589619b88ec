"""The knowledge index over a real Chroma and real embeddings: incremental builds, search, filters."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from mlsd.core.config import Settings
from mlsd.knowledge.embeddings import get_embedder
from mlsd.core.errors import ConfigError
from mlsd.knowledge.embedders import COLLECTION
from mlsd.knowledge.index import KnowledgeIndex, ensure_index, get_index, index_status
from mlsd.knowledge.store import chroma_client
from mlsd.content.notes import chunk_note, load_notes
from test_knowledge import NOTES, knowledge, write_knowledge  # noqa: F401  (fixture)

FS = "knowledge/concepts/feature_store.md"
DRIFT = "knowledge/concepts/drift_detection.md"


def total_chunks() -> int:
    return sum(len(chunk_note(n)) for n in load_notes())


def spy_on_embedding(index: KnowledgeIndex) -> list[str]:
    """Record every text the index sends to the embedding model."""
    seen: list[str] = []
    real = index.embedder.documents

    def documents(texts):
        seen.extend(texts)
        return real(texts)

    index.embedder.documents = documents
    return seen


def indexed_ids(index: KnowledgeIndex, path: str) -> list[str]:
    return sorted(index.collection().get(where={"path": path})["ids"])


def test_second_build_embeds_nothing_and_is_fast(knowledge):
    index = KnowledgeIndex(Settings())
    first = index.build()
    assert sorted(first.added_files) == sorted(f"knowledge/{p}" for p in NOTES)
    assert first.chunks_embedded == total_chunks() == index.count()

    fresh = KnowledgeIndex(Settings())  # a new object, as in a new process
    embedded = spy_on_embedding(fresh)
    started = time.perf_counter()
    second = fresh.build()
    assert time.perf_counter() - started <= 1.0
    assert second.chunks_embedded == 0 and embedded == []
    assert second.added_files == second.updated_files == second.removed_files == []
    assert len(second.unchanged_files) == len(NOTES)


def test_changed_note_reembeds_only_its_chunks(knowledge):
    index = KnowledgeIndex(Settings())
    index.build()
    note = knowledge / "concepts/feature_store.md"
    note.write_text(note.read_text() + "\n## Freshness\n\nStreaming features are updated within seconds of an event.\n")
    embedded = spy_on_embedding(index)
    report = index.build()
    assert report.updated_files == [FS] and report.added_files == [] and report.removed_files == []
    assert report.chunks_embedded == 3 == len(embedded)
    assert all(text.startswith("Feature stores and point-in-time correctness") for text in embedded)
    assert indexed_ids(index, FS) == [f"{FS}#{i}" for i in range(3)]
    assert index.search("how quickly are streaming features updated", k=1)[0].heading == "Freshness"


def test_removed_section_leaves_no_orphan_chunks(knowledge):
    index = KnowledgeIndex(Settings())
    index.build()
    note = knowledge / "concepts/drift_detection.md"
    text = note.read_text()
    note.write_text(text[: text.index("## How to bring it up")])
    report = index.build()
    assert report.updated_files == [DRIFT] and report.chunks_embedded == 2
    assert indexed_ids(index, DRIFT) == [f"{DRIFT}#0", f"{DRIFT}#1"]


def test_deleted_note_chunks_are_removed(knowledge):
    index = KnowledgeIndex(Settings())
    index.build()
    (knowledge / "concepts/feature_store.md").unlink()
    report = index.build()
    assert report.removed_files == [FS] and report.chunks_embedded == 0
    assert indexed_ids(index, FS) == []
    assert all(hit.path != FS for hit in index.search("point-in-time as-of join for training data", k=10))


def test_rebuild_reembeds_every_chunk(knowledge):
    index = KnowledgeIndex(Settings())
    index.build()
    report = index.build(rebuild=True)
    assert report.chunks_embedded == total_chunks() == index.count()
    assert len(report.added_files) == len(NOTES)


def test_progress_reports_every_chunk(knowledge):
    calls: list[tuple[int, int]] = []
    KnowledgeIndex(Settings()).build(progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, total_chunks()) and calls[-1] == (total_chunks(), total_chunks())


def test_search_ranks_the_relevant_note_first_with_cosine_scores(knowledge):
    index = KnowledgeIndex(Settings())
    index.build()
    hits = index.search("How should I choose the threshold for blocking fraudulent transactions?", k=4)
    assert hits[0].path == "knowledge/cases/fraud.md"
    assert hits[0].title == "Card fraud detection (case study)" and hits[0].heading == "Framing fraud detection"
    assert [h.relevance for h in hits] == sorted((h.relevance for h in hits), reverse=True)
    # score is the cosine similarity between the query and the embedded chunk text
    top_chunk = next(c for n in load_notes() for c in chunk_note(n) if c.id == hits[0].id)
    query_vec, chunk_vec = get_embedder().embed([
        "How should I choose the threshold for blocking fraudulent transactions?", top_chunk.embed_text])
    assert hits[0].score == pytest.approx(float(query_vec @ chunk_vec), abs=1e-3)


def test_phase_filter_returns_only_that_phase(knowledge):
    index = KnowledgeIndex(Settings())
    index.build()
    query = "How does a fraud model decide to block a transaction?"
    assert index.search(query, k=1)[0].phases != ["serving"]
    serving = index.search(query, k=10, phases=["serving"])
    assert serving and all("serving" in h.phases for h in serving)
    assert {h.path for h in serving} == {"knowledge/phases/serving.md", FS}
    either = index.search(query, k=10, phases=["modeling", "monitoring"])
    assert {h.path for h in either} == {"knowledge/concepts/two_tower.md", DRIFT}


def test_tag_filter_and_combined_filters(knowledge):
    index = KnowledgeIndex(Settings())
    index.build()
    assert {h.path for h in index.search("latency", k=10, tags=["psi"])} == {DRIFT}
    both = index.search("latency", k=10, phases=["serving"], tags=["feature-store"])
    assert {h.path for h in both} == {FS}
    assert index.search("latency", k=10, phases=["data"]) == []


def test_malformed_note_is_reported_and_the_rest_indexed(knowledge):
    index = KnowledgeIndex(Settings())
    index.build()
    before = indexed_ids(index, FS)
    (knowledge / "concepts/feature_store.md").write_text("---\ntitle: [broken\n---\n## A\ntext\n")
    (knowledge / "concepts/new.md").write_text("---\ntitle: New note\nphases: [data]\n---\n## Labels\n\nLabel noise.\n")
    report = index.build()
    assert len(report.errors) == 1 and FS in report.errors[0]
    assert report.added_files == ["knowledge/concepts/new.md"]
    assert report.removed_files == []
    assert indexed_ids(index, FS) == before, "a typo must not erase the last good version"


def test_index_status_tracks_the_notes(knowledge):
    settings = Settings()
    assert index_status(settings).line == "not built"
    index = get_index(settings)
    index.build()
    assert index_status(settings).line == f"built: {total_chunks()} chunks from {len(NOTES)} notes"
    (knowledge / "concepts/two_tower.md").unlink()
    assert index_status(settings).line.startswith("stale: 1 files changed")


def test_index_is_shared_per_settings_and_ensure_builds_once(knowledge, tmp_path):
    settings = Settings()
    assert get_index(settings) is get_index(Settings())
    assert get_index(Settings(home=tmp_path / "other")) is not get_index(settings)
    index = ensure_index(settings)
    assert index.count() == total_chunks()
    embedded = spy_on_embedding(index)
    (knowledge / "concepts/two_tower.md").unlink()
    assert ensure_index(settings) is index and embedded == []  # already ensured in this process


def test_unreachable_chroma_server_is_a_config_error(knowledge):
    with pytest.raises(ConfigError, match=r"127\.0\.0\.1:9.*MLSD_CHROMA_HOST"):
        chroma_client(Settings(chroma_host="127.0.0.1", chroma_port=9))


# -- an OpenAI-compatible embeddings endpoint ---------------------------------------------------
def bag_of_words_vector(text: str, dim: int = 64) -> list[float]:
    vector = np.zeros(dim, dtype=np.float32)
    for word in re.findall(r"[a-z]+", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % dim] += 1
    return (vector / (np.linalg.norm(vector) or 1)).tolist()


@pytest.fixture
def embeddings_server():
    requests: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append({"path": self.path, **body})
            data = []
            for i, text in enumerate(body["input"]):
                vector = bag_of_words_vector(text)
                if body.get("encoding_format") == "base64":
                    vector = base64.b64encode(np.asarray(vector, dtype=np.float32).tobytes()).decode()
                data.append({"object": "embedding", "index": i, "embedding": vector})
            payload = json.dumps({"object": "list", "data": data, "model": body["model"],
                                  "usage": {"prompt_tokens": 0, "total_tokens": 0}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", requests
    server.shutdown()


def test_embeddings_endpoint_uses_its_own_collection(knowledge, embeddings_server):
    base_url, requests = embeddings_server
    settings = Settings(embeddings_base_url=base_url, embeddings_model="bag-of-words")
    index = KnowledgeIndex(settings)
    report = index.build()
    assert report.chunks_embedded == total_chunks()
    assert requests and all(r["path"] == "/v1/embeddings" and r["model"] == "bag-of-words" for r in requests)
    assert all(isinstance(text, str) for r in requests for text in r["input"]), "raw text, not tiktoken ids"
    assert index.collection_name != COLLECTION
    hits = index.search("population stability index thresholds", k=1)
    assert hits[0].path == DRIFT
    # the offline MiniLM collection is separate and untouched
    names = [c.name if hasattr(c, "name") else c for c in chroma_client(settings).list_collections()]
    assert COLLECTION not in names


def test_an_empty_knowledge_folder_is_an_error_not_a_wipe(knowledge, tmp_path, monkeypatch):
    index = KnowledgeIndex(Settings())
    index.build()
    before = index.count()
    monkeypatch.setenv("MLSD_CONTENT_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="no knowledge notes under .*nowhere.*MLSD_CONTENT_DIR"):
        KnowledgeIndex(Settings()).build()
    assert index.count() == before
