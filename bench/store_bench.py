"""Session-store figures on SQLite and PostgreSQL: per-turn overhead, and a bounded load test.

    python -m bench.store_bench --candidates 50 --turns 20 --processes 5 [--database URL]

Load test: N simulated candidates (each its own user and session) answer T turns each, spread over
P processes that start together and interleave their writes. A turn is the store's work in a real
turn: the candidate's answer (keyed, as the app writes it), the new interview state, the
interviewer's reply. Afterwards every session must hold exactly 0..2T, each candidate's answers
once and in order: anything else counts as lost or duplicated. The time of each turn's writes
gives p50/p95 under load.

PostgreSQL comes from MLSD_BENCH_DATABASE_URL (never MLSD_DATABASE_URL: the bench writes junk), else
a throwaway server from Debian's binaries; with neither, the PostgreSQL figures are "not measured".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CANDIDATES = textwrap.dedent('''
    import json, os, sys, time
    from mlsd.interview.sessions import SessionStore
    from mlsd.storage import open_database
    target, go, worker, turns = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    names = sys.argv[5:]
    db = open_database(target, pool_size=2, timeout=30)
    stores = {n: SessionStore(db, owner=n) for n in names}
    sids = {n: s.create(problem_id=None, problem_text="Design " + n, mode="mock", state={}, opening="Hi")
            for n, s in stores.items()}
    while not os.path.exists(go):
        time.sleep(0.005)
    times = []
    for t in range(turns):
        for n, store in stores.items():
            started = time.perf_counter()
            store.add_turn(sids[n], "candidate", f"{n}|{t}|my answer to question {t}", key=f"{n}-{t}")
            store.save_state(sids[n], {"turn": t})
            store.add_turn(sids[n], "interviewer", f"question {t + 1}", meta={"action": "probe"})
            times.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"sessions": sids, "times": times}), flush=True)
''')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[int(q * (len(ordered) - 1))], 2)


def check_sessions(target: str, sessions: dict[str, str], turns: int) -> tuple[int, int]:
    """(lost, duplicated) candidate answers over every simulated candidate's session."""
    from mlsd.interview.sessions import SessionStore
    from mlsd.storage import open_database

    db, lost, duplicated = open_database(target), 0, 0
    for name, sid in sessions.items():
        stored = SessionStore(db, owner=name).turns(sid)
        answers = [t["content"] for t in stored if t["role"] == "candidate"]
        expected = [f"{name}|{t}|my answer to question {t}" for t in range(turns)]
        duplicated += len(answers) - len(set(answers))
        lost += len(set(expected) - set(answers))
        if [t["idx"] for t in stored] != list(range(len(stored))) or (not lost and answers != expected):
            lost += 1  # a gap, or answers out of order, is a broken session: count it
    db.close()
    return lost, duplicated


def load_test(target: str, candidates: int = 50, turns: int = 20, processes: int = 5) -> dict:
    """The bounded load test against `target` (a SQLite path or a PostgreSQL URL)."""
    from mlsd.storage import open_database

    open_database(target).close()  # migrate once, before the writers race
    names = [f"candidate-{i:03d}@load.test" for i in range(candidates)]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    with tempfile.TemporaryDirectory() as tmp:
        go = Path(tmp) / "go"
        procs = [subprocess.Popen([sys.executable, "-c", CANDIDATES, target, str(go), str(p), str(turns),
                                   *names[p::processes]], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env) for p in range(processes)]
        time.sleep(1.0)
        started = time.perf_counter()
        go.touch()
        outs = [p.communicate(timeout=600) for p in procs]
        wall = time.perf_counter() - started
    failed = [err[-500:] for (out, err), p in zip(outs, procs) if p.returncode != 0]
    if failed:
        raise RuntimeError(f"a load-test process failed: {failed[0]}")
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    sessions = {n: sid for r in results for n, sid in r["sessions"].items()}
    times = [t for r in results for t in r["times"]]
    lost, duplicated = check_sessions(target, sessions, turns)
    return {"candidates": candidates, "turns_each": turns, "processes": processes, "turns": len(times),
            "lost": lost, "duplicated": duplicated, "store_ms_p50": percentile(times, 0.5),
            "store_ms_p95": percentile(times, 0.95), "wall_s": round(wall, 1),
            "turns_per_s": round(len(times) / wall, 1) if wall else None}


@contextmanager
def bench_postgres():
    """(url, where) of a PostgreSQL to benchmark against, or (None, why not)."""
    url = os.environ.get("MLSD_BENCH_DATABASE_URL", "").strip()
    if url:
        yield url, "MLSD_BENCH_DATABASE_URL"
        return
    from mlsd.core.errors import ConfigError
    from mlsd.storage.throwaway import TemporaryPostgres

    try:
        server = TemporaryPostgres()
    except ConfigError as exc:
        yield None, f"no PostgreSQL: set MLSD_BENCH_DATABASE_URL or install Debian's postgresql ({exc})"
        return
    with server as pg:
        yield pg.url, f"a throwaway PostgreSQL {pg.bin.parent.name} on loopback"


def store_figures(bench) -> None:
    """The runner's part: load figures for both stores, and the turn overhead on PostgreSQL."""
    from .interview_bench import turn_overhead
    from .memo import no_memo
    from .specs import FIGURE_KEYS

    n, turns, procs = bench.size["load"]
    load = f"{n} simulated candidates x {turns} turns from {procs} processes (answer, state, reply per turn)"
    with bench_postgres() as (url, where):
        runs = {"sqlite": str(bench.home / "load.db")} | ({"pg": url} if url else {})
        for store, target in runs.items():
            result = load_test(target, n, turns, procs)
            bench.details[f"load_{store}"] = result
            note = f"{load}, {where if store == 'pg' else 'SQLite WAL'}, {result['turns_per_s']} turns/s"
            for key in ("lost", "duplicated"):
                bench.set(f"load_turns_{key}_{store}", result[key], note)
            for q in ("p50", "p95"):
                bench.set(f"load_store_ms_{q}_{store}", result[f"store_ms_{q}"], note)
        if not url:
            bench.skip([k for k in FIGURE_KEYS if "_pg" in k], where)
            return
        with no_memo():
            result = turn_overhead(bench.ours_answers, turns=bench.size["overhead_turns"], database=url)
        bench.details["turn_overhead_pg"] = result
        note = (f"{result.get('turns')} offline interviewer turns, session store on {where}; embedding alone p50 "
                f"{result.get('embedding_ms_p50')} ms")
        bench.set("turn_overhead_pg_ms_p50", result.get("turn_overhead_ms_p50"), note)
        bench.set("turn_overhead_pg_ms_p95", result.get("turn_overhead_ms_p95"), note)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=50)
    ap.add_argument("--turns", type=int, default=20)
    ap.add_argument("--processes", type=int, default=5)
    ap.add_argument("--database", default=None, help="a PostgreSQL URL or a SQLite path (default: both stores)")
    args = ap.parse_args()
    size = (args.candidates, args.turns, args.processes)
    if args.database:
        print(json.dumps(load_test(args.database, *size)))
    else:
        with tempfile.TemporaryDirectory() as tmp, bench_postgres() as (pg_url, where):
            print(json.dumps({"sqlite": load_test(str(Path(tmp) / "load.db"), *size),
                              "postgresql": load_test(pg_url, *size) if pg_url else where}))
