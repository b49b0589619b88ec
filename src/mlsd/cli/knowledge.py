"""`mlsd index` and `mlsd ask`: build the knowledge index and ask it questions."""

from __future__ import annotations

import json

import click

from mlsd.cli.common import ProgressBar, friendly_errors
from mlsd.core.config import Settings


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Drop the index and embed every note again.")
@friendly_errors
def index_cmd(rebuild: bool) -> None:
    """Build or update the knowledge index (only new and changed notes are embedded)."""
    from mlsd.knowledge.index import get_index

    bar = ProgressBar("embedding chunks")
    try:
        report = get_index(Settings()).build(rebuild=rebuild, progress=bar)
    finally:
        bar.close()
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(f"indexed {report.summary()}")
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} note(s) could not be indexed (listed above); "
                                   "the other notes are indexed")


@click.command("ask")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: answer, in_scope, answered, sources.")
@click.option("-k", "k", type=click.IntRange(1, 20), default=5, show_default=True, help="Passages to retrieve.")
@friendly_errors
def ask_cmd(question: str, as_json: bool, k: int) -> None:
    """Answer a concept question from the knowledge base, citing its sources as [n]."""
    from mlsd.knowledge.ask import ask, ask_stream
    from mlsd.knowledge.index import ensure_index

    settings = Settings()
    bar = ProgressBar("building the knowledge index (first run)")
    try:
        ensure_index(settings, progress=bar)
    finally:
        bar.close()
    if as_json:
        answer = ask(question, k=k, settings=settings)
        click.echo(json.dumps({
            "answer": answer.answer,
            "in_scope": answer.in_scope,
            "answered": answer.answered,
            "sources": [{"path": s.path, "heading": s.heading, "text": s.text, "score": float(s.score)}
                        for s in answer.sources],
        }, ensure_ascii=False, indent=2))
        return
    stream = ask_stream(question, k=k, settings=settings)
    for piece in stream:
        click.echo(piece, nl=False)
    click.echo()
    if stream.sources and not stream.sources_listed:
        click.echo()
        for number, source in enumerate(stream.sources, 1):
            click.echo(f"[{number}] {source.path} — {source.heading} (score {source.score:.2f})")


commands = {"index": index_cmd, "ask": ask_cmd}
