"""`mlsd config` / `doctor`, `mlsd chat` and `mlsd serve-local`: settings and the LLM connection."""

from __future__ import annotations

import json
import time

import click

from mlsd.cli.common import friendly_errors
from mlsd.core.config import Settings, mask_secret, resolve_backend
from mlsd.core.errors import MLSDError
from mlsd.storage.urls import mask_url


def settings_report(settings: Settings) -> dict:
    from mlsd.knowledge.index import index_status

    backend, why = resolve_backend(settings)
    report = {
        "backend": backend,
        "why": why,
        "base_url": settings.base_url,
        "model": settings.model,
        "api_key": mask_secret(settings.key_value()),
        "local_model": str(settings.local_model) if settings.local_model else None,
        "home": str(settings.home_dir),
        "database": mask_url(settings.database),
        "user": settings.user,
        "index": index_status(settings).line,
    }
    if backend == "local" and not settings.local_model:
        try:
            from mlsd.llm.local import default_gguf

            report["local_model"] = f"{default_gguf()} (default)"
        except MLSDError as exc:
            report["local_model"] = f"missing: {exc}"
    return report


@click.command("config")
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


@click.command("chat")
@click.argument("prompt")
@click.option("--max-tokens", default=256, show_default=True)
@friendly_errors
def chat_cmd(prompt: str, max_tokens: int) -> None:
    """Send one message through the provider seam and stream the reply (a connectivity check)."""
    from mlsd.llm import get_llm

    for piece in get_llm(Settings()).stream([("user", prompt)], max_tokens=max_tokens):
        click.echo(piece, nl=False)
    click.echo()


@click.command("serve-local")
@click.option("--port", type=int, default=8080, show_default=True)
@friendly_errors
def serve_local_cmd(port: int) -> None:
    """Run the local llama.cpp server in the foreground for other OpenAI clients (Ctrl-C stops)."""
    from mlsd.llm.local import model_path, start_server

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


commands = {"config": config_cmd, "doctor": config_cmd, "chat": chat_cmd, "serve-local": serve_local_cmd}
