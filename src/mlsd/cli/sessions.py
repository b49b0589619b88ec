"""`mlsd export` and `mlsd sessions`: stored sessions (interviews and graded uploads) of the user MLSD_USER names.

MLSD_USER is not sign-in: the CLI is a local tool for someone who can reach the database anyway.
It selects whose sessions are shown, and another user's session id answers "not found".
"""

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
    from mlsd.interview.sessions import store_for

    store = store_for(Settings())
    click.echo(store.export_json(session_id) if fmt == "json" else store.export_markdown(session_id))


@click.command("sessions")
@friendly_errors
def sessions_cmd() -> None:
    """List your past sessions, interviews and graded uploads (yours: MLSD_USER, default the local user)."""
    from mlsd.interview.sessions import store_for

    for s in store_for(Settings()).list():
        score = f"{s.report['overall']:.0f}" if s.report and s.report.get("overall") is not None else "-"
        click.echo(f"{s.id}  {s.created[:16]}  {s.kind:<9} {s.status:<7} {score:>4}  "
                   f"{s.problem_id or (s.problem_text or '')[:40]}")


commands = {"export": export_cmd, "sessions": sessions_cmd}
