"""Which model embeds the knowledge index: the offline MiniLM, or an OpenAI-compatible endpoint.

Vectors from different models never share a collection: an endpoint gets a collection named from a
digest of its URL and model. Each collection carries its registered Chroma embedding function, so
Chroma never falls back to its default one (which downloads a model).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from mlsd.core.config import PLACEHOLDER_KEY, Settings
from mlsd.core.errors import ConfigError, LLMUnavailableError, MLSDError

COLLECTION = "mlsd_knowledge"


class IndexEmbedder:
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
            from mlsd.knowledge.embeddings import MiniLMChromaFunction, MiniLMEmbeddings

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
    return LLMUnavailableError(f"embedding with {where} failed: {type(exc).__name__}: {str(exc)[:300]}")


def _endpoint_function(base_url: str, model: str):
    """A registered Chroma embedding function for endpoint collections (config only, no secrets)."""
    from chromadb.utils.embedding_functions import known_embedding_functions, register_embedding_function

    from mlsd.knowledge.embeddings import CosineEmbeddingFunction

    class EndpointEmbeddingFunction(CosineEmbeddingFunction):
        def __init__(self, base_url: str, model: str):
            self.base_url, self.model = base_url, model

        def __call__(self, input):
            return IndexEmbedder(Settings(embeddings_base_url=self.base_url, embeddings_model=self.model)).documents(input)

        @staticmethod
        def name() -> str:
            return "mlsd-openai-compatible"

        @staticmethod
        def build_from_config(config: dict) -> "EndpointEmbeddingFunction":
            return EndpointEmbeddingFunction(config["base_url"], config["model"])

        def get_config(self) -> dict:
            return {"base_url": self.base_url, "model": self.model}

    if EndpointEmbeddingFunction.name() not in known_embedding_functions:
        register_embedding_function(EndpointEmbeddingFunction)
    return known_embedding_functions[EndpointEmbeddingFunction.name()](base_url, model)
