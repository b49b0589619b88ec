"""LLM faults over real HTTP on 127.0.0.1: every fault ends in a retry, a fallback or a typed, clear error.

A small threaded server (tests/reliability/fake_openai.py) speaks the OpenAI chat-completions wire
format, JSON and SSE, and misbehaves on purpose per request. The product talks to it through the
real stack (`get_llm` -> LangChain ChatOpenAI -> openai -> httpx) with one retry and a 2 s timeout.
With the interviewer on top, the interview continues and no committed turn is lost.
"""

from __future__ import annotations

import time

import pytest
from pydantic import BaseModel, Field

from mlsd.core.errors import ConfigError, LLMOutputError, LLMUnavailableError
from mlsd.grading.grader import grade
from mlsd.interview.interviewer import Interviewer
from mlsd.llm import get_llm
from mlsd.interview.sessions import SessionStore

from . import fake_openai as fo
from .conftest import loopback_settings
from .helpers import FIGURES, load_transcript

TYPED = (LLMUnavailableError, LLMOutputError, ConfigError)
GOOD = '{"label": "data", "level": 2}'


class Verdict(BaseModel):
    label: str = Field(max_length=20)
    level: int = Field(ge=0, le=3)


def wrong_shape() -> fo.Behaviour:
    """Valid JSON that ignores the requested schema (what a server without grammar support does)."""
    return fo.reply('{"answer": "I think the level is high", "confidence": 0.9}')


def reject_json_schema() -> fo.Behaviour:
    """HTTP 400 for response_format=json_schema (llama-cpp-python, some vLLM builds); fine otherwise."""
    def run(h, req):
        if req.response_format == "json_schema":
            fo.status(400, {"error": {"message": "response_format json_schema is not supported"}})(h, req)
        else:
            fo.reply(GOOD)(h, req)
    return run


# name -> (behaviour repeated for every request, expected outcome of chat / stream / structured)
# an outcome is "ok", or (error type, text the message must contain)
UNAVAILABLE = (LLMUnavailableError, "127.0.0.1")
FAULTS = {
    "connection_reset": (fo.reset, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE),
    "http_500": (lambda: fo.status(500), (LLMUnavailableError, "HTTP 500"), (LLMUnavailableError, "HTTP 500"),
                 (LLMUnavailableError, "HTTP 500")),
    "http_429": (lambda: fo.status(429, headers={"retry-after-ms": "20"}), (LLMUnavailableError, "429"),
                 (LLMUnavailableError, "429"), (LLMUnavailableError, "429")),
    "truncated": (lambda: fo.reply('{"label": "da', "length"), "ok", "ok", (LLMOutputError, "cut off")),
    "not_json": (lambda: fo.reply("I would say the level is about two."), "ok", "ok", (LLMOutputError, "not JSON")),
    "json_in_code_fences": (lambda: fo.reply(f"Here you go:\n```json\n{GOOD}\n```"), "ok", "ok", "ok"),
    "ignores_schema": (wrong_shape, "ok", "ok", (LLMOutputError, "Field required")),
    "tool_call_instead_of_content": (fo.tool_call_instead, "ok", "ok", (LLMOutputError, "Verdict")),
    "rejects_json_schema": (reject_json_schema, "ok", "ok", "ok"),
    "html_instead_of_json": (lambda: fo.raw(200, b"<html><body>Welcome to nginx</body></html>", "text/html"),
                             UNAVAILABLE, UNAVAILABLE, UNAVAILABLE),
    "error_object_with_200": (lambda: fo.raw(200, b'{"error": {"message": "model not loaded"}}'),
                              UNAVAILABLE, UNAVAILABLE, UNAVAILABLE),
    "empty_choices": (lambda: fo.raw(200, b'{"id": "x", "object": "chat.completion", "choices": []}'),
                      UNAVAILABLE, UNAVAILABLE, UNAVAILABLE),
    "stream_cut_mid_reply": (fo.stream_then_cut, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE),
    "stream_error_event": (lambda: fo.stream_then_cut(then="error"), UNAVAILABLE, UNAVAILABLE, UNAVAILABLE),
}


def call(llm, kind: str):
    if kind == "chat":
        return llm.chat([("user", "Say something.")])
    if kind == "stream":
        return "".join(llm.stream([("user", "Say something.")]))
    return llm.structured([("user", "Classify this.")], Verdict)


def check_outcome(llm, kind: str, expected, server=None):
    try:
        out = call(llm, kind)
    except Exception as exc:  # noqa: BLE001 - the point is which type it is
        assert isinstance(exc, TYPED), f"{kind}: untyped {type(exc).__name__}: {exc}"
        assert expected != "ok", f"{kind}: expected a result, got {exc!r}"
        assert isinstance(exc, expected[0]) and expected[1] in str(exc), (kind, exc)
        return exc
    assert expected == "ok", f"{kind}: expected {expected}, got {out!r}"
    if kind == "structured":
        assert isinstance(out, Verdict)
    return out


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_fault_ends_typed_with_bounded_retries(fault, fake_server, tmp_path):
    make, *expected = FAULTS[fault]
    for kind, outcome in zip(("chat", "stream", "structured"), expected):
        server = fake_server(default=make())
        llm = get_llm(loopback_settings(server.base_url, tmp_path))
        check_outcome(llm, kind, outcome)
        n = len(server.chat_requests)
        FIGURES["LLM faults injected"] += n
        # bounded: 1 + max_retries per call; structured re-asks at most 3 times in each of 3 modes
        assert 1 <= n <= (9 if kind == "structured" else 2), (kind, n)


def test_structured_reasks_say_what_was_wrong(fake_server, tmp_path):
    server = fake_server(fo.reply('{"label": "da', "length"), wrong_shape(), fo.reply("no json here"),
                         fo.reply(GOOD))
    llm = get_llm(loopback_settings(server.base_url, tmp_path))
    assert llm.structured([("user", "x")], Verdict).level == 2
    requests = server.chat_requests
    assert [r.response_format for r in requests] == ["json_schema"] * 3 + ["json_object"]
    assert "cut off at the token limit" in requests[1].body["messages"][-1]["content"]
    assert "Field required" in requests[2].body["messages"][-1]["content"]
    assert '"level"' in requests[3].body["messages"][-1]["content"]  # the fallback mode carries the schema
    FIGURES["LLM faults injected"] += 3


def test_transient_500_and_429_are_retried_then_succeed(fake_server, tmp_path):
    for fault in (fo.status(500), fo.status(429, headers={"retry-after-ms": "20"}), fo.reset()):
        server = fake_server(fault, default=fo.reply("Fine."))
        llm = get_llm(loopback_settings(server.base_url, tmp_path))
        assert llm.chat([("user", "x")]) == "Fine."
        assert len(server.chat_requests) == 2
        FIGURES["LLM faults injected"] += 1


def test_endpoint_down_is_a_clear_error_quickly(tmp_path):
    llm = get_llm(loopback_settings(f"http://127.0.0.1:{fo.closed_port()}/v1", tmp_path))
    for kind in ("chat", "stream", "structured"):
        t0 = time.monotonic()
        exc = check_outcome(llm, kind, (LLMUnavailableError, "cannot reach the LLM endpoint http://127.0.0.1:"))
        assert time.monotonic() - t0 < 5 and exc is not None
        FIGURES["LLM faults injected"] += 1


def test_a_server_that_never_answers_times_out(fake_server, tmp_path):
    server = fake_server(default=fo.hang(20))
    llm = get_llm(loopback_settings(server.base_url, tmp_path))
    for kind in ("stream", "structured"):
        t0 = time.monotonic()
        check_outcome(llm, kind, (LLMUnavailableError, "did not answer in time"))
        assert time.monotonic() - t0 < 2 * (1 + 1) + 3  # timeout x (1 + max_retries), plus backoff
    assert len(server.chat_requests) == 4
    FIGURES["LLM faults injected"] += 4


def test_stream_that_stops_at_the_token_limit_reports_it(fake_server, tmp_path):
    server = fake_server(fo.reply("one two three four", "length"), fo.reply("one two.", "stop"))
    llm = get_llm(loopback_settings(server.base_url, tmp_path))
    info: dict = {}
    assert "".join(llm.stream([("user", "x")], info=info)) == "one two three four"
    assert info["finish_reason"] == "length"
    info = {}
    "".join(llm.stream([("user", "x")], info=info))
    assert info["finish_reason"] == "stop"


# -- the interviewer over a failing endpoint ----------------------------------------------------
ANSWER = ("I'd frame this as binary classification: for every card authorization we predict the probability of "
          "fraud and map it to approve, step-up, review or decline, measured by fraud dollars prevented.")
INTERVIEW_FAULTS = {
    "endpoint_down": None,
    "connection_reset": fo.reset,
    "http_500": lambda: fo.status(500),
    "http_429": lambda: fo.status(429, headers={"retry-after-ms": "20"}),
    "timeout": lambda: fo.hang(20),
    "truncated": lambda: fo.reply("Interesting. So how would you hand", "length"),
    "empty_reply": lambda: fo.reply(""),
    "tool_call_instead_of_content": fo.tool_call_instead,
    "html_instead_of_json": lambda: fo.raw(200, b"<html>502 Bad Gateway</html>", "text/html"),
    "error_object_with_200": lambda: fo.raw(200, b'{"error": {"message": "model not loaded"}}'),
    "stream_cut_mid_reply": fo.stream_then_cut,
    "stream_error_event": lambda: fo.stream_then_cut(then="error"),
}


@pytest.mark.parametrize("fault", list(INTERVIEW_FAULTS))
def test_interview_continues_and_loses_no_turn(fault, fake_server, tmp_path):
    make = INTERVIEW_FAULTS[fault]
    healthy = fo.reply("Good. How would you get labels for that?")
    if make is None:
        port = fo.closed_port()
        settings = loopback_settings(f"http://127.0.0.1:{port}/v1", tmp_path)
        server = None
    else:
        server = fake_server(default=make())
        settings = loopback_settings(server.base_url, tmp_path)
    store = SessionStore(settings.db_path)
    iv = Interviewer.start(store, problem_id="bank_fraud_detection", llm=get_llm(settings), settings=None)
    r = iv.respond(ANSWER)
    FIGURES["interview turns under a fault"] += 1
    turns = iv.turns()
    assert [t["role"] for t in turns] == ["interviewer", "candidate", "interviewer"]
    assert turns[1]["content"] == ANSWER
    assert r.message and turns[-1]["content"] == r.message, "what the candidate saw is what was saved"
    # a failed or cut-off reply is replaced by the curated question, never half-said
    assert turns[-1]["meta"]["llm"] is False and turns[-1]["meta"]["question"] in r.message
    if server is not None:
        faults = len(server.chat_requests)
        server.default = healthy
    # the endpoint recovers (or stays down): the next turn completes too
    r2 = iv.respond("Labels come from chargebacks, which arrive up to sixty days later.")
    turns = iv.turns()
    assert len(turns) == 5 and turns[3]["role"] == "candidate" and turns[-1]["content"] == r2.message
    if server is not None:
        FIGURES["LLM faults injected"] += faults
        assert turns[-1]["meta"]["llm"] is True and r2.message == "Good. How would you get labels for that?"
    # and nothing was lost: a fresh reader sees every turn, in order
    again = SessionStore(settings.db_path).turns(iv.session_id)
    FIGURES["turns lost"] += 5 - len(again)
    assert [t["idx"] for t in again] == [0, 1, 2, 3, 4]
    store.close()


@pytest.mark.parametrize("fault", ["http_500", "html_instead_of_json", "not_json"])
def test_grader_falls_back_per_dimension_on_faults(fault, fake_server, tmp_path, memo_scoring):
    make = {"http_500": lambda: fo.status(500), "not_json": lambda: fo.reply("Level three, clearly."),
            "html_instead_of_json": lambda: fo.raw(200, b"<html>oops</html>", "text/html")}[fault]
    server = fake_server(default=make())
    llm = get_llm(loopback_settings(server.base_url, tmp_path, max_retries=0))
    t = load_transcript("bank_fraud_detection_handwavy")
    offline = grade(t)
    report = grade(t, llm=llm)
    FIGURES["LLM faults injected"] += len(server.chat_requests)
    assert report.status == "graded"
    assert len(report.fallbacks) == len(report.dimensions)
    assert report.overall == offline.overall
