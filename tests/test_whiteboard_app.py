"""The whiteboard on the Interview page, driven headlessly with AppTest (offline backend, isolated home).

The browser-side proof that the preview is SVG drawn with no network is in
tests/integration/test_whiteboard_browser.py; here: what the page does with the text.
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from mlsd.core.config import Settings
from mlsd.diagram.fences import fenced
from mlsd.interview.sessions import SessionStore

ROOT = Path(__file__).resolve().parents[1]
TEXT_TURNS = json.loads((ROOT / "tests" / "data" / "diagrams" / "fraud_text_turns.json").read_text())["turns"]
SERVING = ("flowchart LR\n  req[Card authorization request] --> fs[(Feature store)]\n"
           "  fs -->|velocity features| ms[Model server]\n  ms --> cache[Score cache]\n")
BROKEN = SERVING + "  ms --> mon[Monitoring\n"


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def start(at: AppTest) -> str:
    at.run()
    at.selectbox(key="interview_problem").set_value("bank_fraud_detection")
    ok(at.button(key="interview_start").click().run())
    return at.query_params["session"]


def charts(at: AppTest) -> list:
    return at.get("graphviz_chart")


def test_the_editor_previews_names_a_bad_line_keeps_the_last_good_preview_and_survives_a_refresh(app):
    at = app()
    sid = start(at)
    board = at.text_area(key=f"whiteboard_text_{sid}")
    assert charts(at) == []  # an empty board draws nothing
    ok(board.set_value(SERVING).run())
    assert len(charts(at)) == 1 and "Model server" in charts(at)[0].proto.spec
    assert not at.error

    ok(at.text_area(key=f"whiteboard_text_{sid}").set_value(BROKEN).run())
    errors = [e.value for e in at.error]
    assert any(e.startswith("**Line 5:**") for e in errors), errors
    assert len(charts(at)) == 1 and "Score cache" in charts(at)[0].proto.spec  # the last good preview stays
    assert at.button(key=f"whiteboard_submit_{sid}").disabled  # a diagram that does not parse cannot be sent

    ok(at.text_area(key=f"whiteboard_text_{sid}").set_value(SERVING).run())
    fresh = ok(app(session=sid).run())  # a refresh: a new Streamlit session with only the URL
    assert fresh.text_area(key=f"whiteboard_text_{sid}").value == SERVING
    assert len(charts(fresh)) == 1


def test_submitting_the_diagram_sends_it_as_a_turn_the_interviewer_asks_about_and_the_report_draws(app):
    at = app()
    sid = start(at)
    for turn in [t["content"] for t in TEXT_TURNS if t["role"] == "candidate"][:3]:  # enough to be graded
        ok(at.chat_input(key="interview_chat").set_value(turn).run())
    ok(at.text_area(key=f"whiteboard_text_{sid}").set_value(SERVING).run())
    ok(at.button(key=f"whiteboard_submit_{sid}").click().run())
    store = SessionStore(Settings().db_path)
    turns = store.turns(sid)
    assert [t["role"] for t in turns[-2:]] == ["candidate", "interviewer"]
    assert turns[-2]["content"] == fenced(SERVING)
    assert turns[-1]["meta"]["action"] == "diagram"
    assert len(charts(at)) == 2  # the turn in the chat is drawn, and so is the board
    assert at.text_area(key=f"whiteboard_text_{sid}").value == SERVING  # the board keeps it for the next change

    ok(at.button(key="interview_end").click().run())
    assert any("**Your diagram** · turn" in m.value for m in at.markdown)
    assert len(charts(at)) == 3  # chat, board, and the report beside the serving dimension
    store.close()
