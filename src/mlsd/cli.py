"""The `mlsd` command line. Library errors become one-line messages (exit 1); set
MLSD_RAISE_ERRORS=1 to see the traceback instead."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from pathlib import Path

import click

from .config import Settings, mask_secret, resolve_backend
from .errors import MLSDError


def friendly_errors(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except MLSDError as exc:
            if os.environ.get("MLSD_RAISE_ERRORS"):
                raise
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.group()
@click.version_option(package_name="mlsd")
def cli() -> None:
    """ML system design mock interviewer: interview, ask, grade."""


def settings_report(settings: Settings) -> dict:
    backend, why = resolve_backend(settings)
    report = {
        "backend": backend,
        "why": why,
        "base_url": settings.base_url,
        "model": settings.model,
        "api_key": mask_secret(settings.key_value()),
        "local_model": str(settings.local_model) if settings.local_model else None,
        "home": str(settings.home_dir),
        "database": str(settings.db_path),
        "index": index_status(settings),
    }
    if backend == "local" and not settings.local_model:
        try:
            from .local_server import default_gguf

            report["local_model"] = f"{default_gguf()} (default)"
        except MLSDError as exc:
            report["local_model"] = f"missing: {exc}"
    return report


def index_status(settings: Settings) -> str:
    try:
        from .index import index_status as status  # the knowledge index module, when present
    except ImportError:
        return "not built"
    return status(settings)


@cli.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@friendly_errors
def config_cmd(as_json: bool) -> None:
    """Show the resolved settings (key masked), the backend in use and why, and the index state."""
    report = settings_report(Settings())
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    width = max(len(k) for k in report)
    for key, value in report.items():
        click.echo(f"{key.ljust(width)}  {value if value is not None else '(not set)'}")


cli.add_command(config_cmd, name="doctor")


@cli.command("chat")
@click.argument("prompt")
@click.option("--max-tokens", default=256, show_default=True)
@friendly_errors
def chat_cmd(prompt: str, max_tokens: int) -> None:
    """Send one message through the provider seam and stream the reply (a connectivity check)."""
    from .llm import get_llm

    llm = get_llm(Settings())
    for piece in llm.stream([("user", prompt)], max_tokens=max_tokens):
        click.echo(piece, nl=False)
    click.echo()


@cli.command("serve-local")
@click.option("--port", type=int, default=8080, show_default=True)
@friendly_errors
def serve_local_cmd(port: int) -> None:
    """Run the local llama.cpp server in the foreground for other OpenAI clients (Ctrl-C stops)."""
    from .local_server import model_path, start_server

    settings = Settings()
    path = model_path(settings)
    server, base_url = start_server(path, n_ctx=settings.local_ctx, port=port)
    click.echo(f"serving {path.name} at {base_url} (model name 'local'); Ctrl-C to stop")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        del server


@cli.command("grade")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--rubric", "rubric_id", default=None, help="Rubric or overlay id (default: base + the problem's overlay).")
@click.option("--problem", default=None, help="Problem id or statement, when the file does not name one.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--md", "as_md", is_flag=True, help="Print the report as Markdown.")
@friendly_errors
def grade_cmd(file: str, rubric_id: str | None, problem: str | None, as_json: bool, as_md: bool) -> None:
    """Grade a transcript: JSON, 'Interviewer:'/'Candidate:' text, or a bare written answer."""
    from .grading_service import grade_text

    data = click.get_binary_stream("stdin").read() if file == "-" else _read_bytes(file)
    report = grade_text(data, source=file, problem=problem, rubric_id=rubric_id, settings=Settings())
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    elif as_md:
        click.echo(report.to_markdown())
    else:
        if report.status != "graded":
            click.echo(f"insufficient evidence: {report.reason}")
            return
        click.echo(f"overall {report.overall:.0f}/100 ({report.band}) — rubric {report.rubric}, grader {report.backend}")
        for d in report.dimensions:
            level = "not covered" if d.level is None else f"{d.level}/{d.max_level} {d.level_name}"
            click.echo(f"  {d.title:<36} {level}")
        if report.flags.injection_suspected:
            click.echo(f"  ! grader-manipulation text ignored in turns {report.flags.injection_turns}")
        for s in report.study[:6]:
            click.echo(f"  study: {s.path} ({s.title})")


def _read_bytes(path: str) -> bytes:
    from .errors import TranscriptError
    from .transcript import MAX_BYTES

    p = Path(path)
    if not p.is_file():
        raise TranscriptError(f"{path}: no such file")
    if p.stat().st_size > MAX_BYTES:
        raise TranscriptError(f"{path}: {p.stat().st_size:,} bytes is over the {MAX_BYTES:,}-byte limit for a transcript")
    return p.read_bytes()


@cli.group("rubrics")
def rubrics_group() -> None:
    """Inspect and check the rubric files."""


@rubrics_group.command("check")
@friendly_errors
def rubrics_check_cmd() -> None:
    """Validate every rubric, overlay and problem file; name the file, field and line of each problem."""
    from .evidence import load_phase_specs
    from .problems import check_problems
    from .rubrics import check_rubrics, list_rubrics

    errors = check_rubrics() + check_problems()
    try:
        load_phase_specs()
    except MLSDError as exc:
        errors.append(exc)
    for err in errors:
        click.echo(f"error: {err}", err=True)
    if errors:
        raise SystemExit(1)
    click.echo(f"ok: {len(list_rubrics())} rubric files and the problem bank validate")


@rubrics_group.command("list")
def rubrics_list_cmd() -> None:
    """List rubric and overlay ids."""
    from .rubrics import list_rubrics

    for rid in list_rubrics():
        click.echo(rid)


@cli.command("problems")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def problems_cmd(as_json: bool) -> None:
    """List the problem bank."""
    from .problems import load_problems

    problems = load_problems()
    if as_json:
        click.echo(json.dumps([{"id": p.id, "title": p.title, "difficulty": p.difficulty, "topics": p.topics}
                               for p in problems.values()], indent=2))
        return
    for p in problems.values():
        click.echo(f"{p.id:<34} {p.difficulty:<7} {p.title}")


@cli.command("export")
@click.argument("session_id")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@friendly_errors
def export_cmd(session_id: str, fmt: str) -> None:
    """Export a session as Markdown or as JSON in the grader's input format."""
    from .sessions import SessionStore

    settings = Settings()
    store = SessionStore(settings.db_path, secret=settings.key_value())
    click.echo(store.export_json(session_id) if fmt == "json" else store.export_markdown(session_id))


@cli.command("sessions")
@friendly_errors
def sessions_cmd() -> None:
    """List past interview sessions."""
    from .sessions import SessionStore

    for s in SessionStore(Settings().db_path).list():
        score = f"{s.report['overall']:.0f}" if s.report and s.report.get("overall") is not None else "-"
        click.echo(f"{s.id}  {s.created[:16]}  {s.status:<7} {score:>4}  {s.problem_id or (s.problem_text or '')[:40]}")


def _register() -> None:
    from .cli_bench import bench_command
    from .cli_interview import interview_command
    from .cli_knowledge import knowledge_commands

    cli.add_command(interview_command(friendly_errors))
    cli.add_command(bench_command(friendly_errors))
    for command in knowledge_commands:
        cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="mlsd")


if __name__ == "__main__":
    sys.exit(main())
