"""`mlsd rubrics check|list` and `mlsd problems`: the content files."""

from __future__ import annotations

import json

import click

from mlsd.cli.common import friendly_errors


@click.group("rubrics")
def rubrics_group() -> None:
    """Inspect and check the rubric files."""


@rubrics_group.command("check")
@friendly_errors
def rubrics_check_cmd() -> None:
    """Validate every rubric, overlay and problem file; name the file, field and line of each problem."""
    from mlsd.content.checks import check_content
    from mlsd.content.rubrics import list_rubrics

    errors = check_content()
    for err in errors:
        click.echo(f"error: {err}", err=True)
    if errors:
        raise SystemExit(1)
    click.echo(f"ok: {len(list_rubrics())} rubric files and the problem bank validate")


@rubrics_group.command("list")
def rubrics_list_cmd() -> None:
    """List rubric and overlay ids."""
    from mlsd.content.rubrics import list_rubrics

    for rid in list_rubrics():
        click.echo(rid)


@click.command("problems")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def problems_cmd(as_json: bool) -> None:
    """List the problem bank."""
    from mlsd.content.problems import load_problems

    problems = load_problems()
    if as_json:
        click.echo(json.dumps([{"id": p.id, "title": p.title, "difficulty": p.difficulty, "topics": p.topics}
                               for p in problems.values()], indent=2))
        return
    for p in problems.values():
        click.echo(f"{p.id:<34} {p.difficulty:<7} {p.title}")


commands = {"rubrics": rubrics_group, "problems": problems_cmd}
