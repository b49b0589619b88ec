"""The session store on SQLite and on PostgreSQL: one schema, owners, keyed turns, upgrades, outages.

Every store test runs twice (`store_target`: a SQLite file, then a fresh PostgreSQL database on a
real throwaway server).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from mlsd.access.identity import act_as
from mlsd.core.config import LOCAL_USER, Settings
from mlsd.core.errors import ConfigError, DatabaseUnavailableError, NotFoundError
from mlsd.interview.sessions import SessionStore
from mlsd.llm.events import Exchange, ExchangeLog
from mlsd.llm.models import Message
from mlsd.storage import MIGRATIONS, mask_url, open_database, shared_database
from mlsd.storage.throwaway import TemporaryPostgres


def new_session(store: SessionStore, text: str = "Design a thing") -> str:
    return store.create(problem_id=None, problem_text=text, mode="mock", state={"n": 0}, opening="Hi")


def test_migrations_apply_once_and_reopening_runs_none(store_target):
    db = open_database(store_target)
    names = {r["name"] for r in db.all("SELECT name FROM _migrations")}
    assert names == {n for n, _ in MIGRATIONS}
    db.close()
    db = open_database(store_target)  # reopening must not re-run or fail
    assert db.scalar("SELECT count(*) AS n FROM _migrations") == len(MIGRATIONS)
    if db.dialect == "sqlite":
        assert db.scalar("PRAGMA journal_mode") == "wal"
    db.close()


def test_a_failed_transaction_leaves_nothing_and_the_database_usable(store_target):
    db = open_database(store_target)
    with pytest.raises(RuntimeError):
        with db.transaction() as tx:
            tx.execute("INSERT INTO sessions (id, owner, created, updated) VALUES ('s1', 'a', 'x', 'x')")
            raise RuntimeError("boom")
    assert db.scalar("SELECT count(*) AS n FROM sessions") == 0
    store = SessionStore(db)
    sid = new_session(store)
    with pytest.raises(Exception):
        store.add_turn(sid, "narrator", "not a role")  # the CHECK constraint fails inside the transaction
    assert store.add_turn(sid, "candidate", "still works") == 1
    db.close()


def test_a_session_round_trip(store_target):
    store = SessionStore(store_target, secret="sk-abcdefghijklmnop")
    sid = new_session(store)
    assert store.add_turn(sid, "candidate", "My key is sk-abcdefghijklmnop, oops", state={"n": 1}) == 1
    assert store.add_turn(sid, "interviewer", "What would you predict?", meta={"action": "probe"}) == 2
    row = store.get(sid)
    assert (row.owner, row.status, row.state, row.report) == (LOCAL_USER, "active", {"n": 1}, None)
    turns = store.turns(sid)
    assert [t["idx"] for t in turns] == [0, 1, 2] and turns[2]["meta"] == {"action": "probe"}
    # the interviewer's own reads leave the meta (stored unit vectors) out, and nothing else
    assert store.turns(sid, meta=False) == [{k: v for k, v in t.items() if k != "meta"} for t in turns]
    assert "sk-abcdefghijklmnop" not in turns[1]["content"] and "****" in turns[1]["content"]
    store.end(sid, {"status": "graded", "overall": 71.0})
    assert store.get(sid).status == "ended" and store.get(sid).report["overall"] == 71.0
    store.end(sid)  # ending again keeps the report
    assert store.get(sid).report["overall"] == 71.0
    assert "What would you predict?" in store.export_markdown(sid)
    assert [s.id for s in store.list()] == [sid]
    store.close()


def test_another_users_session_answers_exactly_like_a_missing_one(store_target):
    alice = SessionStore(store_target, owner="alice@example.com")
    bob = SessionStore(store_target, owner="bob@example.com")
    sid = new_session(alice, "Alice's private problem")
    alice.add_turn(sid, "candidate", "Alice's answer")
    for store, target in ((bob, sid), (alice, "nosuchsession")):
        for call in (store.get, store.export_json, store.export_markdown, store.transcript,
                     lambda s: store.add_turn(s, "candidate", "intruder"), lambda s: store.end(s, {"x": 1})):
            with pytest.raises(NotFoundError) as info:
                call(target)
            assert str(info.value) == f"no interview session {target!r}"
    assert bob.turns(sid) == [] and bob.list() == [] and not bob.has_turn(sid, "k")
    bob.save_state(sid, {"hijacked": True})  # touches nothing that is not bob's
    assert alice.get(sid).state == {"n": 0} and alice.get(sid).status == "active"
    assert [t["content"] for t in alice.turns(sid)] == ["Hi", "Alice's answer"]
    bob_sid = new_session(bob)
    assert [s.id for s in alice.list()] == [sid] and [s.id for s in bob.list()] == [bob_sid]
    alice.close(), bob.close()


def test_a_keyed_turn_is_stored_once_however_often_it_is_retried(store_target):
    store = SessionStore(store_target)
    sid = new_session(store)
    assert not store.has_turn(sid, "answer-1")
    assert store.add_turn(sid, "candidate", "first", key="answer-1") == 1
    assert store.add_turn(sid, "candidate", "first", key="answer-1") == 1
    assert store.has_turn(sid, "answer-1")
    assert store.add_turn(sid, "interviewer", "next?") == 2
    assert store.add_turn(sid, "candidate", "second", key="answer-2") == 3
    assert [t["content"] for t in store.turns(sid)] == ["Hi", "first", "next?", "second"]
    store.close()


def test_the_exchange_log_records_the_acting_user_and_no_secret(store_target):
    log = ExchangeLog(store_target, secret="mysecretvalue123", owner="cli-user")
    exchange = Exchange(backend="openai", model="m", kind="chat", messages=[Message("user", "key mysecretvalue123")],
                        response="ok \x00 done", error=None, attempts=1, duration_ms=3.0)  # PostgreSQL refuses NUL
    log(exchange)
    with act_as("alice@example.com"):
        log(exchange)
    rows = shared_database(store_target).all("SELECT owner, request, response FROM exchanges ORDER BY id")
    assert [r["owner"] for r in rows] == ["cli-user", "alice@example.com"]
    assert rows[0]["response"] == "ok \ufffd done"
    assert all("mysecretvalue123" not in r["request"] for r in rows)


OLD_SCHEMA = [  # the SQLite schema before owners, exactly as m001/m002 created it
    """CREATE TABLE exchanges (id INTEGER PRIMARY KEY, ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
       backend TEXT NOT NULL, model TEXT, kind TEXT NOT NULL, request TEXT NOT NULL, response TEXT, error TEXT,
       attempts INTEGER NOT NULL DEFAULT 1, duration_ms REAL)""",
    """CREATE TABLE sessions (id TEXT PRIMARY KEY, created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
       updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), problem_id TEXT, problem_text TEXT,
       mode TEXT NOT NULL DEFAULT 'mock', status TEXT NOT NULL DEFAULT 'active', state TEXT, report TEXT)""",
    """CREATE TABLE turns (session_id TEXT NOT NULL REFERENCES sessions(id), idx INTEGER NOT NULL,
       ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
       role TEXT NOT NULL CHECK (role IN ('interviewer', 'candidate')), content TEXT NOT NULL, meta TEXT,
       PRIMARY KEY (session_id, idx))""",
    "CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied TEXT)",
    "INSERT INTO _migrations VALUES ('m001_exchanges', datetime('now')), ('m002_sessions_and_turns', datetime('now'))",
    "INSERT INTO sessions (id, problem_id, status, report) VALUES ('old1', 'bank_fraud_detection', 'ended', "
    "'{\"status\": \"graded\", \"overall\": 64.0}')",
    "INSERT INTO sessions (id, problem_text) VALUES ('old2', 'Design spam detection')",
    "INSERT INTO turns (session_id, idx, role, content) VALUES ('old1', 0, 'interviewer', 'Opening'), "
    "('old1', 1, 'candidate', 'My old answer'), ('old2', 0, 'interviewer', 'Hello')",
    "INSERT INTO exchanges (backend, kind, request) VALUES ('openai', 'chat', '[]')",
]


def test_an_existing_sqlite_database_upgrades_in_place_and_everything_becomes_the_local_users(isolated_env):
    path = Settings().db_path
    path.parent.mkdir(parents=True)
    old = sqlite3.connect(path)
    for statement in OLD_SCHEMA:
        old.execute(statement)
    old.commit()
    old.close()
    store = SessionStore(Settings().database)
    assert {s.id for s in store.list()} == {"old1", "old2"}
    assert store.get("old1").report["overall"] == 64.0 and store.get("old1").owner == LOCAL_USER
    assert [t["content"] for t in store.turns("old1")] == ["Opening", "My old answer"]
    assert store.add_turn("old2", "candidate", "a new answer") == 1  # the upgraded schema takes new writes
    assert store.db.scalar("SELECT owner FROM exchanges") == LOCAL_USER
    assert SessionStore(store.db, owner="someone-else").list() == []
    store.close()


def test_a_server_that_is_down_is_named_with_its_password_masked(postgres_server):
    url = postgres_server.url.replace(str(postgres_server.port), "1")  # nothing listens on port 1
    with pytest.raises(DatabaseUnavailableError) as info:
        open_database(url, timeout=1)
    message = str(info.value)
    assert postgres_server.password not in message
    assert "postgresql://mlsd:****@127.0.0.1:1/mlsd" in message and "not reachable" in message
    assert "refused" in message.lower()


def test_mask_url_and_bad_database_urls():
    assert mask_url("postgresql://u:s3cret@db.example:5432/mlsd?sslmode=require") == \
        "postgresql://u:****@db.example:5432/mlsd?sslmode=require"
    assert mask_url("postgresql://db/mlsd") == "postgresql://db/mlsd"
    with pytest.raises(ConfigError, match="MLSD_DATABASE_URL"):
        open_database("mysql://u:pw@h/db")
    with pytest.raises(ConfigError) as info:
        open_database("mysql://u:pw@h/db")
    assert "pw" not in str(info.value).replace("password", "")


def test_the_store_recovers_when_the_server_comes_back(postgres_binaries):
    with TemporaryPostgres() as pg:
        store = SessionStore(open_database(pg.url, timeout=1.5))
        sid = new_session(store)
        pg.stop("immediate")
        with pytest.raises(DatabaseUnavailableError) as info:
            store.add_turn(sid, "candidate", "typed while the server was down", key="t1")
        assert pg.password not in str(info.value) and "****" in str(info.value)
        pg.start()
        assert store.add_turn(sid, "candidate", "typed while the server was down", key="t1") == 1
        assert [t["idx"] for t in store.turns(sid)] == [0, 1]
        store.db.close()


MIGRATOR = textwrap.dedent('''
    import sys
    from mlsd.storage import open_database
    db = open_database(sys.argv[1], timeout=20)
    print(db.scalar("SELECT count(*) AS n FROM _migrations"), flush=True)
''')


def test_replicas_starting_at_once_migrate_once(postgres_url):
    procs = [subprocess.Popen([sys.executable, "-c", MIGRATOR, postgres_url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    assert [int(out) for out, _ in outs] == [len(MIGRATIONS)] * 4
