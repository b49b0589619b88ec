"""Resources and raw speed: the machine, peak RSS of the offline app path, LLM streaming speed.

    python -m bench.resource_bench --workload offline   # what `rss_mb_peak` runs, in a fresh process

The RSS figure comes from a fresh subprocess (so nothing the benchmark itself loaded counts) that
runs a representative offline workload — load the embedder, build the knowledge index into an
empty temporary MLSD_HOME and search it, a 10-turn interview (with retrieval for phrasing context,
as the app does), and a grade — then reports `resource.getrusage(RUSAGE_SELF).ru_maxrss`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULT_PREFIX = "BENCH-RESULT "


# -- the machine ------------------------------------------------------------------------------------
def _proc_value(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.split(":")[0].strip() == key:
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine() -> dict:
    mem = _proc_value("/proc/meminfo", "MemTotal")  # "24684544 kB"
    ram_gb = round(int(mem.split()[0]) / 1024 / 1024, 1) if mem else None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {"cores": os.cpu_count(), "usable_cores": usable, "ram_gb": ram_gb,
            "cpu_model": _proc_value("/proc/cpuinfo", "model name") or platform.processor() or platform.machine(),
            "python": platform.python_version(), "platform": platform.platform(terse=True), "load_avg": load}


def machine_line(m: dict) -> str:
    cores = f"{m['cores']} cores" + (f" ({m['usable_cores']} usable)" if m.get("usable_cores") != m["cores"] else "")
    ram = f"{m['ram_gb']} GB RAM" if m.get("ram_gb") is not None else "RAM unknown"
    return f"{cores}, {ram}, {m['cpu_model']}, Python {m['python']}, {m['platform']}"


def max_rss_mb(usage: resource.struct_rusage) -> float:
    """This process's peak resident set. On Linux ru_maxrss survives execve, so a child started by a
    large parent reports the parent's peak: the kernel's VmHWM for this address space is read instead."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    # ru_maxrss is KB on Linux, bytes on macOS.
    return usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


# -- the workload run in the child ------------------------------------------------------------------
def offline_workload(turns: int = 10) -> dict:
    from mlsd.core.config import Settings

    steps: dict[str, float] = {}
    home = Path(tempfile.mkdtemp(prefix="mlsd-rss-"))
    try:
        os.environ["MLSD_HOME"] = str(home)
        settings = Settings(home=home, llm="offline", chroma_host=None, embeddings_base_url=None)

        t = time.perf_counter()
        from mlsd.knowledge.embeddings import get_embedder

        get_embedder().embed(["warm up the embedder"])
        steps["embedder_load_s"] = time.perf_counter() - t

        t = time.perf_counter()
        from mlsd.knowledge.index import ensure_index

        index = ensure_index(settings)
        hits = index.search("How do I detect that my input distribution changed?", k=5)
        steps["index_build_and_search_s"] = time.perf_counter() - t

        from .grading_bench import load_transcript_sets
        from mlsd.interview.interviewer import Interviewer
        from mlsd.interview.sessions import SessionStore

        sets = load_transcript_sets()
        problem = sorted(sets)[0]
        answers = [tr["content"] for label in ("strong", "handwavy") for tr in sets[problem][label]["turns"]
                   if tr["role"] == "candidate"]
        t = time.perf_counter()
        store = SessionStore(settings.db_path)
        iv = Interviewer.start(store, problem_id=problem, time_budget_min=240, settings=settings)
        for text in answers[:turns]:
            if iv.state.status == "wrapped":
                iv.state.status = "active"
            iv.respond(text)
        steps["interview_s"] = time.perf_counter() - t

        t = time.perf_counter()
        report = iv.end_and_grade()
        steps["grade_s"] = time.perf_counter() - t
        store.close()
        return {"rss_mb_peak": round(max_rss_mb(resource.getrusage(resource.RUSAGE_SELF)), 1),
                "steps": {k: round(v, 2) for k, v in steps.items()}, "search_hits": len(hits),
                "interview_turns": min(turns, len(answers)), "grade_status": report.status}
    finally:
        shutil.rmtree(home, ignore_errors=True)


def noop_workload() -> dict:
    """Interpreter only: exercises the subprocess plumbing in tests."""
    return {"rss_mb_peak": round(max_rss_mb(resource.getrusage(resource.RUSAGE_SELF)), 1), "steps": {}}


WORKLOADS = {"offline": offline_workload, "noop": noop_workload}


def measure_rss(workload: str = "offline", timeout: float = 600) -> dict:
    """Run `workload` in a fresh interpreter and return what it reports (rss_mb_peak and step times)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.setdefault("MLSD_LLM", "offline")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bench.resource_bench", "--workload", workload], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{workload} workload failed (exit {proc.returncode}): " + " | ".join(tail))
    result = json.loads(lines[-1][len(RESULT_PREFIX):])
    result["subprocess_s"] = round(time.perf_counter() - started, 2)
    return result


# -- LLM streaming speed ----------------------------------------------------------------------------
STREAM_PROMPT = [
    ("system", "You are a concise senior ML engineer."),
    ("user", "In three or four sentences: what is training-serving skew, and how do you prevent it?"),
]


def stream_once(llm, max_tokens: int = 128) -> dict:
    """Time to first non-empty piece and pieces per second after it, through `llm.stream` (the seam).
    llama.cpp and OpenAI-compatible servers stream about one token per chunk."""
    started = time.perf_counter()
    first = last = None
    pieces = chars = 0
    for piece in llm.stream(STREAM_PROMPT, max_tokens=max_tokens):
        now = time.perf_counter()
        if first is None:
            first = now
        last = now
        pieces += 1
        chars += len(piece)
    if first is None:
        return {"ttft_s": None, "tokens_per_s": None, "pieces": 0, "chars": 0}
    rate = (pieces - 1) / (last - first) if pieces > 1 and last > first else None
    return {"ttft_s": first - started, "tokens_per_s": rate, "pieces": pieces, "chars": chars,
            "total_s": last - started}


def stream_speed(llm, runs: int = 3) -> dict:
    warm = stream_once(llm)  # the first request pays for connection setup and any lazy loading
    measured = [stream_once(llm) for _ in range(max(1, runs))]
    ttfts = [m["ttft_s"] for m in measured if m["ttft_s"] is not None]
    rates = [m["tokens_per_s"] for m in measured if m["tokens_per_s"] is not None]
    return {"llm_ttft_s": round(statistics.median(ttfts), 3) if ttfts else None,
            "llm_tokens_per_s": round(statistics.median(rates), 1) if rates else None,
            "runs": len(measured), "pieces": [m["pieces"] for m in measured],
            "warmup_ttft_s": round(warm["ttft_s"], 3) if warm["ttft_s"] is not None else None}


def describe_llm(llm, settings) -> str:
    """Model name, and a warning label when it is the bundled tiny model."""
    name = getattr(llm, "model_name", "?")
    if settings.backend() == "local":
        try:
            from mlsd.llm.local import model_path

            path = model_path(settings)
            name = path.name
            if re.search(r"135m|smollm", path.name, re.I):
                name += " (bundled tiny model: content quality meaningless; schema and speed only)"
        except Exception:
            pass
    return f"{settings.backend()}: {name}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="offline")
    args = parser.parse_args(argv)
    print(RESULT_PREFIX + json.dumps(WORKLOADS[args.workload]()), flush=True)


if __name__ == "__main__":
    main()
