"""`mlsd bench`: every quality and speed figure beside its goal (the runner lives in bench/).

The benchmark package sits next to src/ in a source checkout (it reads bench/data and tests/data), so the
command puts the checkout's root on sys.path when `bench` is not importable already.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from mlsd.cli.common import friendly_errors
from mlsd.core.errors import ConfigError

CHECKOUT = Path(__file__).resolve().parents[3]


def load_runner():
    """bench.runner from this source checkout."""
    if (CHECKOUT / "bench" / "runner.py").is_file() and str(CHECKOUT) not in sys.path:
        sys.path.insert(0, str(CHECKOUT))
    try:
        return importlib.import_module("bench.runner")
    except ModuleNotFoundError as exc:
        if exc.name not in ("bench", "bench.runner"):
            raise
        raise ConfigError(f"mlsd bench needs a source checkout of mlsd: no bench/ package next to {CHECKOUT / 'src'}; "
                          "run it from a clone (pip install -e .)") from None


@click.command("bench")
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Labelled answers in the eval-corpus format (default: ../shared/eval-corpus from the repo "
                   "root when present, else bench/data/answers).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@click.option("--quick", is_flag=True, help="A few items per part (CI smoke test); skips the RSS subprocess.")
@click.option("--llm", "use_llm", is_flag=True,
              help="Also grade through the configured LLM and time a streamed chat (MLSD_LLM=local works offline).")
@friendly_errors
def bench_cmd(corpus: Path | None, as_json: bool, quick: bool, use_llm: bool) -> None:
    """Run the benchmarks and print every figure with its goal. Exit 0 even when goals are missed;
    1 when a part fails with an error."""
    runner = load_runner()
    code = runner.run_and_print(runner.Options(corpus=corpus, quick=quick, llm=use_llm), as_json=as_json,
                                echo=click.echo, progress=runner.stderr_progress)
    if code:
        raise SystemExit(code)


commands = {"bench": bench_cmd}
