"""`mlsd grade`: grade a transcript file and print the report."""

from __future__ import annotations

import click

from mlsd.cli.common import friendly_errors, read_input
from mlsd.core.config import Settings
from mlsd.grading.report import GradeReport, level_label


@click.command("grade")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--rubric", "rubric_id", default=None, help="Rubric or overlay id (default: base + the problem's overlay).")
@click.option("--problem", default=None, help="Problem id or statement, when the file does not name one.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--md", "as_md", is_flag=True, help="Print the report as Markdown.")
@friendly_errors
def grade_cmd(file: str, rubric_id: str | None, problem: str | None, as_json: bool, as_md: bool) -> None:
    """Grade a transcript: JSON, 'Interviewer:'/'Candidate:' text, or a bare written answer."""
    from mlsd.grading.service import grade_text
    from mlsd.grading.transcript import MAX_BYTES

    report = grade_text(read_input(file, MAX_BYTES), source=file, problem=problem, rubric_id=rubric_id, progress=progress,
                        settings=Settings())
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    elif as_md:
        click.echo(report.to_markdown())
    else:
        print_summary(report)


def progress(done: int, total: int, dimension: str) -> None:
    """While an LLM grades: one line per dimension on stderr, so --json output stays clean."""
    click.echo(f"graded {dimension} ({done}/{total})", err=True)


def print_summary(report: GradeReport) -> None:
    for problem in report.diagram_errors:
        click.echo(f"warning: {problem}", err=True)
    if report.status != "graded":
        click.echo(f"insufficient evidence: {report.reason}")
        return
    click.echo(f"overall {report.overall:.0f}/100 ({report.band}) — rubric {report.rubric}, grader {report.backend}")
    for d in report.dimensions:
        click.echo(f"  {d.title:<36} {level_label(d.level, d.max_level, d.level_name)}")
    if report.flags.injection_suspected:
        click.echo(f"  ! grader-manipulation text ignored in turns {report.flags.injection_turns}")
    for s in report.study[:6]:
        click.echo(f"  study: {s.path} ({s.title})")


commands = {"grade": grade_cmd}
