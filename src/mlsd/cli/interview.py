"""`mlsd interview`: a mock interview in the terminal, or a scripted replay printing JSON lines."""

from __future__ import annotations

import json
import re

import click

from mlsd.cli.common import friendly_errors, read_input
from mlsd.core.config import Settings, resolve_backend
from mlsd.core.errors import DatabaseUnavailableError, TranscriptError

MAX_REPLAY_BYTES = 1_000_000
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


def replay_turns(path: str) -> list[str]:
    """Candidate turns from a JSON list of strings, or text with turns separated by blank lines."""
    from mlsd.grading.transcript import decode

    stripped = decode(read_input(path, MAX_REPLAY_BYTES, "replay file"), path).strip()
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise TranscriptError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
        if not all(isinstance(x, str) for x in data):
            raise TranscriptError(f"{path}: a JSON replay must be a list of strings")
        turns = [x.strip() for x in data]
    else:
        turns = blank_line_blocks(stripped)
    turns = [t for t in turns if t]
    if not turns:
        raise TranscriptError(f"{path}: no candidate turns to replay")
    return turns


def blank_line_blocks(text: str) -> list[str]:
    """Turns separated by blank lines; a blank line inside a fenced block (a diagram) does not end its turn."""
    blocks, current, fence = [], [], None
    for line in text.splitlines():
        opened = FENCE.match(line)
        if opened and (fence is None or opened.group(1).startswith(fence)):
            fence = None if fence else opened.group(1)
        if not line.strip() and fence is None:
            blocks.append("\n".join(current).strip())
            current = []
        else:
            current.append(line)
    return blocks + ["\n".join(current).strip()]


def build_interviewer(settings: Settings, problem: str | None, problem_text: str | None, mode: str,
                      minutes: float, resume: str | None):
    from mlsd.interview.interviewer import Interviewer
    from mlsd.interview.sessions import store_for
    from mlsd.llm import get_llm

    store = store_for(settings)
    llm = get_llm(settings)
    if resume:
        return Interviewer.resume(store, resume, llm=llm, settings=settings)
    if not problem and not problem_text:
        raise click.UsageError("give --problem ID or --problem-text \"...\" (see `mlsd problems`)")
    return Interviewer.start(store, problem_id=problem, problem_text=problem_text, mode=mode,
                             time_budget_min=minutes, llm=llm, settings=settings)


@click.command("interview")
@click.option("--problem", default=None, help="Problem id from `mlsd problems`.")
@click.option("--problem-text", default=None, help="A custom problem statement.")
@click.option("--mode", type=click.Choice(["mock", "practice"]), default="mock", show_default=True)
@click.option("--minutes", type=float, default=45.0, show_default=True, help="Time budget.")
@click.option("--resume", default=None, help="Resume a session by id.")
@click.option("--replay", default=None, help="Feed candidate turns from FILE (JSON list or blank-line separated).")
@click.option("--json", "as_json", is_flag=True, help="With --replay: one JSON object per interviewer turn.")
@friendly_errors
def interview_cmd(problem, problem_text, mode, minutes, resume, replay, as_json):
    """Run a mock interview; `/end` grades it, `/quit` leaves it resumable."""
    settings = Settings()
    interviewer = build_interviewer(settings, problem, problem_text, mode, minutes, resume)
    if replay:
        run_replay(interviewer, replay_turns(replay), as_json)
    else:
        run_interactive(interviewer, resolve_backend(settings)[0])


class OutageNotice:
    """Says once, on stderr, that the LLM is down and the built-in questions carry on; again only after a recovery."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, interviewer) -> None:
        if interviewer.llm_outage is None:
            self.shown = False
        elif not self.shown:
            self.shown = True
            click.echo(f"note: the LLM is unavailable ({interviewer.llm_outage}); the interviewer goes on with its "
                       "built-in questions and tries the model again later.", err=True)


def run_replay(interviewer, turns: list[str], as_json: bool) -> None:
    notice = OutageNotice()
    for text in turns:
        if interviewer.state.status == "wrapped":
            break
        r = interviewer.respond(text)
        notice(interviewer)
        line = {"turn": r.turn, "action": r.action, "target_phase": r.target_phase, "message": r.message,
                "coverage": {k: round(v, 3) for k, v in r.coverage.items()}}
        click.echo(json.dumps(line) if as_json else f"[{r.action} → {r.target_phase}] {r.message}")
    click.echo(json.dumps({"session_id": interviewer.session_id}) if as_json else f"session: {interviewer.session_id}")


def say(interviewer, action) -> None:
    """Stream the interviewer's reply to `action` to the terminal."""
    click.echo("Interviewer: ", nl=False)
    for piece in interviewer.deliver(action):
        click.echo(piece, nl=False)
    click.echo()


def answer_until_saved(interviewer, text: str):
    """Send `text`; while the database is unreachable, keep it and offer to retry (nothing typed is lost)."""
    from mlsd.interview.answers import new_key, plan_answer, resumed

    key, fresh = new_key(), interviewer
    while True:
        try:
            fresh = fresh or resumed(interviewer)  # after a failure: what the database holds, not what we hoped
            action = plan_answer(fresh, text, key)
            if action is not None:
                say(fresh, action)
            return fresh
        except DatabaseUnavailableError as exc:
            click.echo(f"\n{exc}\nYour answer is not saved yet; it is kept here:\n\n{text}\n", err=True)
            if not click.confirm("Retry when the database is back?", default=True, err=True):
                raise
            fresh = None


def run_interactive(interviewer, backend: str) -> None:
    click.echo(f"backend: {backend} · session {interviewer.session_id} · /end to grade, /quit to stop\n")
    notice = OutageNotice()
    if interviewer.pending_reply:
        say(interviewer, interviewer.plan_pending())
    else:
        click.echo(f"Interviewer: {interviewer.turns()[-1]['content']}")
    quit_requested = False
    while interviewer.state.status != "wrapped":
        try:
            text = click.prompt("\nYou", prompt_suffix="> ").strip()
        except (EOFError, click.Abort):
            quit_requested = True
            break
        if text in ("/quit", "/end"):
            quit_requested = text == "/quit"
            break
        if text:
            interviewer = answer_until_saved(interviewer, text)
            notice(interviewer)
    if not quit_requested:
        report = interviewer.end_and_grade()
        if report.status == "graded":
            click.echo(f"\nGrade: {report.overall:.0f}/100 ({report.band})")
            for gap in report.gaps[:5]:
                click.echo(f"  gap: {gap}")
        else:
            click.echo(f"\nNot graded: {report.reason}")
    click.echo(f"session: {interviewer.session_id} (resume with --resume {interviewer.session_id})")


commands = {"interview": interview_cmd}
