"""The session store: graded uploads kept beside interviews, deletion, and the kind migration."""

from __future__ import annotations

import sqlite3

import pytest

from mlsd.core.db import MIGRATIONS, migrate
from mlsd.core.errors import NotFoundError
from mlsd.grading.transcript import Transcript, Turn
from mlsd.interview.sessions import SessionStore

KEY = "sk-test-0123456789abcdefXYZ"
TRANSCRIPT = Transcript(problem="bank_fraud_detection", turns=[
    Turn(role="interviewer", content="Design fraud detection for card payments."),
    Turn(role="candidate", content=f"I'd score each authorization in under 50 ms. My key is {KEY}."),
])
REPORT = {"status": "graded", "overall": 61.5, "band": "lean hire", "note": f"quoted {KEY}"}


def test_a_graded_upload_is_kept_with_its_turns_report_and_source(tmp_path):
    store = SessionStore(tmp_path / "s.db", secret=KEY)
    sid = store.save_upload(problem_id="bank_fraud_detection", problem_text=None, transcript=TRANSCRIPT,
                            report=REPORT, source="fraud.json")
    row = store.get(sid)
    assert (row.kind, row.status, row.problem_id, row.mode) == ("upload", "ended", "bank_fraud_detection", "")
    assert row.state == {"source": "fraud.json"}
    assert row.report["overall"] == 61.5 and KEY not in str(row.report)
    turns = store.turns(sid)
    assert [t["role"] for t in turns] == ["interviewer", "candidate"] and [t["idx"] for t in turns] == [0, 1]
    assert KEY not in turns[1]["content"] and "****" in turns[1]["content"]
    assert store.export_markdown(sid).startswith(f"# Graded upload {sid} — bank_fraud_detection")
    assert Transcript.model_validate_json(store.export_json(sid)).turns[0].content == TRANSCRIPT.turns[0].content
    assert [r.id for r in store.list()] == [sid]


def test_a_custom_problem_upload_keeps_the_statement(tmp_path):
    store = SessionStore(tmp_path / "s.db")
    sid = store.save_upload(problem_id=None, problem_text="Design a spam filter", transcript=TRANSCRIPT,
                            report=REPORT, source="pasted text")
    assert store.get(sid).problem_text == "Design a spam filter" and store.get(sid).problem_id is None


def test_delete_removes_a_session_and_its_turns_and_names_an_unknown_one(tmp_path):
    store = SessionStore(tmp_path / "s.db")
    interview = store.create(problem_id="search_ranking", problem_text=None, mode="mock", state={}, opening="Hi")
    store.add_turn(interview, "candidate", "Learning to rank.")
    upload = store.save_upload(problem_id=None, problem_text="x", transcript=TRANSCRIPT, report=REPORT,
                               source="a.txt")
    store.delete(interview)
    assert [r.id for r in store.list()] == [upload]
    assert store.db.execute("SELECT count(*) FROM turns WHERE session_id=?", (interview,)).fetchone()[0] == 0
    with pytest.raises(NotFoundError, match=f"no session '{interview}' to delete"):
        store.delete(interview)
    store.delete(upload)
    assert store.list() == []


def test_the_kind_migration_keeps_existing_sessions_as_interviews(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied TEXT)")
    for name, fn in MIGRATIONS:
        if name < "m003":
            fn(old)
            old.execute("INSERT INTO _migrations VALUES (?, 'before')", (name,))
    old.execute("INSERT INTO sessions (id, problem_id, mode) VALUES ('s1', 'eta_prediction', 'practice')")
    old.close()
    store = SessionStore(path)  # opening migrates in place
    row = store.get("s1")
    assert (row.kind, row.problem_id, row.mode) == ("interview", "eta_prediction", "practice")
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("UPDATE sessions SET kind='other' WHERE id='s1'")
    migrate(store.db)  # again: nothing to do
    assert store.db.execute("SELECT count(*) FROM _migrations WHERE name='m003_session_kind'").fetchone()[0] == 1
