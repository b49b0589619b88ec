"""The knowledge index: note chunks in Chroma, built incrementally, searched with hybrid scoring.

Storage is Chroma: `PersistentClient(settings.index_dir)`, or `HttpClient` when MLSD_CHROMA_HOST is
set. We embed ourselves (offline MiniLM, or an OpenAI-compatible endpoint when
MLSD_EMBEDDINGS_BASE_URL is set) and hand Chroma the vectors; the collection still carries our
embedding function so Chroma never falls back to its default one (which downloads a model).

Incremental builds: every chunk's metadata carries its note's sha256 and the index format (chunker
version and embedded words), so a build compares files on disk with what the collection holds and
embeds only added or changed notes; a format change re-embeds everything.

Filtering: each chunk stores boolean flags `phase_<id>` and `tag_<tag>` (plus comma-joined
`phases`/`tags` strings for display). Flags work with an exact `where` on every Chroma version
and server (list-valued metadata does not), and filtering inside Chroma means k filtered results
are really the k best of that phase, where post-filtering a larger k can come back short.

Ranking: Chroma returns the nearest chunks by cosine; we re-rank that pool by
`relevance = cosine + COVERAGE_WEIGHT × coverage`, where coverage is the IDF-weighted share of the
query's words found in the chunk (title, heading and full text). The embedding sees only the start
of a chunk (see knowledge.EMBED_MAX_WORDS) and misses rare exact terms ("PSI", "HNSW", "CUPED");
coverage catches them, and it is low for off-topic questions, whose key words (sourdough, visa)
appear nowhere, which is what lets `ask` refuse them. A BM25 (term-frequency) term on top changed
nothing measurable on the labelled questions, so the ranking keeps the one lexical signal. Only
Chroma's POOL_SIZE nearest chunks are re-ranked: a chunk sharing words with the query but far from
it in meaning is not pulled in. `Hit.score` stays the plain cosine similarity.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from .config import PLACEHOLDER_KEY, Settings
from .errors import ConfigError, DataFileError, MLSDError
from .knowledge import (Chunk, Note, chunk_note, compose_chunk_text, index_format, knowledge_root,
                        load_notes)

COLLECTION = "mlsd_knowledge"
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


# -- embeddings ---------------------------------------------------------------------------------
class _Embedder:
    """One embedding model for the index: LangChain `Embeddings` plus the Chroma function to attach."""

    def __init__(self, settings: Settings):
        if settings.embeddings_base_url:
            from langchain_openai import OpenAIEmbeddings

            model = settings.embeddings_model
            if not model:
                raise ConfigError("MLSD_EMBEDDINGS_BASE_URL is set but MLSD_EMBEDDINGS_MODEL is not: "
                                  "name the embedding model the endpoint serves")
            # check_embedding_ctx_length=False: otherwise LangChain counts tokens with tiktoken,
            # which downloads its encoding files.
            self.embeddings = OpenAIEmbeddings(model=model, base_url=settings.embeddings_base_url,
                                               api_key=settings.key_value() or PLACEHOLDER_KEY,
                                               check_embedding_ctx_length=False, timeout=settings.timeout,
                                               max_retries=settings.max_retries)
            digest = hashlib.sha256(f"{settings.embeddings_base_url}|{model}".encode()).hexdigest()[:12]
            # Vectors from different models must never share a collection.
            self.collection_name = f"{COLLECTION}_ext_{digest}"
            self.where = f"{model} at {settings.embeddings_base_url}"
            self.chroma_function = _endpoint_function(settings.embeddings_base_url, model)
        else:
            from .embeddings import MiniLMChromaFunction, MiniLMEmbeddings

            self.embeddings = MiniLMEmbeddings()
            self.collection_name = COLLECTION
            self.where = "offline MiniLM"
            self.chroma_function = MiniLMChromaFunction()

    def documents(self, texts: Sequence[str]) -> list[list[float]]:
        try:
            return self.embeddings.embed_documents(list(texts))
        except MLSDError:
            raise
        except Exception as exc:
            raise _embedding_error(self.where, exc) from exc

    def query(self, text: str) -> list[float]:
        try:
            return self.embeddings.embed_query(text)
        except MLSDError:
            raise
        except Exception as exc:
            raise _embedding_error(self.where, exc) from exc


def _embedding_error(where: str, exc: Exception) -> MLSDError:
    from .errors import LLMUnavailableError

    return LLMUnavailableError(f"embedding with {where} failed: {type(exc).__name__}: {str(exc)[:300]}")


def _endpoint_function(base_url: str, model: str):
    """A registered Chroma embedding function for endpoint collections (config only, no secrets)."""
    from chromadb.api.types import Documents, EmbeddingFunction
    from chromadb.utils.embedding_functions import known_embedding_functions, register_embedding_function

    class EndpointEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, base_url: str, model: str):
            self.base_url, self.model = base_url, model

        def __call__(self, input: Documents):
            return _Embedder(Settings(embeddings_base_url=self.base_url, embeddings_model=self.model)).documents(input)

        @staticmethod
        def name() -> str:
            return "mlsd-openai-compatible"

        def default_space(self):
            return "cosine"

        def supported_spaces(self):
            return ["cosine"]

        @staticmethod
        def build_from_config(config: dict) -> "EndpointEmbeddingFunction":
            return EndpointEmbeddingFunction(config["base_url"], config["model"])

        def get_config(self) -> dict:
            return {"base_url": self.base_url, "model": self.model}

    if EndpointEmbeddingFunction.name() not in known_embedding_functions:
        register_embedding_function(EndpointEmbeddingFunction)
    cls = known_embedding_functions[EndpointEmbeddingFunction.name()]
    return cls(base_url, model)


# -- Chroma clients: one per path or server per process -------------------------------------------
_clients: dict[tuple, Any] = {}
_clients_lock = threading.Lock()


def _client_key(settings: Settings) -> tuple:
    if settings.chroma_host:
        return ("http", settings.chroma_host, settings.chroma_port)
    return ("path", str(settings.index_dir.resolve()))


def chroma_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    key = _client_key(settings)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            chroma_settings = ChromaSettings(anonymized_telemetry=False)  # telemetry reaches the network
            if settings.chroma_host:
                try:
                    client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                                 settings=chroma_settings)
                except Exception as exc:
                    raise ConfigError(f"cannot reach Chroma at {settings.chroma_host}:{settings.chroma_port} "
                                      f"(MLSD_CHROMA_HOST/MLSD_CHROMA_PORT): {str(exc)[:200]}") from exc
            else:
                settings.index_dir.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
            _clients[key] = client
        return client


def _where_text(settings: Settings) -> str:
    if settings.chroma_host:
        return f"Chroma at {settings.chroma_host}:{settings.chroma_port}"
    return f"index at {settings.index_dir}"


# -- metadata -----------------------------------------------------------------------------------
def phase_flag(phase: str) -> str:
    return f"phase_{phase}"


def tag_flag(tag: str) -> str:
    return f"tag_{tag.strip().lower().replace(' ', '-')}"


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "path": chunk.path, "title": chunk.title, "heading": chunk.heading, "index": chunk.index,
        "sha256": chunk.sha256, "format": index_format(),
        "phases": ",".join(chunk.phases), "tags": ",".join(chunk.tags),
    }
    meta.update({phase_flag(p): True for p in chunk.phases})
    meta.update({tag_flag(t): True for t in chunk.tags})
    return meta


def metadata_filter(phases: Sequence[str] | None, tags: Sequence[str] | None) -> dict | None:
    """Chroma `where`: any of the phases AND any of the tags."""
    clauses = []
    for flags in ([phase_flag(p) for p in phases or []], [tag_flag(t) for t in tags or []]):
        if len(flags) == 1:
            clauses.append({flags[0]: True})
        elif flags:
            clauses.append({"$or": [{f: True} for f in flags]})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _split(value: Any) -> list[str]:
    return [v for v in str(value or "").split(",") if v]


# -- lexical signal -----------------------------------------------------------------------------
# Common English words carry no topic; without them the lexical signal (and the query coverage
# used for the in-scope decision) weighs only content words like "drift", "psi", "sourdough".
_STOPWORDS = frozenset("""
a about above actually after again against all almost also always am an and any anyone anything are
around as at be because been before being below best better between both but by can cannot could did
do does doing done down during each either else enough even ever every everyone everything few for
from further get gets getting give go goes going good got had has have having he her here hers him his
how however i if in instead into is it its itself just kind know like lot lots make many may me might
more most much must my myself need needs no nor not now of off often ok okay on once one only or other
our out over own per please possible probably quite rather really right same say see should so some
someone something sometimes still such sure take than that the their them then there these they thing
things think this those through thus to too try under until up us use used uses using usually very
want was way we well were what whats when where whether which while who whom whose why will with
within without would yes yet you your yours
""".split())
_TOKEN = re.compile(r"[a-z0-9]+")


def lexical_terms(text: str) -> list[str]:
    """Lower-case word stems without stopwords ("features" and "feature" match)."""
    terms = []
    for word in _TOKEN.findall(text.lower()):
        if word in _STOPWORDS or (len(word) == 1 and not word.isdigit()):
            continue
        terms.append(_singular(word))
    return terms


def _singular(word: str) -> str:
    """A crude plural strip, enough to match "features"/"feature", "queries"/"query", "indexes"/"index"."""
    if len(word) <= 4 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


class LexicalStats:
    """Document frequencies over all chunks: how rare, and so how telling, each word is."""

    def __init__(self, documents: Sequence[str]):
        self.n = len(documents)
        self.df: Counter[str] = Counter()
        for doc in documents:
            self.df.update(set(lexical_terms(doc)))

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def coverage(self, query_terms: Sequence[str], document: str) -> float:
        """IDF-weighted share of query terms present: near 0 when the question's key words
        (sourdough, visa, wicket) appear nowhere in the chunk."""
        wanted = set(query_terms)
        total = sum(self.idf(t) for t in wanted)
        if total <= 0:
            return 0.0
        present = set(lexical_terms(document))
        return sum(self.idf(t) for t in wanted if t in present) / total


# -- the index ----------------------------------------------------------------------------------
class KnowledgeIndex:
    """Chunks of the knowledge notes in one Chroma collection; see the module docstring."""

    def __init__(self, settings: Settings | None = None, *, root: Path | None = None):
        self.settings = settings or Settings()
        self.root = Path(root) if root is not None else knowledge_root()
        self._embedder: _Embedder | None = None
        self._collection = None
        self._lexical: tuple[int, LexicalStats] | None = None
        self._lock = threading.RLock()

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def embedder(self) -> _Embedder:
        if self._embedder is None:
            self._embedder = _Embedder(self.settings)
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
                if not create and _is_missing(exc):
                    return None
                raise ConfigError(f"cannot open collection {self.collection_name} in "
                                  f"{_where_text(self.settings)}: {str(exc)[:300]}") from exc
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
        return BuildReport(added_files=[n.path for n in plan.added], updated_files=[n.path for n in plan.updated],
                           removed_files=plan.removed, unchanged_files=plan.unchanged,
                           chunks_embedded=len(chunks), seconds=round(time.perf_counter() - started, 3),
                           errors=plan.errors)

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
            if not _is_missing(exc):
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
            if not _is_missing(exc):
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
                   phases=_split(meta.get("phases")), tags=_split(meta.get("tags")))

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
            self._lexical = (total, LexicalStats(docs))
        return self._lexical[1]


def _lexical_text(hit: Hit) -> str:
    return compose_chunk_text(hit.title, hit.heading, hit.text)


def _is_missing(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "notfound" in text or "does not exist" in text or "not found" in text


# -- process-wide access ------------------------------------------------------------------------
_indexes: dict[tuple, KnowledgeIndex] = {}
_ensured: set[tuple] = set()
_indexes_lock = threading.Lock()


def _index_key(settings: Settings) -> tuple:
    return (_client_key(settings), settings.embeddings_base_url, settings.embeddings_model, str(knowledge_root()))


def get_index(settings: Settings | None = None) -> KnowledgeIndex:
    """The KnowledgeIndex for these settings, shared by everything in this process."""
    settings = settings or Settings()
    key = _index_key(settings)
    with _indexes_lock:
        index = _indexes.get(key)
        if index is None:
            index = _indexes[key] = KnowledgeIndex(settings)
        return index


def ensure_index(settings: Settings | None = None, progress: Progress | None = None) -> KnowledgeIndex:
    """The shared index, built (incrementally) the first time this process asks for it."""
    settings = settings or Settings()
    index = get_index(settings)
    key = _index_key(settings)
    if key not in _ensured:
        index.build(progress=progress)
        _ensured.add(key)
    return index


def index_status(settings: Settings | None = None) -> str:
    """One line for `mlsd config`: "built: N chunks from M notes", "not built", "stale: ..."."""
    settings = settings or Settings()
    if not settings.chroma_host and not settings.index_dir.exists():
        return "not built"
    try:
        index = get_index(settings)
        collection = index.collection(create=False)
        if collection is None or collection.count() == 0:
            return "not built"
        plan = index.plan(collection=collection)
    except MLSDError as exc:
        return f"unavailable: {exc}"
    except Exception as exc:  # status must never break `mlsd config`
        return f"unavailable: {type(exc).__name__}: {str(exc)[:200]}"
    notes = len(plan.unchanged) + len(plan.updated)
    if plan.changed_files:
        status = f"stale: {plan.changed_files} files changed (run `mlsd index`); {plan.indexed_chunks} chunks indexed"
    else:
        status = f"built: {plan.indexed_chunks} chunks from {notes} notes"
    if plan.errors:
        status += f"; {len(plan.errors)} note(s) with errors"
    return status
