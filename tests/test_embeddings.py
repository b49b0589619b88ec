"""The offline MiniLM embedder: shape, normalisation, meaning, and its Chroma/LangChain wrappers."""

from __future__ import annotations

import numpy as np

from mlsd.knowledge.embeddings import DIM, MiniLMChromaFunction, MiniLMEmbeddings, get_embedder


def test_vectors_have_the_model_dimension_and_unit_length():
    vectors = get_embedder().embed(["Feature stores serve features online.", "PSI measures drift.", ""])
    assert vectors.shape == (3, DIM) == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_no_texts_give_an_empty_matrix():
    assert get_embedder().embed([]).shape == (0, DIM)


def test_similar_sentences_are_closer_than_unrelated_ones():
    query, paraphrase, related, unrelated = get_embedder().embed([
        "How do I detect that my input data distribution has shifted?",
        "Monitoring for changes in the distribution of input features (data drift).",
        "Serving a model behind a load balancer with autoscaling.",
        "Knead the dough and let it rise for two hours before baking.",
    ])
    assert query @ paraphrase > query @ related > query @ unrelated


def test_a_text_embeds_the_same_alone_or_in_a_batch():
    embedder = get_embedder()
    alone = embedder.embed(["two-tower retrieval"])[0]
    batched = embedder.embed(["a much longer sentence that forces padding in the batch", "two-tower retrieval"])[1]
    assert np.allclose(alone, batched, atol=1e-5)


def test_chroma_and_langchain_wrappers_match_the_embedder():
    text = "Canary releases send a small share of traffic to the new model."
    expected = get_embedder().embed([text])[0]
    assert np.allclose(MiniLMChromaFunction()([text])[0], expected, atol=1e-6)
    assert np.allclose(MiniLMEmbeddings().embed_query(text), expected, atol=1e-6)
    assert np.allclose(MiniLMEmbeddings().embed_documents([text])[0], expected, atol=1e-6)
    assert MiniLMChromaFunction().default_space() == "cosine"
