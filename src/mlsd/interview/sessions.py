"""Sessions in SQLite: every turn is committed before any LLM call, so nothing is lost.

A session is an interview run here (kind 'interview') or a transcript pasted or uploaded on the
Grade page and graded there (kind 'upload': ended, with its turns, its report and, in `state`, the
name it came under), so History keeps every grade.

Turn indexes are assigned inside a `BEGIN IMMEDIATE` transaction, so concurrent writers to the
same session can neither duplicate nor interleave an index.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from mlsd.core.db import connect, transaction
from mlsd.core.errors import NotFoundError
from mlsd.core.redaction import redact
from mlsd.grading.transcript import Transcript, Turn, clean_text


@dataclass
class SessionRow:
    id: str
    created: str
    updated: str
    problem_id: str | None
    problem_text: str | None
    mode: str
    status: str
    state: dict | None
    report: dict | None
    kind: str = "interview"  # interview | upload


class SessionStore:
    def __init__(self, db_path: Path | str, secret: str | None = None):
        self.db: sqlite3.Connection = connect(db_path)
        self._secret = secret  # scrubbed from anything stored, in case a candidate pastes a key

    def _clean(self, text: str) -> str:
        return redact(clean_text(text), self._secret)

    def create(self, *, problem_id: str | None, problem_text: str | None, mode: str, state: dict,
               opening: str) -> str:
        sid = uuid.uuid4().hex[:12]
        with transaction(self.db):
            self.db.execute("INSERT INTO sessions (id, problem_id, problem_text, mode, state) VALUES (?,?,?,?,?)",
                            (sid, problem_id, clean_text(problem_text) if problem_text else problem_text, mode,
                             json.dumps(state)))
            self.db.execute("INSERT INTO turns (session_id, idx, role, content, meta) VALUES (?,0,'interviewer',?,?)",
                            (sid, self._clean(opening), json.dumps({"action": "open"})))
        return sid

    def save_upload(self, *, problem_id: str | None, problem_text: str | None, transcript: Transcript,
                    report: dict, source: str) -> str:
        """Keep a graded transcript that was not an interview here: its turns, its report, where it came from."""
        sid = uuid.uuid4().hex[:12]
        with transaction(self.db):
            self.db.execute("INSERT INTO sessions (id, kind, problem_id, problem_text, mode, status, state, report) "
                            "VALUES (?, 'upload', ?, ?, '', 'ended', ?, ?)",
                            (sid, problem_id, self._clean(problem_text) if problem_text else None,
                             json.dumps({"source": self._clean(source)}),
                             redact(json.dumps(report), self._secret)))
            self.db.executemany("INSERT INTO turns (session_id, idx, role, content, meta) VALUES (?,?,?,?,'{}')",
                                [(sid, i, t.role, self._clean(t.content)) for i, t in enumerate(transcript.turns)])
        return sid

    def delete(self, sid: str) -> None:
        """Remove a session (interview or upload) with its turns and report."""
        with transaction(self.db):
            self.db.execute("DELETE FROM turns WHERE session_id=?", (sid,))
            if self.db.execute("DELETE FROM sessions WHERE id=?", (sid,)).rowcount == 0:
                raise NotFoundError(f"no session {sid!r} to delete")

    def add_turn(self, sid: str, role: str, content: str, meta: dict | None = None,
                 state: dict | None = None) -> int:
        """Append a turn (and optionally the new state) atomically; returns its index."""
        with transaction(self.db):
            row = self.db.execute("SELECT status FROM sessions WHERE id=?", (sid,)).fetchone()
            if row is None:
                raise NotFoundError(f"no interview session {sid!r}")
            idx = self.db.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM turns WHERE session_id=?", (sid,)).fetchone()[0]
            self.db.execute("INSERT INTO turns (session_id, idx, role, content, meta) VALUES (?,?,?,?,?)",
                            (sid, idx, role, self._clean(content), json.dumps(meta or {})))
            if state is not None:
                self.db.execute("UPDATE sessions SET state=?, updated=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id=?",
                                (json.dumps(state), sid))
            else:
                self.db.execute("UPDATE sessions SET updated=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id=?", (sid,))
        return idx

    def save_state(self, sid: str, state: dict) -> None:
        with transaction(self.db):
            self.db.execute("UPDATE sessions SET state=? WHERE id=?", (json.dumps(state), sid))

    def end(self, sid: str, report: dict | None = None) -> None:
        with transaction(self.db):
            self.db.execute("UPDATE sessions SET status='ended', report=COALESCE(?, report), "
                            "updated=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id=?",
                            (json.dumps(report) if report is not None else None, sid))

    def get(self, sid: str) -> SessionRow:
        row = self.db.execute("SELECT * FROM sessions WHERE id=?", (sid,)).fetchone()
        if row is None:
            raise NotFoundError(f"no interview session {sid!r}")
        return SessionRow(row["id"], row["created"], row["updated"], row["problem_id"], row["problem_text"],
                          row["mode"], row["status"], json.loads(row["state"]) if row["state"] else None,
                          json.loads(row["report"]) if row["report"] else None, row["kind"])

    def turns(self, sid: str) -> list[dict]:
        rows = self.db.execute("SELECT idx, role, content, meta, ts FROM turns WHERE session_id=? ORDER BY idx",
                               (sid,)).fetchall()
        return [{"idx": r["idx"], "role": r["role"], "content": r["content"], "meta": json.loads(r["meta"] or "{}"),
                 "ts": r["ts"]} for r in rows]

    def list(self, limit: int = 200) -> list[SessionRow]:
        ids = [r[0] for r in self.db.execute("SELECT id FROM sessions ORDER BY created DESC LIMIT ?", (limit,))]
        return [self.get(i) for i in ids]

    def transcript(self, sid: str) -> Transcript:
        """The session in the grader's input format (what exports contain)."""
        s = self.get(sid)
        return Transcript(problem=s.problem_id or s.problem_text,
                          turns=[Turn(role=t["role"], content=t["content"]) for t in self.turns(sid)])

    def export_json(self, sid: str) -> str:
        return self.transcript(sid).to_json()

    def export_markdown(self, sid: str) -> str:
        s = self.get(sid)
        what = "Graded upload" if s.kind == "upload" else "Interview"
        return self.transcript(sid).to_markdown(f"{what} {sid} — {s.problem_id or 'custom problem'}")

    def close(self) -> None:
        self.db.close()
