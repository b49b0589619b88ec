"""The app for a cohort, driven headlessly: users through the trusted header, what is refused, exposure, outages.

The header comes from `app_pages.shared.request_headers` (AppTest cannot send HTTP headers; the
served-app tests in tests/integration/test_replicas.py send real ones from a real browser).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from app_pages import shared
from mlsd.core.config import Settings
from mlsd.interview.sessions import SessionStore
from mlsd.storage import forget_shared_databases
from mlsd.storage.throwaway import TemporaryPostgres

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
HEADER = "X-Forwarded-Email"
STRONG = ROOT / "tests" / "data" / "transcripts" / "bank_fraud_detection_strong.json"
ANSWERS = [t["content"] for t in json.loads(STRONG.read_text())["turns"] if t["role"] == "candidate"]


@pytest.fixture
def app(monkeypatch):
    monkeypatch.setenv("MLSD_RAISE_ERRORS", "1")
    monkeypatch.setenv("MLSD_INDEX_ON_START", "0")  # as in test_app: no index build in every test's MLSD_HOME
    headers: dict[str, str] = {}
    monkeypatch.setattr(shared, "request_headers", lambda: dict(headers))

    class Browser:
        """One browser of one user: every run sends that user's header (or none)."""

        def __init__(self, user: str | None, **query):
            self.user = user
            self.at = AppTest.from_file(str(APP), default_timeout=240)
            self.at.query_params.update(query)

        def run(self) -> AppTest:
            headers.clear()
            if self.user:
                headers[HEADER] = self.user
            return self.at.run()

    return Browser


def text_of(at: AppTest, where=None) -> str:
    root = where if where is not None else at
    parts = [str(e.value) for kind in ("title", "markdown", "caption", "info", "warning", "error")
             for e in root.get(kind)]
    return "\n".join(parts)


def start(b) -> str:
    b.run()
    b.at.selectbox(key="interview_problem").set_value("bank_fraud_detection")
    b.at.button(key="interview_start").click()
    b.run()
    return b.at.query_params["session"]


def say(b, text: str) -> AppTest:
    b.at.chat_input(key="interview_chat").set_value(text)
    return b.run()


def test_two_users_through_the_header_never_see_each_others_sessions(app, monkeypatch):
    monkeypatch.setenv("MLSD_TRUSTED_USER_HEADER", HEADER)
    alice = app("Alice@Example.com")
    sid = start(alice)
    say(alice, ANSWERS[0])
    assert not alice.at.error and "Signed in as **alice@example.com**" in text_of(alice.at, alice.at.sidebar)

    bob = app("bob@example.com")
    bob.run()
    bob.at.switch_page("app_pages/history.py")
    assert "Nothing here yet" in text_of(bob.run())  # History: only his own, and he has none
    bob.at.switch_page("app_pages/grade.py")
    bob.run()
    bob.at.radio(key="grade_source").set_value("session")
    assert "No past session with an answer yet" in text_of(bob.run())  # grade a past session: none of hers

    # resume by URL: Alice's id answers exactly like an id that does not exist
    theirs, missing = app("bob@example.com", session=sid), app("bob@example.com", session="0123456789ab")
    errors = [[e.value for e in b.run().error] for b in (theirs, missing)]
    assert errors[0] == [f"Could not open interview {sid!r}: no interview session {sid!r}"]
    assert errors[1] == [e.replace(sid, "0123456789ab") for e in errors[0]]
    assert theirs.at.button(key="interview_start")  # back on the set-up page, nothing of Alice's drawn
    assert ANSWERS[0][:40] not in text_of(theirs.at)

    # Alice still has all of it, and the database says whose it is
    alice.at.switch_page("app_pages/history.py")
    assert alice.run().selectbox(key="history_session").value == sid
    row = SessionStore(Settings().database, owner="alice@example.com").get(sid)
    assert row.owner == "alice@example.com" and SessionStore(Settings().database).list() == []


def test_a_graded_upload_is_in_its_owners_history_only_and_only_they_can_delete_it(app, monkeypatch):
    monkeypatch.setenv("MLSD_TRUSTED_USER_HEADER", HEADER)
    alice = app("alice@example.com")
    alice.run()
    alice.at.switch_page("app_pages/grade.py")
    alice.run()
    turns = json.loads(STRONG.read_text())["turns"]
    alice.at.text_area(key="grade_text").input("Problem: bank_fraud_detection\n\n" + "\n\n".join(
        f"{t['role'].capitalize()}: {t['content']}" for t in turns))
    alice.at.button(key="grade_go").click()
    assert not alice.run().error
    [row] = SessionStore(Settings().database, owner="alice@example.com").list()
    assert (row.kind, row.owner) == ("upload", "alice@example.com")

    bob = app("bob@example.com")
    bob.run()
    bob.at.switch_page("app_pages/history.py")
    assert "Nothing here yet" in text_of(bob.run())  # her upload is not in his History
    bob.at.switch_page("app_pages/grade.py")
    bob.run()
    bob.at.radio(key="grade_source").set_value("session")
    assert "No past session with an answer yet" in text_of(bob.run())  # nor among his sessions to grade
    assert SessionStore(Settings().database).list() == []  # nor the local user's

    alice.at.switch_page("app_pages/history.py")
    at = alice.run()
    assert list(at.dataframe[0].value["Kind"]) == ["upload (pasted text)"]
    at.button(key="history_delete").click()
    alice.run().button(key="history_delete_confirm").click()
    assert "Nothing here yet" in text_of(alice.run())
    assert SessionStore(Settings().database, owner="alice@example.com").list() == []


def test_without_the_header_a_cohort_app_shows_only_a_refusal(app, monkeypatch):
    monkeypatch.setenv("MLSD_TRUSTED_USER_HEADER", HEADER)
    nobody = app(None).run()
    assert [e.value for e in nobody.error][0].startswith("Not signed in: the request has no usable X-Forwarded-Email")
    assert not nobody.get("selectbox") and not nobody.get("chat_input") and not nobody.sidebar.get("selectbox")


def test_a_user_header_is_ignored_unless_mlsd_trusted_user_header_names_it(app):
    local = app(None)
    sid = start(local)  # the single local user's interview
    spoofed = app("mallory@example.com")  # sends the header; nothing trusts it
    spoofed.run()
    spoofed.at.switch_page("app_pages/history.py")
    assert spoofed.run().selectbox(key="history_session").value == sid  # treated as the local user, as before
    assert "Signed in as" not in text_of(spoofed.at, spoofed.at.sidebar)
    assert SessionStore(Settings().database, owner="mallory@example.com").list() == []


@pytest.fixture
def exposed():
    st_config.set_option("server.address", "0.0.0.0")
    yield
    st_config.set_option("server.address", "127.0.0.1")


def test_exposed_without_sign_in_warns_and_never_uses_the_configured_key(app, monkeypatch, exposed):
    monkeypatch.setenv("MLSD_API_KEY", "sk-operator-0123456789abcdef")
    at = app(None).run()
    side = text_of(at, at.sidebar)
    assert "listening on every network interface without sign-in" in side
    assert "Backend: offline" in side and "0123456789abcdef"[-4:] not in side  # the key is not in use
    assert at.session_state["app_settings"].key_value() is None


def test_exposed_with_sign_in_serves_signed_in_users_the_configured_backend(app, monkeypatch, exposed):
    monkeypatch.setenv("MLSD_API_KEY", "sk-operator-0123456789abcdef")
    monkeypatch.setenv("MLSD_TRUSTED_USER_HEADER", HEADER)
    at = app("carol@example.com").run()
    side = text_of(at, at.sidebar)
    assert "without sign-in" not in side and "Backend: OpenAI-compatible" in side
    assert at.session_state["app_settings"].key_value() == "sk-operator-0123456789abcdef"
    assert not at.sidebar.get("selectbox")  # the operator's backend: no endpoint to point the key elsewhere


def test_killing_the_database_mid_interview_loses_no_answer(app, monkeypatch, postgres_binaries):
    with TemporaryPostgres() as pg:
        monkeypatch.setenv("MLSD_DATABASE_URL", pg.url)
        monkeypatch.setenv("MLSD_DB_TIMEOUT", "1")
        try:
            b = app(None)
            sid = start(b)
            say(b, ANSWERS[0])
            pg.stop("immediate")
            at = say(b, ANSWERS[1])  # typed while the server is down
            page = text_of(at)
            assert "The database is not reachable" in page
            assert f"postgresql://mlsd:****@127.0.0.1:{pg.port}/mlsd" in page and pg.password not in page
            assert "Your answer is not saved yet" in page and ANSWERS[1][:60] in page.replace("\\", "")
            at.button(key="interview_retry").click()
            assert "The database is not reachable" in text_of(b.run())  # still down: still kept, still said
            pg.start()
            at.button(key="interview_retry").click()
            at = b.run()
            assert not at.error and "not saved yet" not in text_of(at)
            turns = SessionStore(pg.url).turns(sid)
            candidate = [t["content"] for t in turns if t["role"] == "candidate"]
            assert candidate == ANSWERS[:2] and turns[-1]["role"] == "interviewer"  # once, and answered
            say(b, ANSWERS[2])  # the interview goes on
            assert [t["role"] for t in SessionStore(pg.url).turns(sid)][-2:] == ["candidate", "interviewer"]
        finally:
            forget_shared_databases()


def graded(overall: float, data: float, serving: float) -> dict:
    from mlsd.grading.report import GradeReport

    dims = [{"id": did, "title": did.title(), "phase": did, "weight": 0.5, "level": 2, "level_name": "solid",
             "max_level": 3, "covered": True, "score": score, "evidence": [], "missing": [], "criteria": []}
            for did, score in (("data", data), ("serving", serving))]
    return GradeReport(status="graded", reason=None, overall=overall, band="lean hire", rubric="base", problem=None,
                       backend="offline", dimensions=dims, flags={}).model_dump()


def test_instructors_see_cohort_aggregates_and_nobody_else_does(app, monkeypatch):
    monkeypatch.setenv("MLSD_TRUSTED_USER_HEADER", HEADER)
    monkeypatch.setenv("MLSD_ADMINS", "carol@example.com")
    people = {"ann@x.org": (60.0, 0.2, 0.8), "ben@x.org": (70.0, 0.4, 0.6), "cat@x.org": (80.0, 0.3, 0.9)}
    for person, scores in people.items():
        store = SessionStore(Settings().database, owner=person)
        sid = store.create(problem_id="bank_fraud_detection", problem_text=None, mode="mock", state={}, opening="Hi")
        store.add_turn(sid, "candidate", f"SECRET ANSWER OF {person}")
        store.end(sid, graded(*scores))
    SessionStore(Settings().database, owner="ann@x.org").create(
        problem_id=None, problem_text="PRIVATE CUSTOM PROBLEM", mode="mock", state={}, opening="Hi")

    carol = app("carol@example.com")
    carol.run()
    carol.at.switch_page("app_pages/cohort.py")
    at = carol.run()
    assert not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"People": "3", "Sessions": "4", "Graded": "3", "Uploads": "0"}
    dims = at.dataframe[0].value
    assert list(dims["Dimension"]) == ["Data", "Serving"] and list(dims["Mean score"]) == [30.0, 76.7]
    problems = at.dataframe[1].value
    assert set(zip(problems["Problem"], problems["Sessions"])) == {
        ("Real-time card fraud detection for a retail bank", 3), ("custom problems", 1)}
    assert list(at.dataframe[2].value["Mean overall"]) == [70.0]
    everything = text_of(at) + " ".join(str(d.value.to_dict()) for d in at.dataframe)
    assert "SECRET ANSWER" not in everything and "PRIVATE CUSTOM" not in everything
    assert not any(p in everything for p in people)  # nobody is named

    ann = app("ann@x.org")
    ann.run()
    with pytest.raises(ValueError, match="Known pages"):  # not in her navigation: the page does not exist for her
        ann.at.switch_page("app_pages/cohort.py")
