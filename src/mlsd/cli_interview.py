"""`mlsd interview`: a mock interview in the terminal, or a scripted replay printing JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .config import Settings, resolve_backend
from .errors import TranscriptError


def replay_turns(path: str) -> list[str]:
    """Candidate turns from a JSON list of strings, or text with turns separated by blank lines."""
    from .transcript import decode

    text = decode(Path(path).read_bytes(), path) if path != "-" else click.get_text_stream("stdin").read()
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise TranscriptError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
        if not all(isinstance(x, str) for x in data):
            raise TranscriptError(f"{path}: a JSON replay must be a list of strings")
        turns = [x.strip() for x in data]
    else:
        turns = [block.strip() for block in stripped.split("\n\n")]
    turns = [t for t in turns if t]
    if not turns:
        raise TranscriptError(f"{path}: no candidate turns to replay")
    return turns


def build_interviewer(settings: Settings, problem: str | None, problem_text: str | None, mode: str,
                      minutes: float, resume: str | None):
    from .interviewer import Interviewer
    from .sessions import SessionStore

    store = SessionStore(settings.db_path, secret=settings.key_value())
    backend, _ = resolve_backend(settings)
    llm = None
    if backend != "offline":
        from .llm import get_llm

        llm = get_llm(settings)
    if resume:
        return Interviewer.resume(store, resume, llm=llm, settings=settings), backend
    if not problem and not problem_text:
        raise click.UsageError("give --problem ID or --problem-text \"...\" (see `mlsd problems`)")
    return Interviewer.start(store, problem_id=problem, problem_text=problem_text, mode=mode,
                             time_budget_min=minutes, llm=llm, settings=settings), backend


def interview_command(friendly_errors):
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
        interviewer, backend = build_interviewer(settings, problem, problem_text, mode, minutes, resume)
        if replay:
            turns = replay_turns(replay)
            for text in turns:
                if interviewer.state.status == "wrapped":
                    break
                r = interviewer.respond(text)
                line = {"turn": r.turn, "action": r.action, "target_phase": r.target_phase, "message": r.message,
                        "coverage": {k: round(v, 3) for k, v in r.coverage.items()}}
                click.echo(json.dumps(line) if as_json else f"[{r.action} → {r.target_phase}] {r.message}")
            click.echo(json.dumps({"session_id": interviewer.session_id}) if as_json
                       else f"session: {interviewer.session_id}")
            return
        click.echo(f"backend: {backend} · session {interviewer.session_id} · /end to grade, /quit to stop\n")
        turns = interviewer.turns()
        click.echo(f"Interviewer: {turns[-1]['content'] if not interviewer.pending_reply else ''}")
        if interviewer.pending_reply:
            action = interviewer.plan_pending()
            click.echo("Interviewer: ", nl=False)
            for piece in interviewer.deliver(action):
                click.echo(piece, nl=False)
            click.echo()
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
            if not text:
                continue
            action = interviewer.plan(text)
            click.echo("Interviewer: ", nl=False)
            for piece in interviewer.deliver(action):
                click.echo(piece, nl=False)
            click.echo()
        if not quit_requested:
            report = interviewer.end_and_grade()
            if report.status == "graded":
                click.echo(f"\nGrade: {report.overall:.0f}/100 ({report.band})")
                for gap in report.gaps[:5]:
                    click.echo(f"  gap: {gap}")
            else:
                click.echo(f"\nNot graded: {report.reason}")
        click.echo(f"session: {interviewer.session_id} (resume with --resume {interviewer.session_id})")

    return interview_cmd
