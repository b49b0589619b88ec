"""What every command shares: library errors as one-line messages, input files, a progress bar."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from mlsd.core.errors import MLSDError, TranscriptError


def friendly_errors(fn):
    """Our own errors become one line and exit 1; MLSD_RAISE_ERRORS=1 shows the traceback instead."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except MLSDError as exc:
            if os.environ.get("MLSD_RAISE_ERRORS"):
                raise
            raise click.ClickException(str(exc)) from None

    return wrapper


def read_input(path: str, max_bytes: int, what: str = "transcript") -> bytes:
    """The bytes of FILE (or stdin for '-'), refusing a missing or oversized file by name."""
    if path == "-":
        return click.get_binary_stream("stdin").read()
    p = Path(path)
    if not p.is_file():
        raise TranscriptError(f"{path}: no such file")
    if p.stat().st_size > max_bytes:
        raise TranscriptError(f"{path}: {p.stat().st_size:,} bytes is over the {max_bytes:,}-byte limit for a {what}")
    return p.read_bytes()


class ProgressBar:
    """Adapts a progress(done, total) callback to a click progress bar on stderr."""

    def __init__(self, label: str):
        self.label = label
        self._bar = None
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        if total == 0:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._shown)
        self._shown = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
