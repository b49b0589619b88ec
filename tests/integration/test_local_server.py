from typing import Literal

import pytest
from pydantic import BaseModel, Field

from mlsd.core.config import Settings
from mlsd.llm import Message, get_llm
from mlsd.llm.local import ensure_local_server

pytestmark = pytest.mark.integration


class PhaseNote(BaseModel):
    phase: Literal["data", "modeling", "serving", "monitoring"]
    note: str = Field(max_length=60)


class Labels(BaseModel):
    summary: str = Field(max_length=80)
    notes: list[PhaseNote] = Field(max_length=3)
    level: int = Field(ge=0, le=3)


def test_plain_chat_returns_text(local_llm):
    text = local_llm.chat([("user", "Name one metric for a classifier.")], max_tokens=24)
    assert isinstance(text, str) and text.strip()


def test_streaming_yields_several_chunks(local_llm):
    chunks = list(local_llm.stream([("user", "Count from one to ten in words.")], max_tokens=32))
    assert len(chunks) >= 2
    assert "".join(chunks).strip()


def test_max_tokens_is_honoured(local_llm):
    reply = local_llm.model.complete([Message("user", "Write a long essay about databases.")], max_tokens=8)
    assert reply.finish_reason == "length"
    assert 0 < len(reply.text.split()) <= 8


def test_structured_output_is_schema_valid_in_at_least_95_percent_of_20_calls(local_llm):
    valid = 0
    for i in range(20):
        try:
            out = local_llm.structured(
                [("system", "You label parts of ML system design answers."),
                 ("user", f"Answer {i}: we log clicks to Kafka, train a two-tower model, serve from Redis.")],
                Labels)
        except Exception:  # counted as a failure; the typed error is covered in unit tests
            continue
        assert isinstance(out, Labels)
        valid += 1
    assert valid >= 19, f"only {valid}/20 structured calls validated"


def test_one_server_per_process_is_reused(local_settings, local_llm):
    first = ensure_local_server(local_settings)
    again = get_llm(Settings(llm="local", home=local_settings.home))
    assert again.model.base_url == first
    assert ensure_local_server(local_settings) == first


def test_exchanges_through_the_local_server_are_logged(local_settings, local_llm):
    from mlsd.storage import open_database

    local_llm.chat([("user", "Say OK.")], max_tokens=4)
    rows = open_database(local_settings.db_path).all("SELECT backend, kind FROM exchanges WHERE backend='local'")
    assert rows and {r["kind"] for r in rows} >= {"chat"}
