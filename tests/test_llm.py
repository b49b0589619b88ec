"""The provider seam with a scripted model: every failure mode ends typed, never in None."""

import json

import httpx
import openai
import pytest
from pydantic import BaseModel, Field

from mlsd.core.config import Settings
from mlsd.storage import open_database
from mlsd.core.errors import ConfigError, LLMOutputError, LLMUnavailableError
from mlsd.llm import extract_json, get_llm, max_json_chars, token_budget
from mlsd.llm.events import ExchangeLog
from mlsd.llm.models import ModeRejected, ReplyCutOff
from mlsd.llm.openai_compatible import map_error
from mlsd.llm.testing import Reply, scripted_llm

REQ = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


class Verdict(BaseModel):
    label: str = Field(max_length=20)
    level: int = Field(ge=0, le=3)


GOOD = '{"label": "data", "level": 2}'


def modes(model):
    return [(kw.get("response_format") or {}).get("type", "prompt") for _, kw in model.calls]


def test_valid_first_reply_uses_json_schema_once():
    llm, model = scripted_llm(GOOD)
    assert llm.structured([("user", "x")], Verdict) == Verdict(label="data", level=2)
    assert modes(model) == ["json_schema"]
    schema = model.calls[0][1]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["level"]["maximum"] == 3


def test_invalid_reply_is_reasked_with_the_validation_error():
    llm, model = scripted_llm('{"label": "data", "level": 7}', GOOD)
    assert llm.structured([("user", "x")], Verdict).level == 2
    reask = model.calls[1][0][-1].content
    assert "level" in reask and "less than or equal to 3" in reask
    assert modes(model) == ["json_schema", "json_schema"]


def test_falls_back_to_json_object_then_prompt_only():
    bad = "I think it is about data."
    llm, model = scripted_llm(bad, bad, bad, bad, bad, bad, GOOD)
    assert llm.structured([("user", "x")], Verdict).label == "data"
    assert modes(model) == ["json_schema"] * 3 + ["json_object"] * 3 + ["prompt"]
    # the fallback modes carry the schema in the prompt, since the server is not enforcing it
    assert '"level"' in model.calls[3][0][1].content


def test_server_rejecting_a_mode_moves_on_immediately():
    llm, model = scripted_llm(ModeRejected("response_format not supported"), GOOD)
    assert llm.structured([("user", "x")], Verdict).level == 2
    assert modes(model) == ["json_schema", "json_object"]


def test_code_fences_and_prose_around_json_are_accepted():
    llm, _ = scripted_llm("Sure! ```json\n" + GOOD + "\n```")
    assert llm.structured([("user", "x")], Verdict).label == "data"
    assert extract_json('prefix {"a": 1} suffix') == {"a": 1}


def test_truncated_output_is_reported_as_cut_off():
    llm, model = scripted_llm(Reply('{"label": "da', finish_reason="length"), GOOD)
    llm.structured([("user", "x")], Verdict, max_tokens=5)
    assert "cut off at the token limit (5)" in model.calls[1][0][-1].content


def test_a_reply_cut_off_before_parsing_is_reasked_not_raised():
    llm, model = scripted_llm(ReplyCutOff("length"), GOOD)
    assert llm.structured([("user", "x")], Verdict).level == 2
    assert "cut off" in model.calls[1][0][-1].content


@pytest.mark.parametrize("reply", ["null", "[]", "", "not json at all", '{"label": "x"}'])
def test_never_returns_none_all_failures_raise_one_typed_error(reply):
    llm, model = scripted_llm(default=reply)
    with pytest.raises(LLMOutputError) as info:
        llm.structured([("user", "x")], Verdict)
    assert info.value.attempts == 9 == len(model.calls)
    assert info.value.last_raw == reply
    assert "Verdict" in str(info.value)


def test_check_hook_can_reject_a_valid_answer():
    def no_zero(v):
        if v.level == 0:
            raise ValueError("level 0 needs evidence")

    llm, model = scripted_llm('{"label": "a", "level": 0}', GOOD)
    assert llm.structured([("user", "x")], Verdict, check=no_zero).level == 2
    assert "level 0 needs evidence" in model.calls[1][0][-1].content


@pytest.mark.parametrize("exc, expected", [
    (openai.APIConnectionError(request=REQ), LLMUnavailableError),
    (openai.APITimeoutError(request=REQ), LLMUnavailableError),
    (openai.InternalServerError("boom", response=httpx.Response(500, request=REQ), body=None), LLMUnavailableError),
    (openai.RateLimitError("slow down", response=httpx.Response(429, request=REQ), body=None), LLMUnavailableError),
    (openai.AuthenticationError("bad key", response=httpx.Response(401, request=REQ), body=None), ConfigError),
    (ValueError("Expecting value: line 1 column 1"), LLMUnavailableError),  # HTML or an error object with a 200
])
def test_transport_failures_become_typed_errors(exc, expected):
    mapped = map_error(exc, "http://127.0.0.1:9/v1", "m")
    assert isinstance(mapped, expected)
    for call in ("chat", "structured", "stream"):
        llm, _ = scripted_llm(mapped)
        with pytest.raises(expected):
            if call == "chat":
                llm.chat([("user", "x")])
            elif call == "structured":
                llm.structured([("user", "x")], Verdict)
            else:
                list(llm.stream([("user", "x")]))


def test_exchanges_are_logged_without_the_key(tmp_path):
    key = "sk-live-abcdef0123456789"
    llm, _ = scripted_llm(f"echo {key}", GOOD, secret=key)
    llm.subscribe(ExchangeLog(tmp_path / "log.db", secret=key))
    llm.chat([("user", f"my key is {key}")])
    llm.structured([("user", "x")], Verdict)
    rows = open_database(tmp_path / "log.db").all("SELECT kind, request, response FROM exchanges")
    assert [r["kind"] for r in rows] == ["chat", "structured"]
    dump = json.dumps([dict(r) for r in rows])
    assert key not in dump and "****" in dump


def test_stream_yields_pieces_and_logs_the_whole_reply(tmp_path):
    llm, _ = scripted_llm("one two three")
    llm.subscribe(ExchangeLog(tmp_path / "log.db"))
    assert "".join(llm.stream([("user", "x")])) == "one two three"
    row = open_database(tmp_path / "log.db").one("SELECT kind, response FROM exchanges")
    assert (row["kind"], row["response"]) == ("stream", "one two three")


def test_token_budget_covers_the_largest_valid_instance():
    class Item(BaseModel):
        quote: str = Field(max_length=100)

    class Many(BaseModel):
        items: list[Item] = Field(max_length=4)
        flag: bool

    worst = Many(items=[Item(quote="x" * 100)] * 4, flag=False).model_dump_json()
    assert max_json_chars(Many.model_json_schema()) >= len(worst)
    assert token_budget(Many) >= len(worst)


def test_offline_backend_is_a_provider_that_answers_unavailable():
    llm = get_llm(Settings(llm="offline"))
    assert llm.offline and llm.backend == "offline"
    with pytest.raises(LLMUnavailableError, match="offline"):
        llm.chat([("user", "x")])
    with pytest.raises(LLMUnavailableError, match="offline"):
        list(llm.stream([("user", "x")]))


def test_openai_backend_without_key_names_the_variable():
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        get_llm(Settings(llm="openai"))


def test_unreachable_endpoint_is_a_clear_error():
    # a closed loopback port: nothing listens on port 9 (discard) here
    llm = get_llm(Settings(llm="openai", base_url="http://127.0.0.1:9/v1", model="m", max_retries=0, timeout=5),
                  log=False)
    with pytest.raises(LLMUnavailableError, match="127.0.0.1:9"):
        llm.chat([("user", "hi")])


def test_a_server_that_cannot_list_its_models_is_an_outage_not_a_crash():
    # No model named and nothing listening: building the LLM succeeds (the interview can start);
    # the first call says the endpoint is unreachable, like any other outage.
    llm = get_llm(Settings(llm="openai", base_url="http://127.0.0.1:9/v1", max_retries=0, timeout=5), log=False)
    with pytest.raises(LLMUnavailableError, match="127.0.0.1:9"):
        llm.chat([("user", "hi")])
