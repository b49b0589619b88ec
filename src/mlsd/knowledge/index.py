"""The knowledge index: note chunks in Chroma, built incrementally, searched with hybrid scoring.

Incremental builds: every chunk's metadata carries its note's sha256 and the index format (chunker
version and embedded words), so a build compares files on disk with what the collection holds and
embeds only added or changed notes; a format change re-embeds everything.

Ranking: Chroma returns the nearest chunks by cosine; that pool is re-ranked by
`relevance = cosine + COVERAGE_WEIGHT × coverage` (`mlsd.knowledge.lexical`). A BM25 term on top
changed nothing measurable on the labelled questions, so the ranking keeps the one lexical signal.
Only Chroma's POOL_SIZE nearest chunks are re-ranked: a chunk sharing words with the query but far
from it in meaning is not pulled in. `Hit.score` stays the plain cosine similarity.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from mlsd.content.notes import Chunk, Note, chunk_note, compose_chunk_text, index_format, knowledge_root, load_notes
from mlsd.core.config import Settings
from mlsd.core.errors import ConfigError, DataFileError, MLSDError
from mlsd.knowledge.embedders import IndexEmbedder
from mlsd.knowledge.lexical import LexicalStats, lexical_terms
from mlsd.knowledge.store import (chroma_client, chunk_metadata, client_key, is_missing, metadata_filter, split_flags,
                                  where_text)

EMBED_BATCH = 32  # progress granularity; MiniLM batches internally as well
UPSERT_BATCH = 256  # well under Chroma's max batch size

# Re-ranking: how many nearest chunks Chroma returns, and the weight of lexical coverage.
# Chosen on bench/data/concept_questions.yaml (hit@5 is flat for 0.3–0.5; 0.3 separates in-scope
# from out-of-scope questions with the widest margin).
POOL_SIZE = 60
COVERAGE_WEIGHT = 0.3

Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)


class Hit(BaseModel):
    id: str
    path: str
    heading: str
    title: str
    text: str
    score: float = Field(description="cosine similarity of query and chunk, higher is better")
    coverage: float = Field(0.0, description="share of the query's word weight (IDF) found in this chunk")
    relevance: float = Field(0.0, description="score + COVERAGE_WEIGHT * coverage; hits are sorted by it")
    phases: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class BuildReport(BaseModel):
    added_files: list[str] = Field(default_factory=list)
    updated_files: list[str] = Field(default_factory=list)
    removed_files: list[str] = Field(default_factory=list)
    unchanged_files: list[str] = Field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0
    errors: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        notes = len(self.added_files) + len(self.updated_files) + len(self.unchanged_files)
        line = (f"{notes} notes: {len(self.added_files)} added, {len(self.updated_files)} updated, "
                f"{len(self.removed_files)} removed, {len(self.unchanged_files)} unchanged; "
                f"{self.chunks_embedded} chunks embedded in {self.seconds:.2f} s")
        if self.errors:
            line += f"; {len(self.errors)} note(s) with errors"
        return line


class IndexPlan(BaseModel):
    """What a build would do: the diff between notes on disk and the collection."""

    added: list[Note] = Field(default_factory=list)
    updated: list[Note] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    indexed_chunks: int = 0

    @property
    def changed_files(self) -> int:
        return len(self.added) + len(self.updated) + len(self.removed)


# -- the index ----------------------------------------------------------------------------------
class KnowledgeIndex:
    """Chunks of the knowledge notes in one Chroma collection; see the module docstring."""

    def __init__(self, settings: Settings | None = None, *, root: Path | None = None):
        self.settings = settings or Settings()
        self.root = Path(root) if root is not None else knowledge_root()
        self._embedder: IndexEmbedder | None = None
        self._collection = None
        self._lexical: tuple[int, LexicalStats] | None = None
        self._lock = threading.RLock()
        # Counted so a cached status can tell it is out of date after a build from anywhere in the process.
        self.builds = 0
        self.last_build: BuildReport | None = None

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def embedder(self) -> IndexEmbedder:
        if self._embedder is None:
            self._embedder = IndexEmbedder(self.settings)
        return self._embedder

    @property
    def collection_name(self) -> str:
        return self.embedder.collection_name

    def collection(self, *, create: bool = True):
        """The Chroma collection, or None when it does not exist and `create` is False."""
        if self._collection is None:
            client = chroma_client(self.settings)
            kwargs = dict(name=self.collection_name, embedding_function=self.embedder.chroma_function)
            try:
                if create:
                    self._collection = client.get_or_create_collection(
                        **kwargs, configuration={"hnsw": {"space": "cosine"}})
                else:
                    self._collection = client.get_collection(**kwargs)
            except Exception as exc:
                if not create and is_missing(exc):
                    return None
                raise ConfigError(f"cannot open collection {self.collection_name} in "
                                  f"{where_text(self.settings)}: {str(exc)[:300]}") from exc
        return self._collection

    def _indexed_files(self, collection) -> tuple[dict[str, tuple[str, str]], int]:
        """{path: (sha256, index format)} of what the collection holds, and its chunk count."""
        got = collection.get(include=["metadatas"])
        files: dict[str, tuple[str, int]] = {}
        for meta in got["metadatas"] or []:
            path = meta.get("path")
            if path is None:
                continue
            stamp = (str(meta.get("sha256", "")), str(meta.get("format", "")))
            # A file whose chunks disagree (an interrupted build) must count as changed.
            files[path] = stamp if files.get(path, stamp) == stamp else ("", "")
        return files, len(got["ids"])

    # -- building ---------------------------------------------------------------------------------
    def plan(self, *, rebuild: bool = False, collection=None) -> IndexPlan:
        """Compare notes on disk with the collection without embedding anything."""
        errors: list[DataFileError] = []
        notes = load_notes(self.root, errors=errors)
        if not notes and not errors:
            # A wrong content folder must not read as "every note was deleted" and wipe the index.
            raise ConfigError(f"no knowledge notes under {self.root} (expected phases/, concepts/, cases/ "
                              "with *.md); set MLSD_CONTENT_DIR to the folder that contains knowledge/")
        collection = collection if collection is not None else self.collection(create=False)
        indexed, count = self._indexed_files(collection) if collection is not None and not rebuild else ({}, 0)
        plan = IndexPlan(errors=[str(e) for e in errors], indexed_chunks=count)
        on_disk = {n.path for n in notes}
        fmt = index_format()
        broken = {e.path for e in errors}
        for note in notes:
            stamp = indexed.get(note.path)
            if stamp is None:
                plan.added.append(note)
            elif stamp != (note.sha256, fmt):
                plan.updated.append(note)
            else:
                plan.unchanged.append(note.path)
        # A note that fails to parse keeps its last good chunks: a typo must not erase knowledge.
        plan.removed = sorted(p for p in indexed if p not in on_disk and p not in broken)
        return plan

    def build(self, rebuild: bool = False, progress: Progress | None = None) -> BuildReport:
        """Bring the collection in line with the notes; embed only added and changed notes."""
        started = time.perf_counter()
        with self._lock:
            if rebuild:
                self._drop_collection()
            collection = self.collection()
            plan = self.plan(rebuild=rebuild, collection=collection)
            chunks = [c for note in plan.added + plan.updated for c in chunk_note(note)]
            vectors = self._embed_chunks(chunks, progress)
            for path in [n.path for n in plan.updated] + plan.removed:
                collection.delete(where={"path": path})
            for start in range(0, len(chunks), UPSERT_BATCH):
                batch = chunks[start : start + UPSERT_BATCH]
                collection.upsert(ids=[c.id for c in batch], embeddings=vectors[start : start + UPSERT_BATCH],
                                  documents=[c.text for c in batch], metadatas=[chunk_metadata(c) for c in batch])
            if chunks or plan.removed:
                self._lexical = None
            self.last_build = BuildReport(
                added_files=[n.path for n in plan.added], updated_files=[n.path for n in plan.updated],
                removed_files=plan.removed, unchanged_files=plan.unchanged, chunks_embedded=len(chunks),
                seconds=round(time.perf_counter() - started, 3), errors=plan.errors)
            self.builds += 1
        return self.last_build

    def _embed_chunks(self, chunks: list[Chunk], progress: Progress | None) -> list[list[float]]:
        total = len(chunks)
        if progress:
            progress(0, total)
        if not chunks:
            return []
        # Similar lengths in one batch waste less compute on padding.
        order = sorted(range(total), key=lambda i: len(chunks[i].embed_text))
        vectors: list[list[float] | None] = [None] * total
        for start in range(0, total, EMBED_BATCH):
            batch = order[start : start + EMBED_BATCH]
            for i, vector in zip(batch, self.embedder.documents([chunks[i].embed_text for i in batch])):
                vectors[i] = list(vector)
            if progress:
                progress(min(start + EMBED_BATCH, total), total)
        return vectors  # type: ignore[return-value]

    def _drop_collection(self) -> None:
        client = chroma_client(self.settings)
        try:
            client.delete_collection(self.collection_name)
        except Exception as exc:
            if not is_missing(exc):
                raise
        self._collection = None
        self._lexical = None

    # -- searching --------------------------------------------------------------------------------
    def count(self) -> int:
        collection = self.collection(create=False)
        return collection.count() if collection is not None else 0

    def search(self, query: str, k: int = 5, phases: Sequence[str] | None = None,
               tags: Sequence[str] | None = None) -> list[Hit]:
        """The k best chunks for `query`, best first; `phases`/`tags` keep chunks having any of them."""
        query = query.strip()
        collection = self.collection(create=False)
        if not query or k <= 0 or collection is None:
            return []
        total = collection.count()
        if total == 0:
            return []
        vector = self.embedder.query(query)
        request = dict(query_embeddings=[vector], n_results=min(max(POOL_SIZE, k), total),
                       where=metadata_filter(phases, tags), include=["documents", "metadatas", "distances"])
        try:
            result = collection.query(**request)
        except Exception as exc:
            if not is_missing(exc):
                raise
            # Another process rebuilt (dropped and recreated) the collection: reopen it once.
            self._collection = None
            collection = self.collection(create=False)
            if collection is None:
                return []
            result = collection.query(**request)
        hits = [self._hit(id_, doc, meta, dist) for id_, doc, meta, dist in
                zip(result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0])]
        self._rerank(query, hits, collection, total)
        return hits[:k]

    def _hit(self, id_: str, document: str, meta: dict, distance: float) -> Hit:
        return Hit(id=id_, path=meta.get("path", ""), heading=meta.get("heading", ""), title=meta.get("title", ""),
                   text=document or "", score=round(1.0 - float(distance), 6),
                   phases=split_flags(meta.get("phases")), tags=split_flags(meta.get("tags")))

    def _rerank(self, query: str, hits: list[Hit], collection, total: int) -> None:
        stats = self._lexical_stats(collection, total)
        terms = lexical_terms(query)
        for hit in hits:
            hit.coverage = round(stats.coverage(terms, _lexical_text(hit)), 6)
            hit.relevance = round(hit.score + COVERAGE_WEIGHT * hit.coverage, 6)
        hits.sort(key=lambda h: (-h.relevance, h.id))

    def _lexical_stats(self, collection, total: int) -> LexicalStats:
        # Recomputed when the collection size changes (another process may have rebuilt it).
        if self._lexical is None or self._lexical[0] != total:
            got = collection.get(include=["documents", "metadatas"])
            docs = [compose_chunk_text(m.get("title", ""), m.get("heading", ""), d or "")
                    for d, m in zip(got["documents"], got["metadatas"])]
            sections = [(m.get("path", ""), m.get("title", ""), m.get("heading", "")) for m in got["metadatas"]]
            self._lexical = (total, LexicalStats(docs, sections))
        return self._lexical[1]

    def lexical_stats(self) -> LexicalStats | None:
        """Word rarity and shared headings over the indexed chunks (None before a build)."""
        collection = self.collection(create=False)
        total = collection.count() if collection is not None else 0
        return self._lexical_stats(collection, total) if total else None


def _lexical_text(hit: Hit) -> str:
    return compose_chunk_text(hit.title, hit.heading, hit.text)


# -- process-wide access ------------------------------------------------------------------------
_indexes: dict[tuple, KnowledgeIndex] = {}
_ensured: set[tuple] = set()
_indexes_lock = threading.Lock()


def index_key(settings: Settings) -> tuple:
    """Which index these settings mean: the store, the embedder and the notes folder."""
    return (client_key(settings), settings.embeddings_base_url, settings.embeddings_model, str(knowledge_root()))


def get_index(settings: Settings | None = None) -> KnowledgeIndex:
    """The KnowledgeIndex for these settings, shared by everything in this process."""
    settings = settings or Settings()
    key = index_key(settings)
    with _indexes_lock:
        index = _indexes.get(key)
        if index is None:
            index = _indexes[key] = KnowledgeIndex(settings)
        return index


def ensure_index(settings: Settings | None = None, progress: Progress | None = None) -> KnowledgeIndex:
    """The shared index, built (incrementally) the first time this process asks for it."""
    settings = settings or Settings()
    index = get_index(settings)
    key = index_key(settings)
    if key not in _ensured:
        index.build(progress=progress)
        _ensured.add(key)
    return index


@dataclass(frozen=True)
class IndexStatus:
    """What `mlsd config` and the sidebar say about the index."""

    state: Literal["not_built", "stale", "built", "unavailable"]
    chunks: int = 0
    notes: int = 0
    changed_files: int = 0
    note_errors: int = 0
    problem: str | None = None  # why it is unavailable

    @property
    def needs_build(self) -> bool:
        return self.state in ("not_built", "stale")

    @property
    def line(self) -> str:
        """One line: "built: N chunks from M notes", "not built", "stale: ...", "unavailable: ..."."""
        if self.state == "not_built":
            return "not built"
        if self.state == "unavailable":
            return f"unavailable: {self.problem}"
        if self.state == "stale":
            line = f"stale: {self.changed_files} files changed (run `mlsd index`); {self.chunks} chunks indexed"
        else:
            line = f"built: {self.chunks} chunks from {self.notes} notes"
        return line + (f"; {self.note_errors} note(s) with errors" if self.note_errors else "")


def index_status(settings: Settings | None = None) -> IndexStatus:
    settings = settings or Settings()
    if not settings.chroma_host and not settings.index_dir.exists():
        return IndexStatus("not_built")
    try:
        index = get_index(settings)
        collection = index.collection(create=False)
        if collection is None or collection.count() == 0:
            return IndexStatus("not_built")
        plan = index.plan(collection=collection)
    except MLSDError as exc:
        return IndexStatus("unavailable", problem=str(exc))
    except Exception as exc:  # status must never break `mlsd config`
        return IndexStatus("unavailable", problem=f"{type(exc).__name__}: {str(exc)[:200]}")
    return IndexStatus("stale" if plan.changed_files else "built", chunks=plan.indexed_chunks,
                       notes=len(plan.unchanged) + len(plan.updated), changed_files=plan.changed_files,
                       note_errors=len(plan.errors))
