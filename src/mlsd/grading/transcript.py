"""Transcripts: the grader's input formats, and the export format of our own interviews.

Accepted: JSON `{"problem": str, "turns": [{"role": "interviewer"|"candidate", "content": str}]}`,
plain text with `Interviewer:` / `Candidate:` turn prefixes (also our Markdown export's
`**Interviewer:**`), and a bare written answer (one candidate turn). Everything else is a
`TranscriptError` that names the line or turn at fault.
"""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, Field

from mlsd.core.errors import TranscriptError

MAX_BYTES = 1_000_000  # ~150k words: far beyond any interview, small enough to grade in seconds
Role = Literal["interviewer", "candidate"]
ROLE_ALIASES = {"interviewer": "interviewer", "candidate": "candidate", "user": "candidate",
                "assistant": "interviewer", "me": "candidate", "you": "candidate"}
PREFIX = re.compile(r"^\s*(?:\*\*|__)?(interviewer|candidate)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s?(.*)$", re.I)


class Turn(BaseModel):
    role: Role
    content: str = Field(min_length=1)


class Transcript(BaseModel):
    problem: str | None = None
    turns: list[Turn]

    def candidate_turns_in_context(self) -> list[tuple[int, str, str]]:
        """(index, candidate text, the interviewer's turn just before it, or "") for every candidate turn."""
        out, previous = [], ""
        for i, turn in enumerate(self.turns):
            if turn.role == "interviewer":
                previous = turn.content
            else:
                out.append((i, turn.content, previous))
        return out

    def candidate_turns(self) -> list[tuple[int, Turn]]:
        return [(i, t) for i, t in enumerate(self.turns) if t.role == "candidate"]

    def candidate_words(self) -> int:
        return sum(len(t.content.split()) for _, t in self.candidate_turns())

    def to_json(self) -> str:
        return json.dumps(self.model_dump(), indent=2, ensure_ascii=False)

    def to_markdown(self, title: str | None = None) -> str:
        lines = [f"# {title or 'ML system design interview'}", ""]
        if self.problem:
            lines += [f"Problem: {self.problem}", ""]
        for turn in self.turns:
            # a turn opening with a fenced block (a diagram) starts it on its own line: the fence must open a line
            gap = "\n" if turn.content.startswith(("```", "~~~")) else " "
            lines += [f"**{turn.role.capitalize()}:**{gap}{turn.content}", ""]
        return "\n".join(lines)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text that can be stored and embedded: lone surrogates (from a JSON "\\ud800" escape or a terminal's
    undecodable bytes) become U+FFFD. SQLite and the tokenizer both reject them outright; PostgreSQL
    rejects NUL characters, which become U+FFFD too."""
    text = text.replace("\x00", "\ufffd") if "\x00" in text else text
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def decode(data: bytes, source: str = "transcript") -> str:
    if len(data) > MAX_BYTES:
        raise TranscriptError(f"{source}: {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit for a transcript")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscriptError(f"{source}: not UTF-8 text (invalid byte at offset {exc.start}); "
                              "save the file as UTF-8") from None


def parse_transcript(text: str | bytes, source: str = "transcript", problem: str | None = None) -> Transcript:
    """Parse any accepted format; `problem` fills in when the text does not name one."""
    if isinstance(text, bytes):
        text = decode(text, source)
    elif len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise TranscriptError(f"{source}: over the {MAX_BYTES:,}-byte limit for a transcript")
    if not text.strip():
        raise TranscriptError(f"{source}: empty transcript")
    text = clean_text(text)
    stripped = text.lstrip()
    if stripped.startswith("{") or (stripped.startswith("[") and _is_json(stripped)):
        transcript = _parse_json(stripped, source)
    else:
        transcript = _parse_text(text, source)
    if transcript.problem is None and problem:
        transcript = transcript.model_copy(update={"problem": problem})
    if not transcript.candidate_turns():
        raise TranscriptError(f"{source}: no candidate turns to grade")
    return transcript


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _parse_json(text: str, source: str) -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{source}:{exc.lineno}: invalid JSON ({exc.msg}, column {exc.colno})") from None
    except RecursionError:
        raise TranscriptError(f"{source}: JSON nested too deeply to be a transcript") from None
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise TranscriptError(f'{source}: JSON must be an object with a "turns" list')
    problem = data.get("problem")
    if problem is not None and not isinstance(problem, str):
        raise TranscriptError(f'{source}: "problem" must be a string (a statement or a problem id)')
    turns = []
    for i, raw in enumerate(data["turns"]):
        if not isinstance(raw, dict):
            raise TranscriptError(f"{source}: turns[{i}] must be an object with role and content")
        role = ROLE_ALIASES.get(str(raw.get("role", "")).strip().lower())
        if role is None:
            raise TranscriptError(f"{source}: turns[{i}].role is {raw.get('role')!r}; "
                                  "expected 'interviewer' or 'candidate'")
        content = raw.get("content")
        if not isinstance(content, str) or not content.strip():
            raise TranscriptError(f"{source}: turns[{i}].content is empty or not text")
        turns.append(Turn(role=role, content=clean_text(content).strip()))
    if not turns:
        raise TranscriptError(f"{source}: turns is empty")
    return Transcript(problem=clean_text(problem).strip() or None if problem else None, turns=turns)


def _parse_text(text: str, source: str) -> Transcript:
    lines = text.splitlines()
    if not any(PREFIX.match(line) for line in lines):
        # A bare written answer: the whole text is one candidate turn.
        return Transcript(turns=[Turn(role="candidate", content=text.strip())])
    problem: str | None = None
    turns: list[dict] = []
    for lineno, line in enumerate(lines, start=1):
        match = PREFIX.match(line)
        if match:
            turns.append({"role": match.group(1).lower(), "content": [match.group(2)], "line": lineno})
        elif turns:
            turns[-1]["content"].append(line)
        elif line.strip().lower().startswith("problem:"):
            problem = line.split(":", 1)[1].strip() or None
        elif line.strip() and not line.lstrip().startswith("#"):
            raise TranscriptError(f"{source}:{lineno}: text before the first 'Interviewer:' or 'Candidate:' "
                                  "line; start each turn with one of those prefixes")
    out = []
    for turn in turns:
        content = "\n".join(turn["content"]).strip()
        if not content:
            raise TranscriptError(f"{source}:{turn['line']}: empty {turn['role']} turn")
        out.append(Turn(role=turn["role"], content=content))
    return Transcript(problem=problem, turns=out)
