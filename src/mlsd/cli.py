"""The `mlsd` command line. Library errors become one-line messages (exit 1); set
MLSD_RAISE_ERRORS=1 to see the traceback instead."""

from __future__ import annotations

import functools
import json
import os
import sys
import time

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


def main() -> None:
    cli(prog_name="mlsd")


if __name__ == "__main__":
    sys.exit(main())
