"""`mlsd export` and `mlsd sessions`: stored interviews."""

from __future__ import annotations

import click

from mlsd.cli.common import friendly_errors
from mlsd.core.config import Settings


@click.command("export")
@click.argument("session_id")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@friendly_errors
def export_cmd(session_id: str, fmt: str) -> None:
    """Export a session as Markdown or as JSON in the grader's input format."""
    from mlsd.interview.sessions import SessionStore

    settings = Settings()
    store = SessionStore(settings.db_path, secret=settings.key_value())
    click.echo(store.export_json(session_id) if fmt == "json" else store.export_markdown(session_id))


@click.command("sessions")
@friendly_errors
def sessions_cmd() -> None:
    """List past sessions: interviews and graded uploads."""
    from mlsd.interview.sessions import SessionStore

    for s in SessionStore(Settings().db_path).list():
        score = f"{s.report['overall']:.0f}" if s.report and s.report.get("overall") is not None else "-"
        click.echo(f"{s.id}  {s.created[:16]}  {s.kind:<9} {s.status:<7} {score:>4}  "
                   f"{s.problem_id or (s.problem_text or '')[:40]}")


commands = {"export": export_cmd, "sessions": sessions_cmd}
