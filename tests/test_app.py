"""The Streamlit app, driven headlessly with AppTest, plus the plain logic behind its pages.

Everything runs on the offline backend in an isolated MLSD_HOME (see conftest.py), except the key
test, which points the app at a fake OpenAI-compatible server on loopback. MLSD_RAISE_ERRORS=1
makes the app re-raise instead of turning a bug into a friendly st.error, so bugs fail tests.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import view
from mlsd import progress
from mlsd.content.notes import read_note
from mlsd.content.problems import filter_problems
from mlsd.grading.report import level_label
from mlsd.interview import panel
from mlsd.llm import providers
from mlsd.core.config import Settings
from mlsd.grading.grader import GradeReport
from mlsd.grading.service import grade_text
from mlsd.interview.policy import InterviewState
from mlsd.knowledge.index import IndexStatus
from mlsd.content.problems import load_problems
from mlsd.interview.sessions import SessionStore

ROOT = Path(__file__).resolve().parents[1]
STRONG = ROOT / "tests" / "data" / "transcripts" / "bank_fraud_detection_strong.json"
TIMEOUT = 240  # how long a test waits for the background index build (~40 s here)

CANDIDATE_TURNS = [t["content"] for t in json.loads(STRONG.read_text())["turns"] if t["role"] == "candidate"]


# -- helpers ------------------------------------------------------------------------------------------
def shown(at: AppTest, where=None) -> str:
    """All text a person would read on the page (or in `where`, e.g. at.sidebar)."""
    root = where if where is not None else at
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in root.get(kind)]
    parts += [f"{m.label} {m.value}" for m in root.get("metric")]
    parts += [e.label for e in root.get("expander")]
    return "\n".join(parts)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def start_interview(at: AppTest, problem_id: str = "bank_fraud_detection", mode: str = "mock") -> str:
    at.run()
    at.selectbox(key="interview_problem").set_value(problem_id)
    at.radio(key="interview_mode").set_value(mode)
    ok(at.button(key="interview_start").click().run())
    return at.query_params["session"]


def say(at: AppTest, text: str) -> AppTest:
    return ok(at.chat_input(key="interview_chat").set_value(text).run())


def store() -> SessionStore:
    return SessionStore(Settings().db_path)


# -- the interview ------------------------------------------------------------------------------------
def test_a_full_offline_interview_ends_in_a_graded_report(app):
    at = app()
    at.run()
    assert "Backend: offline" in shown(at, at.sidebar)
    assert "no endpoint or key configured" in shown(at, at.sidebar)
    sid = start_interview(at)
    assert "Real-time card fraud detection for a retail bank" in shown(at)
    assert len(at.chat_message) == 1  # the opening: the problem statement

    for n, text in enumerate(CANDIDATE_TURNS[:5], 1):
        say(at, text)
        assert len(at.chat_message) == 1 + 2 * n  # the candidate's turn and the streamed reply
        assert at.chat_message[-1].name == "assistant" and at.chat_message[-1].markdown[0].value.strip()

    # the mock panel: the statement pinned and the clock, but no coverage (the hint a mock never gives)
    assert not any(getattr(e, "type", None) == "vega_lite_chart" for e in at.main)
    page = shown(at)
    assert "Phase coverage" not in page and "coverage stays hidden until your report" in page
    assert at.get("progress") and "of 45:00 min" in at.get("progress")[0].proto.text
    statement = load_problems()["bank_fraud_detection"].statement
    assert sum(statement[:60] in m.value for m in at.markdown) == 2  # the opening turn, and the panel

    ok(at.button(key="interview_end").click().run())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Overall score"].endswith("/100")
    assert metrics["Hire band"] in {"strong hire", "hire", "lean hire", "lean no hire", "no hire"}
    assert any(e.label.startswith("Problem definition & requirements — ") for e in at.expander)
    downloads = {b.key for b in at.get("download_button")}
    assert {"interview_report_download_md", "interview_report_download_json"} <= downloads
    saved = store().get(sid)
    assert saved.status == "ended" and saved.report["status"] == "graded"
    assert metrics["Overall score"] == f"{saved.report['overall']:.0f}/100"

    # History: the session is there with its report, the trend and what to practise next
    ok(at.switch_page("app_pages/history.py").run())
    assert at.selectbox(key="history_session").value == sid
    assert at.button(key="history_resume").disabled  # ended: nothing to resume
    ok(at.button(key="history_open").click().run())
    assert "Overall score" in shown(at)
    page = shown(at)
    assert "Focus on " in page and "Practise next:" in page
    assert sum(1 for e in at.main if getattr(e, "type", None) == "vega_lite_chart") >= 2  # levels + trend
    ok(at.button(key="history_practise").click().run())
    assert at.button(key="interview_start")  # back on the Interview setup, the suggestion preselected
    assert at.radio(key="interview_mode").value == "practice"
    suggested = at.selectbox(key="interview_problem").value
    assert suggested in load_problems() and f"({load_problems()[suggested].difficulty})" in page


def test_the_panel_pins_revealed_facts_and_im_done_names_the_gaps_then_the_chat_closes(app):
    at = app()
    sid = start_interview(at)
    assert "The interviewer has told you" not in shown(at)
    say(at, "How many card transactions per second at peak, and what latency budget do we have?")
    told = shown(at).split("The interviewer has told you", 1)
    assert len(told) == 2, "the revealed facts are listed in the panel"
    problem = load_problems()["bank_fraud_detection"]
    revealed = InterviewState.model_validate(store().get(sid).state).revealed
    facts = {f.id: f.fact for f in problem.hidden_spec}
    assert revealed and all(facts[f][:40] in told[1] for f in revealed)
    say(at, CANDIDATE_TURNS[0])
    assert "interview_hint" not in [b.key for b in at.button]  # no hints in a mock
    ok(at.button(key="interview_done").click().run())
    assert at.chat_message[-2].markdown[0].value.startswith("I'm done")
    reply = at.chat_message[-1].markdown[0].value.lower()
    assert any(p in reply for p in ("serving", "monitoring", "scal")), reply
    for _ in range(6):  # decline every gap: the interviewer wraps up and the chat closes
        if at.chat_input(key="interview_chat").proto.disabled:
            break
        say(at, "No, I'd rather stop there.")
    assert at.chat_input(key="interview_chat").proto.disabled
    assert "interview_done" not in [b.key for b in at.button]
    assert "stopped, the interview has ended" in at.get("progress")[0].proto.text


def test_practice_mode_gives_hints_and_wraps_up_at_the_time_budget(app):
    at = app()
    sid = start_interview(at, "ecommerce_recommendations", mode="practice")
    page = shown(at)
    assert "Phase coverage" in page  # practice shows coverage, in the report's level words
    assert any(getattr(e, "type", None) == "vega_lite_chart" for e in at.main)
    ok(at.button(key="interview_hint").click().run())
    assert "Think about" in at.chat_message[-1].markdown[0].value
    # time runs out: the next turn wraps up and the chat closes
    s = store()
    state = InterviewState.model_validate(s.get(sid).state)
    at.session_state["interview_iv"].state.started_at = state.started_at - 46 * 60
    say(at, "Let me talk about serving next.")
    assert "at time" in at.chat_message[-1].markdown[0].value.lower()
    assert at.chat_input(key="interview_chat").proto.disabled
    assert "wrapped up" in shown(at)


def test_a_custom_problem_interview_and_an_empty_statement(app):
    at = app()
    at.run()
    at.radio(key="interview_source").set_value("custom").run()
    at.button(key="interview_start").click().run()
    assert not at.exception
    assert "the problem statement is empty" in " ".join(e.value for e in at.error)  # said plainly
    statement = "Design a spam filter for a large email provider\nBillions of mails a day."
    at.text_area(key="interview_custom_text").input(statement)
    ok(at.button(key="interview_start").click().run())
    sid = at.query_params["session"]
    assert "Design a spam filter for a large email provider" in shown(at)
    say(at, "I'd frame it as binary classification of each incoming message, spam or not, with a threshold "
            "tuned so that false positives on legitimate mail stay below a tenth of a percent.")
    row = store().get(sid)
    assert row.problem_id is None and row.problem_text.startswith("Design a spam filter")


def test_a_refresh_reloads_the_interview_from_the_url_and_answers_a_pending_turn(app):
    at = app()
    sid = start_interview(at)
    say(at, CANDIDATE_TURNS[0])
    say(at, CANDIDATE_TURNS[1])

    # a browser refresh is a new session that only has the URL
    fresh = ok(app(session=sid).run())
    assert len(fresh.chat_message) == 5
    assert fresh.chat_message[1].markdown[0].value.startswith(CANDIDATE_TURNS[0][:60])
    assert fresh.query_params["session"] == sid

    # a crash after the candidate's turn was saved but before the reply: the reload answers it
    s = store()
    s.add_turn(sid, "candidate", CANDIDATE_TURNS[2])
    recovered = ok(app(session=sid).run())
    turns = s.turns(sid)
    assert [t["role"] for t in turns[-2:]] == ["candidate", "interviewer"]
    assert len(recovered.chat_message) == len(turns) == 7
    assert recovered.chat_message[-1].markdown[0].value  # the reply was streamed into the page

    # an unknown session in the URL: a plain message and the setup form, not a traceback
    lost = app(session="nosuchsession")
    lost.run()
    assert not lost.exception
    assert "no interview session 'nosuchsession'" in " ".join(e.value for e in lost.error)
    assert lost.button(key="interview_start")


def test_history_resumes_an_unfinished_interview(app):
    at = app()
    sid = start_interview(at, "search_ranking")
    say(at, "What is the traffic, and what latency budget do we have for ranking?")

    other = ok(app().run())  # another browser session
    ok(other.switch_page("app_pages/history.py").run())
    assert "Search ranking for a large marketplace" in " ".join(str(v) for v in other.dataframe[0].value["Problem"])
    other.selectbox(key="history_session").set_value(sid)
    ok(other.button(key="history_resume").click().run())
    assert other.query_params["session"] == sid
    assert len(other.chat_message) == 3 and "Search ranking for a large marketplace" in shown(other)
    # AppTest keeps requesting the page last passed to at.switch_page(); the user is on Interview now
    other.switch_page("app_pages/interview.py")
    say(other, "I'd frame it as learning to rank: for each query, order the candidate listings by purchase "
               "probability, and measure NDCG offline and conversion per search online.")
    assert len(store().turns(sid)) == 5


# -- ask ------------------------------------------------------------------------------------------------
def test_ask_answers_from_the_notes_with_citations(app):
    at = app()
    at.run()
    assert "Not built" in shown(at, at.sidebar)
    ok(at.switch_page("app_pages/ask.py").run())
    at.text_area(key="ask_question").input("How do I detect training-serving skew?")
    ok(at.button(key="FormSubmitter:ask_form-Ask").click().run())  # the first question builds the index
    assert "Built: " in shown(at, at.sidebar) and " chunks from " in shown(at, at.sidebar)  # true at once
    assert not [e for e in at.main if type(e).__name__ == "Status"]  # the build's progress is gone

    answer = at.session_state["ask_result"][1]
    assert answer.answered and answer.sources[0].heading == "Detecting skew"
    # the method itself, in the section's own words and order, not topic sentences of other sections
    text = " ".join(m.value for m in at.markdown)
    assert "recompute the same features offline" in text and "Sample served requests" in text
    cited = re.findall(r"\[(\d+)\]", answer.answer)
    assert 3 <= len(cited) <= 6 and set(cited) == {"1"}
    sources = [e for e in at.expander if e.label.startswith("[")]
    assert sources[0].label.startswith("[1] Detecting skew") and sources[0].proto.expanded  # the top one open
    assert all(not e.proto.expanded for e in sources[1:])
    path = sources[0].label.split(" — ")[-1]
    assert (ROOT / path).is_file()
    assert "Sample served requests" in " ".join(m.value for m in sources[0].markdown)

    at.text_area(key="ask_question").input("What is the best recipe for lasagna?")
    ok(at.button(key="FormSubmitter:ask_form-Ask").click().run())
    assert "nothing on this question" in " ".join(i.value for i in at.info)
    assert "Earlier questions" in shown(at)


def test_the_index_is_built_in_the_background_at_first_start(app, monkeypatch):
    from mlsd.knowledge import background

    monkeypatch.setenv("MLSD_INDEX_ON_START", "1")
    at = ok(app().run())
    build = background.current(Settings())
    assert build is not None, "the first start did not start a build"
    if build.running:
        assert "Building in the background" in shown(at, at.sidebar)
        assert at.sidebar.get("progress")
    assert build.wait(timeout=TIMEOUT) and build.state == "done", build.error
    ok(at.run())
    side = shown(at, at.sidebar)
    assert "Built: " in side and "Building in the background" not in side
    assert at.button(key="sidebar_index_build").label == "Rebuild the index"
    # a second session of the same process does not start another build
    other = ok(app().run())
    assert background.current(Settings()) is build and "Built: " in shown(other, other.sidebar)


def test_a_build_from_the_sidebar_updates_the_status_at_once(app):
    at = app()
    at.run()
    assert "Not built" in shown(at, at.sidebar)
    ok(at.button(key="sidebar_index_build").click().run())
    assert "Built: " in shown(at, at.sidebar) and "chunks embedded" in shown(at, at.sidebar)
    ok(at.switch_page("app_pages/history.py").run())  # another page reads the same, fresh status
    assert "Built: " in shown(at, at.sidebar)


# -- grade ----------------------------------------------------------------------------------------------
def test_grading_an_uploaded_transcript(app):
    at = app()
    at.run()
    ok(at.switch_page("app_pages/grade.py").run())
    at.radio(key="grade_source").set_value("upload").run()
    at.file_uploader(key="grade_file").set_value((STRONG.name, STRONG.read_bytes(), "application/json"))
    ok(at.run())
    ok(at.button(key="grade_go").click().run())
    expected = grade_text(STRONG.read_bytes(), source=STRONG.name)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Overall score"] == f"{expected.overall:.0f}/100"
    assert metrics["Hire band"] == expected.band
    labels = [e.label for e in at.expander]
    for d in expected.dimensions:
        assert f"{d.title} — {level_label(d.level, d.max_level, d.level_name)}" in labels
    first = next(d for d in expected.dimensions if d.evidence)
    quotes = " ".join(m.value for e in at.expander if e.label.startswith(first.title) for m in e.markdown)
    assert view.quote_md(first.evidence[0].quote)[:60] in quotes  # evidence quotes under their dimension
    assert any(tab.label == "Study next" for tab in at.tabs)
    assert {"grade_report_download_md", "grade_report_download_json"} <= {b.key for b in at.get("download_button")}
    assert any(e.type == "vega_lite_chart" for e in at.main if type(e).__name__ == "UnknownElement")


def test_grading_pasted_text_and_plain_transcript_errors(app):
    at = app()
    at.run()
    ok(at.switch_page("app_pages/grade.py").run())
    data = json.loads(STRONG.read_text())
    pasted = "Problem: bank_fraud_detection\n\n" + "\n\n".join(
        f"{t['role'].capitalize()}: {t['content']}" for t in data["turns"])
    at.text_area(key="grade_text").input(pasted)
    ok(at.button(key="grade_go").click().run())
    assert {m.label: m.value for m in at.metric}["Overall score"].endswith("/100")

    for bad, message in (("Interviewer: tell me about your design", "no candidate turns to grade"),
                         ('{"turns": [', "invalid JSON")):
        at.text_area(key="grade_text").input(bad)
        at.button(key="grade_go").click().run()
        assert not at.exception
        errors = " ".join(e.value for e in at.error)
        assert "Could not read the transcript" in errors and message in errors
        assert "Traceback" not in errors and not at.metric

    at.text_area(key="grade_text").input("Candidate: I would use a model.")
    ok(at.button(key="grade_go").click().run())
    assert "insufficient evidence" in shown(at) and "too short to grade" in shown(at)


def test_grading_a_past_session_saves_the_report_once_it_has_ended(app):
    at = app()
    sid = start_interview(at)
    for text in CANDIDATE_TURNS[:3]:
        say(at, text)
    ok(at.switch_page("app_pages/grade.py").run())
    at.radio(key="grade_source").set_value("session").run()
    assert at.selectbox(key="grade_session").value == sid
    ok(at.button(key="grade_go").click().run())
    assert {m.label: m.value for m in at.metric}["Overall score"].endswith("/100")
    assert store().get(sid).report is None  # still active: grading it here does not end it
    store().end(sid)
    ok(at.button(key="grade_go").click().run())
    assert store().get(sid).report["status"] == "graded"  # ended: History shows this report now


# -- the API key ----------------------------------------------------------------------------------------
class FakeOpenAI(BaseHTTPRequestHandler):
    """Streams a fixed reply for chat; fails non-streamed (structured) calls so grading falls back."""

    seen_auth: list[str] = []

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):  # /v1/models
        self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        FakeOpenAI.seen_auth.append(self.headers.get("Authorization", ""))
        if not body.get("stream"):
            self._json(503, {"error": {"message": "overloaded", "type": "server_error"}})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ["FAKE-LLM:", " tell me", " more about", " your labels."]:
            chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "fake-model",
                     "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        done = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "fake-model",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())

    def _json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def fake_openai():
    FakeOpenAI.seen_auth = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_the_api_key_typed_in_the_sidebar_is_used_but_never_stored(app, fake_openai, monkeypatch, isolated_env):
    monkeypatch.setenv("MLSD_MAX_RETRIES", "0")
    key = f"sk-mlsdtest-{uuid.uuid4().hex}"
    at = app()
    at.run()
    at.selectbox(key="sidebar_backend").set_value("openai").run()
    at.text_input(key="sidebar_base_url").input(fake_openai)
    at.text_input(key="sidebar_model").input("fake-model")
    at.text_input(key="sidebar_api_key").input(key)
    ok(at.run())
    assert at.text_input(key="sidebar_api_key").proto.type == 1  # TextInput.PASSWORD
    side = shown(at, at.sidebar)
    assert "Backend: OpenAI-compatible" in side and "chosen in the sidebar" in side
    assert f"****{key[-4:]}" in side and key not in side

    sid = start_interview(at)
    say(at, CANDIDATE_TURNS[0])
    assert at.chat_message[-1].markdown[0].value.startswith("FAKE-LLM:")  # streamed from the endpoint
    say(at, CANDIDATE_TURNS[1])  # scoping alone is not a design to grade; one turn of design makes it one
    say(at, f"My API key is {key}, please remember it.")  # even pasted into the chat it is scrubbed
    ok(at.button(key="interview_end").click().run())
    assert {m.label for m in at.metric} >= {"Overall score"}
    assert f"Bearer {key}" in FakeOpenAI.seen_auth  # the key really was used

    # a key pasted into a custom problem statement is scrubbed too
    ok(at.button(key="interview_new").click().run())
    at.radio(key="interview_source").set_value("custom").run()
    at.text_area(key="interview_custom_text").input(f"Design a churn model. Use my key {key} for the API.")
    ok(at.button(key="interview_start").click().run())
    custom_sid = at.query_params["session"]
    assert custom_sid != sid and "****" in store().get(custom_sid).problem_text

    ok(at.switch_page("app_pages/grade.py").run())
    at.text_area(key="grade_text").input(STRONG.read_text().replace("Sources are", f"My key {key}. Sources are"))
    ok(at.button(key="grade_go").click().run())
    graded = at.session_state["grade_report"][0]

    # nothing under MLSD_HOME holds the key: not the database (with its WAL), not the index
    files = [p for p in isolated_env.rglob("*") if p.is_file()]
    assert any(p.name == "mlsd.db" for p in files)
    for path in files:
        assert key.encode() not in path.read_bytes(), path
    db = sqlite3.connect(Settings().db_path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert {"sessions", "turns", "exchanges"} <= set(tables)
    assert db.execute("SELECT COUNT(*) FROM exchanges").fetchone()[0] > 0  # LLM calls were logged...
    for table in tables:
        for row in db.execute(f"SELECT * FROM {table}"):  # noqa: S608 - names come from sqlite_master
            assert key not in " ".join(str(v) for v in row), table  # ...without the key
    # nor any export: transcripts, and reports as Markdown and JSON
    s = store()
    report = GradeReport.model_validate(s.get(sid).report)
    for text in (s.export_json(sid), s.export_markdown(sid), s.export_json(custom_sid), s.export_markdown(custom_sid),
                 report.to_markdown(), report.model_dump_json(), graded.to_markdown(), graded.model_dump_json()):
        assert key not in text
    assert "****" in s.export_json(sid)  # the pasted key was replaced, not dropped silently
    assert key not in shown(at) and key not in shown(at, at.sidebar)


def test_an_unreachable_backend_is_reported_plainly_and_the_interview_goes_on(app, monkeypatch):
    monkeypatch.setenv("MLSD_MAX_RETRIES", "0")
    at = app()
    at.run()
    at.selectbox(key="sidebar_backend").set_value("openai").run()
    at.text_input(key="sidebar_base_url").input("http://127.0.0.1:9/v1")  # nothing listens there
    ok(at.run())
    sid = start_interview(at)
    at.chat_input(key="interview_chat").set_value(CANDIDATE_TURNS[0]).run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "backend is unavailable" in warning and "127.0.0.1:9" in warning
    assert at.chat_message[-1].name == "assistant" and at.chat_message[-1].markdown[0].value
    assert len(store().turns(sid)) == 3


def test_an_openai_backend_without_key_or_url_says_what_is_missing(app):
    at = app()
    at.run()
    at.selectbox(key="sidebar_backend").set_value("openai")
    ok(at.run())
    assert "needs an API key or a base URL" in " ".join(w.value for w in at.sidebar.get("warning"))


# -- ui_helpers: the logic the pages call -------------------------------------------------------------------
def test_build_settings_overrides_only_what_was_typed(monkeypatch):
    monkeypatch.setenv("MLSD_BASE_URL", "http://localhost:11434/v1")
    s = providers.build_settings("openai", base_url="  ", model="", api_key="sk-abcdefgh1234")
    assert s.llm == "openai" and s.base_url == "http://localhost:11434/v1" and s.key_value() == "sk-abcdefgh1234"
    info = providers.describe_backend(s, chosen_in_ui=True)
    assert info.line == "Backend: OpenAI-compatible" and info.reason == "chosen in the sidebar"
    assert "Key: ****1234" in info.details and not info.problem
    assert providers.build_settings("offline").backend() == "offline"
    auto = providers.describe_backend(providers.build_settings("auto"))
    assert auto.backend == "openai" and "MLSD_BASE_URL" in auto.reason
    with pytest.raises(ValueError):
        providers.build_settings("gpu")


def test_llm_cache_key_tells_keys_apart_without_holding_them():
    a = providers.llm_cache_key(providers.build_settings("openai", api_key="sk-first-key-000000"))
    b = providers.llm_cache_key(providers.build_settings("openai", api_key="sk-second-key-11111"))
    assert a != b and "sk-first-key-000000" not in repr(a)


def test_filter_problems_by_topic_and_difficulty():
    problems = load_problems()
    assert len(filter_problems(problems.values())) == len(problems)
    hard_ranking = filter_problems(problems.values(), ["ranking"], ["hard"])
    assert hard_ranking and all("ranking" in p.topics and p.difficulty == "hard" for p in hard_ranking)
    assert "search_ranking" in {p.id for p in hard_ranking}
    assert filter_problems(problems.values(), ["forecasting", "fraud"], ["easy"]) == []


def test_phase_rows_and_timer_report_coverage_and_time_against_budgets():
    state = InterviewState(problem_id="x", time_budget_min=45, started_at=1000.0)
    state.coverage["data"], state.depth["data"] = 0.9, 2
    state.phase_seconds["data"] = 600
    state.current_phase = "data"
    rows = {r.phase: r for r in panel.phase_rows(state)}
    assert len(rows) == 8
    assert rows["data"].covered and rows["data"].depth_name == "solid" and rows["data"].current
    assert rows["data"].spent_min == 10 and rows["data"].spent_min > rows["data"].budget_min
    assert rows["monitoring"].depth_name == "not covered"
    assert sum(r.budget_min for r in rows.values()) == pytest.approx(45, abs=0.05)
    t = panel.timer(state, now=1000.0 + 50 * 60)
    assert t.over and t.fraction == 1.0 and t.remaining_min == 0
    assert panel.fmt_minutes(12.5) == "12:30" and panel.fmt_minutes(75) == "75:00"


def _report(scores: dict[str, float | None]) -> GradeReport:
    """A graded report whose dimensions have the given scores (None: not covered)."""
    dims = []
    for did, score in scores.items():
        dims.append({"id": did, "title": did.replace("_", " ").title(), "phase": did, "weight": 0.1,
                     "level": None if score is None else 2, "level_name": "solid", "max_level": 3,
                     "covered": score is not None, "score": score or 0.0, "evidence": [], "missing": [],
                     "criteria": []})
    return GradeReport(status="graded", reason=None, overall=50.0, band="lean hire", rubric="base", problem=None,
                       backend="offline", dimensions=dims, flags={})


def test_weakest_dimension_is_the_lowest_mean_over_recent_reports():
    reports = [_report({"data": 0.9, "serving": 0.2, "modeling": 0.6}),
               _report({"data": 0.8, "serving": None, "modeling": 0.5})]
    weak = progress.weakest_dimension(reports)
    assert weak.dimension == "serving" and weak.mean_score == 10.0 and weak.sessions == 2 and weak.not_covered == 1
    # only the last `recent` reports count: serving improved lately, modeling did not
    later = reports + [_report({"data": 0.9, "serving": 0.9, "modeling": 0.4})] * 5
    assert progress.weakest_dimension(later).dimension == "modeling"
    assert progress.weakest_dimension([]) is None


def test_suggest_problem_prefers_an_unpractised_problem_whose_overlay_adds_to_the_dimension():
    problems = load_problems()
    s = progress.suggest_problem("modeling", problems)
    assert s.problem.id == "ecommerce_recommendations"  # its overlay adds two modeling criteria
    assert len(s.overlay_criteria) == 2 and "rubric overlay adds 2 modeling criteria" in s.reason
    again = progress.suggest_problem("modeling", problems, practised={"ecommerce_recommendations"})
    assert again.problem.id != "ecommerce_recommendations" and progress.overlay_criteria_for(again.problem, "modeling")
    serving = progress.suggest_problem("serving", problems)
    assert progress.overlay_criteria_for(serving.problem, "serving")
    # no overlay adds scalability criteria: fall back to topics that stress it
    scal = progress.suggest_problem("scalability", problems)
    assert set(scal.problem.topics) & set(progress.DIMENSION_TOPICS["scalability"]) and "topics" in scal.reason
    everything = progress.suggest_problem("data", problems, practised=set(problems))
    assert "practised it before" in everything.reason


def test_history_helpers_summarise_sessions_and_trend(isolated_env):
    s = store()
    sid = s.create(problem_id="bank_fraud_detection", problem_text=None, mode="mock", state={}, opening="Hi")
    custom = s.create(problem_id=None, problem_text="Design a spam filter\nfor email", mode="practice", state={},
                      opening="Hi")
    s.add_turn(custom, "candidate", "I would start with the labels.")
    report = _report({"data": 0.5, "serving": 0.1})
    s.end(sid, report.model_dump())
    rows = {r.id: r for r in progress.session_summaries(s, load_problems())}
    assert rows[sid].graded and not rows[sid].resumable and rows[sid].overall == 50.0
    assert rows[custom].problem == "Design a spam filter" and rows[custom].candidate_turns == 1
    assert progress.practised_problem_ids(rows.values()) == {"bank_fraud_detection"}
    graded = progress.graded_reports(s.list())
    assert [g[0] for g in graded] == [sid]
    trend = progress.trend_rows(graded)
    assert {r["dimension"] for r in trend} == {"Data", "Serving", "Overall"}
    assert next(r for r in trend if r["dimension"] == "Serving")["score"] == 10.0


def test_report_rows_keep_not_covered_distinct():
    rows = view.dimension_rows(_report({"data": 0.6, "serving": None}))
    by_id = {r["id"]: r for r in rows}
    assert by_id["serving"]["status"] == "not covered" and not by_id["serving"]["covered"]
    assert by_id["serving"]["label"] == "not covered"
    assert by_id["data"]["label"] == "2/3 · solid" and by_id["data"]["covered"]


def test_markdown_helpers_show_text_verbatim():
    assert view.quote_md("costs $5 to $10 *per* card") == "costs \\$5 to \\$10 \\*per\\* card"
    assert view.chat_md("$20 or $30") == "\\$20 or \\$30"
    assert view.scrub("key sk-abcdefghijklmnop here", None) == "key **** here"
    assert read_note("knowledge/concepts/label_delay.md").startswith("# Label delay")
    assert read_note("../pyproject.toml") is None
    assert view.index_button_label(IndexStatus("not_built")) == "Build the index"
    assert view.index_status_text(IndexStatus("built", chunks=3, notes=1)) == "Built: 3 chunks from 1 notes"
    assert IndexStatus("stale", changed_files=2).needs_build and not IndexStatus("built", chunks=3, notes=1).needs_build
