"""Crash safety and concurrency of the session store, on SQLite (WAL) and on PostgreSQL (row locks).

Every test runs on both stores (`store_target`): a SQLite file and a database on a real PostgreSQL server.

- kill -9 mid-turn, while the LLM is slowly streaming a reply from a loopback server: on restart
  every committed turn is there and the interview resumes and completes the pending turn;
- kill -9 a writer in a tight loop of turn writes: every turn it reported committed survives, and
  the database passes an integrity check;
- 20 sessions x 50 turns written at once from threads (sharing one store, and each with its own)
  and from processes: indexes are 0..n-1 per session, nothing is lost, duplicated or interleaved,
  and each writer's turns appear in the order it wrote them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from mlsd.interview.interviewer import Interviewer
from mlsd.interview.sessions import SessionStore

from . import fake_openai as fo
from .conftest import loopback_settings
from .helpers import FIGURES, ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def assert_intact(store: SessionStore) -> None:
    """SQLite's own integrity check; on both, no (session, idx) pair stored twice."""
    if store.db.dialect == "sqlite":
        assert store.db.scalar("PRAGMA journal_mode") == "wal"
        assert store.db.scalar("PRAGMA integrity_check") == "ok"
    twice = store.db.all("SELECT session_id, idx FROM turns GROUP BY session_id, idx HAVING count(*) > 1")
    assert twice == []


def wait_for(predicate, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


INTERVIEW = textwrap.dedent('''
    import sys
    from mlsd.core.config import Settings
    from mlsd.interview.interviewer import Interviewer
    from mlsd.llm import get_llm
    from mlsd.interview.sessions import SessionStore
    db, base_url = sys.argv[1], sys.argv[2]
    settings = Settings(llm="openai", base_url=base_url, model="m", max_retries=1, timeout=60)
    store = SessionStore(db)
    iv = Interviewer.start(store, problem_id="bank_fraud_detection", llm=get_llm(settings, log=False))
    print(iv.session_id, flush=True)
    iv.respond("What is the latency budget for a decision?")
    iv.respond("I would predict the probability of fraud for each authorization and decline above a threshold.")
    print("two turns done", flush=True)
    iv.respond("Labels come from chargebacks that arrive within sixty days.")  # the reply never finishes
    print("unreachable", flush=True)
''')


def test_kill_9_during_a_slow_llm_reply_loses_no_committed_turn(fake_server, tmp_path, store_target):
    db = store_target
    slow = fo.reply("Thanks. Let me think about how to phrase the next question for you", delay=30, pieces=8)
    server = fake_server(fo.reply("Understood, thanks."), fo.reply("Good. What would you predict exactly?"),
                         default=slow)
    proc = subprocess.Popen([sys.executable, "-c", INTERVIEW, str(db), server.base_url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        wait_for(lambda: len(server.chat_requests) >= 3 or proc.poll() is not None, 180, "the third LLM call")
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.3)  # the reply has started streaming: the process is mid-turn
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    out = proc.stdout.read()
    assert proc.returncode == -signal.SIGKILL and "unreachable" not in out
    sid = out.split()[0]
    FIGURES["processes killed mid-turn"] += 1

    store = SessionStore(db)
    assert_intact(store)
    turns = store.turns(sid)
    assert [t["role"] for t in turns] == ["interviewer", "candidate", "interviewer", "candidate", "interviewer",
                                          "candidate"]
    assert turns[-1]["content"] == "Labels come from chargebacks that arrive within sixty days."
    assert turns[4]["content"] == "Good. What would you predict exactly?"
    FIGURES["turns lost"] += 6 - len(turns)

    server.default = fo.reply("And how quickly do those labels arrive?")
    from mlsd.llm import get_llm

    iv = Interviewer.resume(store, sid, llm=get_llm(loopback_settings(server.base_url, tmp_path)))
    assert iv.pending_reply and iv.state.revealed == ["latency_budget"]
    list(iv.deliver(iv.plan_pending()))
    r = iv.respond("They arrive within sixty days; I would train on data older than that.")
    turns = iv.turns()
    assert [t["idx"] for t in turns] == list(range(9)) and not iv.pending_reply
    assert turns[6]["content"] == "And how quickly do those labels arrive?" and turns[-1]["content"] == r.message
    store.close()


WRITER = textwrap.dedent('''
    import sys
    from mlsd.interview.sessions import SessionStore
    store = SessionStore(sys.argv[1])
    sid = sys.argv[2]
    for k in range(100000):
        idx = store.add_turn(sid, "candidate", f"turn {k} " + "x" * 2000, meta={"k": k})
        print(idx, flush=True)
''')


def test_kill_9_in_a_burst_of_writes_keeps_every_committed_turn(store_target):
    db = store_target
    store = SessionStore(db)
    sid = store.create(problem_id=None, problem_text="Design a thing", mode="mock", state={}, opening="Hi")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db), sid], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV)
    reported = []
    try:
        for line in proc.stdout:
            reported.append(int(line))
            if len(reported) >= 150:
                os.kill(proc.pid, signal.SIGKILL)
                break
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    FIGURES["processes killed mid-turn"] += 1
    store.close()
    store = SessionStore(db)
    assert_intact(store)
    turns = store.turns(sid)
    idxs = [t["idx"] for t in turns]
    assert idxs == list(range(len(idxs)))  # contiguous: no half-written turn
    assert set(reported) <= set(idxs)  # everything reported committed is there
    for t in turns[1:]:
        k = t["meta"]["k"]
        assert t["idx"] == k + 1 and t["content"] == f"turn {k} " + "x" * 2000
    FIGURES["turns lost"] += len(set(reported) - set(idxs))
    store.close()


# -- concurrency ----------------------------------------------------------------------------------
SESSIONS, TURNS = 20, 50
PROCESSES = 4

PROC_WRITER = textwrap.dedent('''
    import os, sys, time
    from mlsd.interview.sessions import SessionStore
    db, go, writer, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    sids = sys.argv[5:]
    store = SessionStore(db)
    while not os.path.exists(go):
        time.sleep(0.005)
    for k in range(n):
        for sid in sids:
            store.add_turn(sid, "candidate", f"{sid}|{writer}|{k}")
    print("done", flush=True)
''')


def thread_writer(store_for, sid: str, writer: str, n: int, go: threading.Event, errors: list) -> None:
    try:
        store = store_for()
        go.wait(60)
        for k in range(n):
            store.add_turn(sid, "candidate", f"{sid}|{writer}|{k}")
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def test_20_sessions_x_50_turns_from_threads_and_processes(tmp_path, store_target):
    db = store_target
    main = SessionStore(db)
    sids = [main.create(problem_id=None, problem_text=f"Design system {i}", mode="mock", state={}, opening="Hi")
            for i in range(SESSIONS)]
    shared = SessionStore(db)  # one connection used by many threads, as a web server might
    half = TURNS // 2
    go_file, go = tmp_path / "go", threading.Event()
    # each session: one writer in a process and one in a thread, 25 turns each
    groups = [sids[i::PROCESSES] for i in range(PROCESSES)]
    procs = [subprocess.Popen([sys.executable, "-c", PROC_WRITER, str(db), str(go_file), f"p{i}", str(half), *group],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
             for i, group in enumerate(groups)]
    errors: list = []
    threads = []
    for i, sid in enumerate(sids):
        store_for = (lambda: shared) if i % 2 else (lambda: SessionStore(db))
        threads.append(threading.Thread(target=thread_writer, args=(store_for, sid, f"t{i}", half, go, errors)))
    for t in threads:
        t.start()
    time.sleep(1.0)  # let the processes import and open the database
    go_file.touch()
    go.set()
    for t in threads:
        t.join(120)
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "done" in out, err
    assert errors == [], errors[:3]

    lost = duplicated = 0
    for sid in sids:
        turns = main.turns(sid)
        assert [t["idx"] for t in turns] == list(range(1 + TURNS)), sid  # 0..n-1, no gap, no duplicate
        contents = [t["content"] for t in turns[1:]]
        duplicated += len(contents) - len(set(contents))
        by_writer: dict[str, list[int]] = {}
        for c in contents:
            owner, writer, k = c.split("|")
            assert owner == sid, "a turn landed in another session"
            by_writer.setdefault(writer, []).append(int(k))
        assert len(by_writer) == 2
        for writer, ks in by_writer.items():
            assert ks == list(range(half)), (sid, writer)  # all of them, in the order written
        lost += TURNS - len(contents)
    FIGURES["concurrent turns written"] += SESSIONS * TURNS
    FIGURES["turns lost"] += lost
    FIGURES["turns duplicated"] += duplicated
    assert lost == duplicated == 0
    assert_intact(main)
    main.close()
    shared.close()


def test_writes_are_transactions(store_target):
    store = SessionStore(store_target)
    assert_intact(store)
    sid = store.create(problem_id=None, problem_text="Design", mode="mock", state={}, opening="Hi")
    with pytest.raises(Exception):
        store.add_turn(sid, "narrator", "not a role")  # the CHECK constraint fails inside the transaction
    assert [t["idx"] for t in store.turns(sid)] == [0]
    store.add_turn(sid, "candidate", "still works")
    assert [t["idx"] for t in store.turns(sid)] == [0, 1]
    store.close()
