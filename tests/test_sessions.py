"""The session store: graded uploads kept beside interviews, deletion, and the kind migration.

Every test that takes `store_target` runs on a SQLite file and on a fresh PostgreSQL database.
"""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from mlsd.core.config import LOCAL_USER
from mlsd.core.errors import NotFoundError
from mlsd.grading.transcript import Transcript, Turn
from mlsd.interview.sessions import SessionStore
from mlsd.storage import MIGRATIONS, open_database
from mlsd.storage.schema import migrate
from mlsd.storage.urls import is_postgres, sqlite_path

KEY = "sk-test-0123456789abcdefXYZ"
TRANSCRIPT = Transcript(problem="bank_fraud_detection", turns=[
    Turn(role="interviewer", content="Design fraud detection for card payments."),
    Turn(role="candidate", content=f"I'd score each authorization in under 50 ms. My key is {KEY}."),
])
REPORT = {"status": "graded", "overall": 61.5, "band": "lean hire", "note": f"quoted {KEY}"}


def upload(store: SessionStore, source: str = "a.txt") -> str:
    return store.save_upload(problem_id=None, problem_text="x", transcript=TRANSCRIPT, report=REPORT, source=source)


def test_a_graded_upload_is_kept_with_its_turns_report_and_source(store_target):
    store = SessionStore(store_target, secret=KEY)
    sid = store.save_upload(problem_id="bank_fraud_detection", problem_text=None, transcript=TRANSCRIPT,
                            report=REPORT, source="fraud.json")
    row = store.get(sid)
    assert (row.kind, row.status, row.problem_id, row.mode) == ("upload", "ended", "bank_fraud_detection", "")
    assert row.owner == LOCAL_USER
    assert row.state == {"source": "fraud.json"}
    assert row.report["overall"] == 61.5 and KEY not in str(row.report)
    turns = store.turns(sid)
    assert [t["role"] for t in turns] == ["interviewer", "candidate"] and [t["idx"] for t in turns] == [0, 1]
    assert KEY not in turns[1]["content"] and "****" in turns[1]["content"]
    assert store.export_markdown(sid).startswith(f"# Graded upload {sid} — bank_fraud_detection")
    assert Transcript.model_validate_json(store.export_json(sid)).turns[0].content == TRANSCRIPT.turns[0].content
    assert [r.id for r in store.list()] == [sid]
    store.close()


def test_a_custom_problem_upload_keeps_the_statement(store_target):
    store = SessionStore(store_target)
    sid = store.save_upload(problem_id=None, problem_text="Design a spam filter", transcript=TRANSCRIPT,
                            report=REPORT, source="pasted text")
    assert store.get(sid).problem_text == "Design a spam filter" and store.get(sid).problem_id is None
    store.close()


def test_delete_removes_a_session_and_its_turns_and_names_an_unknown_one(store_target):
    store = SessionStore(store_target)
    interview = store.create(problem_id="search_ranking", problem_text=None, mode="mock", state={}, opening="Hi")
    store.add_turn(interview, "candidate", "Learning to rank.")
    kept = upload(store)
    store.delete(interview)
    assert [r.id for r in store.list()] == [kept]
    assert store.db.scalar("SELECT count(*) AS n FROM turns WHERE session_id=?", (interview,)) == 0
    with pytest.raises(NotFoundError, match=f"no session '{interview}' to delete"):
        store.delete(interview)
    store.delete(kept)
    assert store.list() == []
    store.close()


def test_uploads_are_their_owners_and_another_users_id_deletes_like_a_missing_one(store_target):
    alice = SessionStore(store_target, owner="alice@example.com")
    bob = SessionStore(store_target, owner="bob@example.com")
    hers = upload(alice, source="alice-mock.json")
    assert alice.get(hers).owner == "alice@example.com" and [r.id for r in alice.list()] == [hers]
    assert bob.list() == [] and bob.turns(hers) == []
    for target in (hers, "nosuchsession"):
        with pytest.raises(NotFoundError) as info:
            bob.delete(target)
        assert str(info.value) == f"no session {target!r} to delete"  # the same words: nothing says it exists
        with pytest.raises(NotFoundError) as info:
            bob.get(target)
        assert str(info.value) == f"no interview session {target!r}"
    assert [t["role"] for t in alice.turns(hers)] == ["interviewer", "candidate"]  # bob deleted nothing
    his = upload(bob, source="bob.txt")
    alice.delete(hers)
    assert alice.list() == [] and [r.id for r in bob.list()] == [his]
    alice.close(), bob.close()


def unmigrated(target: str):
    """The database behind `target` with no migration run (open_database would run them all)."""
    if is_postgres(target):
        from mlsd.storage.postgres import PostgresDatabase

        return PostgresDatabase(target)
    from mlsd.storage.sqlite import SqliteDatabase

    return SqliteDatabase(sqlite_path(target))


def test_the_kind_migration_keeps_existing_sessions_as_interviews(store_target):
    old = unmigrated(store_target)
    with old.transaction() as tx:
        tx.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied TEXT)")
        for name, fn in MIGRATIONS:
            if name != "m003_session_kind":
                fn(tx)
                tx.execute("INSERT INTO _migrations VALUES (?, 'before')", (name,))
        tx.execute("INSERT INTO sessions (id, problem_id, mode) VALUES ('s1', 'eta_prediction', 'practice')")
    old.close()
    store = SessionStore(store_target)  # opening migrates in place
    row = store.get("s1")
    assert (row.kind, row.problem_id, row.mode) == ("interview", "eta_prediction", "practice")
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)), store.db.transaction() as tx:
        tx.execute("UPDATE sessions SET kind='other' WHERE id='s1'")
    assert migrate(store.db) == []  # again: nothing to do
    assert store.db.scalar("SELECT count(*) AS n FROM _migrations WHERE name='m003_session_kind'") == 1
    store.close()


def test_a_database_kept_before_owners_with_uploads_upgrades_and_keeps_them(tmp_path):
    """A SQLite file written by the history branch alone (kind, no owners): its uploads become the local user's."""
    path = tmp_path / "mlsd.db"
    old = sqlite3.connect(path, isolation_level=None)
    for statement in (
        "CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied TEXT)",
        ("CREATE TABLE exchanges (id INTEGER PRIMARY KEY, ts TEXT, backend TEXT NOT NULL, model TEXT, "
         "kind TEXT NOT NULL, request TEXT NOT NULL, response TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 1, "
         "duration_ms REAL)"),
        ("CREATE TABLE sessions (id TEXT PRIMARY KEY, created TEXT NOT NULL DEFAULT '2025-01-01T00:00:00.000Z', "
         "updated TEXT NOT NULL DEFAULT '2025-01-01T00:00:00.000Z', problem_id TEXT, problem_text TEXT, "
         "mode TEXT NOT NULL DEFAULT 'mock', status TEXT NOT NULL DEFAULT 'active', state TEXT, report TEXT, "
         "kind TEXT NOT NULL DEFAULT 'interview' CHECK (kind IN ('interview', 'upload')))"),
        ("CREATE TABLE turns (session_id TEXT NOT NULL REFERENCES sessions(id), idx INTEGER NOT NULL, ts TEXT, "
         "role TEXT NOT NULL CHECK (role IN ('interviewer', 'candidate')), content TEXT NOT NULL, meta TEXT, "
         "PRIMARY KEY (session_id, idx))"),
        ("INSERT INTO _migrations VALUES ('m001_exchanges', 'x'), ('m002_sessions_and_turns', 'x'), "
         "('m003_session_kind', 'x')"),
        ("INSERT INTO sessions (id, kind, problem_id, mode, status, state, report) VALUES ('up1', 'upload', "
         "'bank_fraud_detection', '', 'ended', '{\"source\": \"old.json\"}', "
         "'{\"status\": \"graded\", \"overall\": 58}')"),
        "INSERT INTO turns (session_id, idx, role, content) VALUES ('up1', 0, 'candidate', 'my old answer')",
    ):
        old.execute(statement)
    old.close()
    store = SessionStore(path)
    assert {n for n, _ in MIGRATIONS} == {r["name"] for r in store.db.all("SELECT name FROM _migrations")}
    [row] = store.list()
    assert (row.id, row.kind, row.owner, row.state) == ("up1", "upload", LOCAL_USER, {"source": "old.json"})
    assert SessionStore(store.db, owner="someone-else").list() == []
    store.delete("up1")
    assert store.list() == []
    store.close()



def test_mlsd_sessions_shows_the_kind_and_only_mlsd_users_sessions(monkeypatch):
    from click.testing import CliRunner

    from mlsd.cli import cli
    from mlsd.core.config import Settings

    alice = SessionStore(Settings().database, owner="alice@example.com")
    kept = upload(alice)
    interview = alice.create(problem_id="search_ranking", problem_text=None, mode="mock", state={}, opening="Hi")
    monkeypatch.setenv("MLSD_USER", "alice@example.com")
    lines = {line.split()[0]: line.split() for line in CliRunner().invoke(cli, ["sessions"]).output.splitlines()}
    assert lines[kept][2:5] == ["upload", "ended", "62"] and lines[interview][2:4] == ["interview", "active"]
    monkeypatch.setenv("MLSD_USER", "bob@example.com")
    assert CliRunner().invoke(cli, ["sessions"]).output == ""
    alice.close()


def test_the_cohort_view_counts_graded_uploads_as_sessions_and_grades(store_target):
    from mlsd.cohort import cohort_report
    from mlsd.content.problems import load_problems
    from test_cohort_app import graded

    db = open_database(store_target)
    for person, overall in (("ann@x.org", 50.0), ("ben@x.org", 60.0), ("cat@x.org", 70.0)):
        SessionStore(db, owner=person).save_upload(problem_id="bank_fraud_detection", problem_text=None,
                                                   transcript=TRANSCRIPT, report=graded(overall, 0.5, 0.5),
                                                   source="mine.json")
    SessionStore(db, owner="ann@x.org").create(problem_id="bank_fraud_detection", problem_text=None, mode="mock",
                                               state={}, opening="Hi")
    report = cohort_report(db, load_problems())
    assert (report.people, report.sessions, report.graded, report.uploads) == (3, 4, 3, 3)
    assert [w.mean_overall for w in report.trend] == [60.0] and report.dimensions
    db.close()
