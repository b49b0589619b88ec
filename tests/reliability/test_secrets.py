"""The API key never leaves the process: not in logs, stderr, the database, exports or error messages.

The loopback server is hostile: it echoes the Authorization header back in 401/500 bodies, in
replies (JSON and streamed) and in grader rationales. We run chat, structured, an interview, a
grade and the exports through it, with every logger at DEBUG, then search everything for the key.
Two keys: an OpenAI-shaped one (caught by shape as well) and a shapeless one (caught only by the
exact-value scrubbing), configured through MLSD_API_KEY as a user would.
"""

from __future__ import annotations

import json
import logging
import re

import pytest

from mlsd.core.config import Settings
from mlsd.core.errors import MLSDError
from mlsd.grading.grader import grade
from mlsd.interview.interviewer import Interviewer
from mlsd.llm import get_llm
from mlsd.interview.sessions import store_for

from . import fake_openai as fo
from .helpers import FIGURES, load_transcript

KEYS = ["sk-test-4f9c2a7e1b8d6053aa17c9e2", "mlsdsecret7f3a9c1e5b2d8046"]


def key_of(req: fo.Request) -> str:
    return req.headers.get("authorization", "").removeprefix("Bearer ")


def echo_key(h, req):
    """Every way a server could hand the key back."""
    key = key_of(req)
    prompt = req.prompt
    if "401 please" in prompt:
        return fo.status(401, {"error": {"message": f"Incorrect API key provided: {key}", "type": "invalid_request_error",
                                         "code": "invalid_api_key"}})(h, req)
    if "500 please" in prompt:
        return fo.status(500, {"error": {"message": f"upstream failed for Bearer {key}"}})(h, req)
    if "400 please" in prompt:
        return fo.status(400, {"error": {"message": f"bad request from key {key}"}})(h, req)
    if req.response_format == "json_schema":
        schema = req.body["response_format"]["json_schema"]["schema"]
        if "criteria" in schema.get("properties", {}):
            ids = schema["$defs"][next(iter(schema["$defs"]))]["properties"]["criterion"]["enum"]
            body = {"criteria": [{"criterion": c, "evidence": [], "rationale": f"key {key}", "level": 0} for c in ids]}
        else:
            body = {"label": key[:20], "level": 1}
        return fo.reply(json.dumps(body))(h, req)
    return fo.reply(f"Your key is {key}. What would you predict?")(h, req)


def stored_rows(db) -> list[str]:
    """Every row of every table, as text."""
    if db.dialect == "sqlite":
        tables = [r["name"] for r in db.all("SELECT name FROM sqlite_master WHERE type='table'")]
    else:
        tables = [r["tablename"] for r in db.all("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    assert {"exchanges", "sessions", "turns"} <= set(tables)
    return [json.dumps(row, default=str) for table in tables for row in db.all(f"SELECT * FROM {table}")]


def raw_bytes(settings, postgres) -> bytes:
    """The database's files as they are on disk: SQLite with its WAL, or PostgreSQL's data folder after a checkpoint."""
    if postgres is None:
        return b"".join(p.read_bytes() for p in settings.db_path.parent.glob("mlsd.db*"))
    postgres.psql("CHECKPOINT")
    return b"".join(p.read_bytes() for p in postgres.data.rglob("*") if p.is_file())


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.parametrize("key", KEYS)
def test_key_appears_nowhere(key, database, fake_server, tmp_path, monkeypatch, caplog, capfd, memo_scoring,
                             request):
    postgres = request.getfixturevalue("postgres_server") if database == "postgresql" else None
    if postgres:
        monkeypatch.setenv("MLSD_DATABASE_URL", request.getfixturevalue("postgres_url"))
    from pydantic import BaseModel

    class Verdict(BaseModel):
        label: str
        level: int

    server = fake_server(default=echo_key)
    monkeypatch.setenv("MLSD_API_KEY", key)
    monkeypatch.setenv("MLSD_LLM", "openai")
    monkeypatch.setenv("MLSD_BASE_URL", server.base_url)
    monkeypatch.setenv("MLSD_MODEL", "m")
    monkeypatch.setenv("MLSD_MAX_RETRIES", "0")
    monkeypatch.setenv("MLSD_TIMEOUT", "2")
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx", "httpcore", "langchain", "langchain_openai", "mlsd"):
        logging.getLogger(name).setLevel(logging.DEBUG)

    settings = Settings()
    assert settings.key_value() == key
    llm = get_llm(settings)
    seen: list[str] = [repr(settings), str(settings.model_dump())]
    errors: list[BaseException] = []

    seen.append(llm.chat([("user", "hello")]))
    seen.append("".join(llm.stream([("user", "hello")])))
    seen.append(llm.structured([("user", "classify")], Verdict).model_dump_json())
    for prompt in ("401 please", "500 please", "400 please"):
        for attempt in (lambda: llm.chat([("user", prompt)]), lambda: list(llm.stream([("user", prompt)])),
                        lambda: llm.structured([("user", prompt)], Verdict)):
            with pytest.raises(MLSDError) as info:
                attempt()
            errors.append(info.value)

    store = store_for(settings)
    iv = Interviewer.start(store, problem_id="bank_fraud_detection", llm=llm)
    seen.append(iv.respond("I'd predict fraud per authorization with gradient boosted trees.").message)
    seen.append(iv.respond(f"Here is my key by mistake: {key}. Labels come from chargebacks.").message)
    t = load_transcript("bank_fraud_detection_handwavy")
    report = grade(t, llm=llm)
    store.end(iv.session_id, report.model_dump())
    seen += [report.model_dump_json(), report.to_markdown(), store.export_json(iv.session_id),
             store.export_markdown(iv.session_id)]
    seen += [str(e) for e in errors] + [repr(e) for e in errors]
    seen += [getattr(e, "last_raw", None) or "" for e in errors]
    seen += stored_rows(store.db)
    assert any(key_of(r) for r in server.chat_requests) and store.db.scalar("SELECT count(*) AS n FROM exchanges")
    raw_db = raw_bytes(settings, postgres)
    assert len(raw_db) > 10_000  # the files were found and read

    out, err = capfd.readouterr()
    seen += [out, err, caplog.text] + [r.getMessage() for r in caplog.records]
    assert any(key_of(r) == key for r in server.chat_requests), "the key was sent to the server (as it must be)"
    # "401" as a word: the fake server's random port can contain those digits ("127.0.0.1:40179")
    assert sum(bool(re.search(r"\b401\b", str(e))) or "rejected the API key" in str(e) for e in errors) == 3
    leaks = [s[max(0, s.find(key) - 150):s.find(key) + 40] for s in seen if key in s]
    FIGURES["places searched for the API key"] += len(seen) + 1
    FIGURES["API key leaks"] += len(leaks) + (key.encode() in raw_db)
    assert leaks == []
    assert key.encode() not in raw_db  # nor in freed pages or the WAL


def test_a_key_split_across_stream_chunks_is_still_scrubbed(fake_server, tmp_path):
    key = KEYS[1]

    def split_echo(h, req):
        text = f"Your key is {key_of(req)} and that is all."
        h.start_sse()
        for i in range(0, len(text), 5):  # 5-character chunks cut the key in several places
            h.sse(fo.chunk({"content": text[i:i + 5]}))
        h.sse(fo.chunk({}, "stop"))
        h.sse_done()

    server = fake_server(default=split_echo)
    llm = get_llm(Settings(llm="openai", base_url=server.base_url, model="m", api_key=key, max_retries=0,
                           timeout=2, home=tmp_path / "home"))
    pieces = list(llm.stream([("user", "x")]))
    assert "".join(pieces) == "Your key is **** and that is all."
    assert not any(key[:5] in p for p in pieces) and len(pieces) >= 2
