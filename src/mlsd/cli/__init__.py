"""The `mlsd` command line: one group, every command family in its own module, registered one way.

Library errors become one-line messages (exit 1); set MLSD_RAISE_ERRORS=1 to see the traceback.
"""

from __future__ import annotations

import sys

import click

from mlsd.cli import bench, config, content, grade, interview, knowledge, serve, sessions
from mlsd.cli.common import friendly_errors

__all__ = ["cli", "main", "friendly_errors"]


@click.group()
@click.version_option(package_name="mlsd")
def cli() -> None:
    """ML system design mock interviewer: interview, ask, grade."""


for family in (config, grade, content, sessions, interview, knowledge, bench, serve):
    for name, command in family.commands.items():
        cli.add_command(command, name=name)


def main() -> None:
    cli(prog_name="mlsd")


if __name__ == "__main__":
    sys.exit(main())
