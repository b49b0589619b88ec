"""`mlsd serve`: start the app (what `make run` does) on loopback unless told otherwise, warning when exposed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mlsd.access.exposure import configured_address, exposure_warning, sign_in_configured
from mlsd.cli.common import friendly_errors
from mlsd.core.config import Settings
from mlsd.core.errors import ConfigError


def find_app() -> Path:
    """app.py in the current folder, else in the checkout this package is installed from."""
    for candidate in (Path.cwd() / "app.py", Path(__file__).resolve().parents[3] / "app.py"):
        if candidate.is_file():
            return candidate
    raise ConfigError("app.py not found: run `mlsd serve` from the mlsd checkout")


@click.command("serve", context_settings={"ignore_unknown_options": True})
@click.option("--port", type=int, default=None, help="Port (default: Streamlit's, 8501).")
@click.option("--check", is_flag=True, help="Print the command and any warning, and do not start.")
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
@friendly_errors
def serve_cmd(port: int | None, check: bool, streamlit_args: tuple[str, ...]) -> None:
    """Run the Streamlit app, bound to 127.0.0.1 unless MLSD_SERVE_ADDRESS says otherwise."""
    settings = Settings()
    address = configured_address(settings)
    warning = exposure_warning(address, sign_in_configured(settings))
    if warning:
        click.secho(warning, fg="red", err=True)
    cmd = [sys.executable, "-m", "streamlit", "run", str(find_app()), "--server.address", address]
    cmd += ["--server.port", str(port)] if port else []
    cmd += list(streamlit_args)
    click.echo(f"serving on {address}" + (f":{port}" if port else "") + (" (loopback only)" if not warning else ""),
               err=True)
    if check:
        click.echo(" ".join(cmd))
        return
    os.execv(sys.executable, cmd)


commands = {"serve": serve_cmd}
