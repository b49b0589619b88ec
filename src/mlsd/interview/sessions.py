"""Sessions, SQLite or PostgreSQL: every turn is committed before any LLM call, so nothing is lost.

A session is an interview run here (kind 'interview') or a transcript pasted or uploaded on the
Grade page and graded there (kind 'upload': ended, with its turns, its report and, in `state`, the
name it came under), so History keeps every grade.

A store acts for one user (`owner`): it reads and writes only that user's sessions, and another
user's session id answers exactly as an id that does not exist. Turn indexes are assigned inside
one transaction that first locks the session (`BEGIN IMMEDIATE` on SQLite, `SELECT ... FOR UPDATE`
on PostgreSQL), so concurrent writers from any number of processes can neither duplicate nor skip
an index; the (session, idx) primary key backs that up. A turn written with a `key` is stored
once however often the write is retried.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from mlsd.core.config import LOCAL_USER, Settings
from mlsd.core.errors import NotFoundError
from mlsd.core.redaction import redact
from mlsd.grading.transcript import Transcript, Turn, clean_text
from mlsd.storage import Database, Tx, now_iso, open_database, shared_database

SESSION_COLUMNS = "id, owner, kind, created, updated, problem_id, problem_text, mode, status, state, report"


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
    owner: str = LOCAL_USER
    kind: str = "interview"  # interview | upload


def _loads(text: str | None) -> dict | None:
    return json.loads(text) if text else None


def session_row(r: dict) -> SessionRow:
    return SessionRow(r["id"], r["created"], r["updated"], r["problem_id"], r["problem_text"], r["mode"], r["status"],
                      _loads(r["state"]), _loads(r["report"]), r["owner"], r["kind"])


class SessionStore:
    """The sessions of `owner` in `database` (a `Database`, a postgresql:// URL or a SQLite path)."""

    def __init__(self, database: Database | str | Path, secret: str | None = None, *, owner: str = LOCAL_USER):
        self._owns_db = not isinstance(database, Database)
        self.db: Database = open_database(database) if self._owns_db else database
        self.owner = owner
        self._secret = secret  # scrubbed from anything stored, in case a candidate pastes a key

    def _clean(self, text: str) -> str:
        return redact(clean_text(text), self._secret)

    def _missing(self, sid: str) -> NotFoundError:
        return NotFoundError(f"no interview session {sid!r}")  # the same words for "not yours"

    def create(self, *, problem_id: str | None, problem_text: str | None, mode: str, state: dict,
               opening: str) -> str:
        sid, now = uuid.uuid4().hex[:12], now_iso()
        text = self._clean(problem_text) if problem_text else problem_text
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO sessions (id, owner, created, updated, problem_id, problem_text, mode, state) "
                       "VALUES (?,?,?,?,?,?,?,?)", (sid, self.owner, now, now, problem_id, text, mode, json.dumps(state)))
            tx.execute("INSERT INTO turns (session_id, idx, ts, role, content, meta) VALUES (?,0,?,'interviewer',?,?)",
                       (sid, now, self._clean(opening), json.dumps({"action": "open"})))
        return sid

    def save_upload(self, *, problem_id: str | None, problem_text: str | None, transcript: Transcript,
                    report: dict, source: str) -> str:
        """Keep a graded transcript that was not an interview here: its turns, its report, where it came from."""
        sid, now = uuid.uuid4().hex[:12], now_iso()
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO sessions (id, owner, kind, created, updated, problem_id, problem_text, mode, status, "
                       "state, report) VALUES (?, ?, 'upload', ?, ?, ?, ?, '', 'ended', ?, ?)",
                       (sid, self.owner, now, now, problem_id, self._clean(problem_text) if problem_text else None,
                        json.dumps({"source": self._clean(source)}), redact(json.dumps(report), self._secret)))
            for i, t in enumerate(transcript.turns):
                tx.execute("INSERT INTO turns (session_id, idx, ts, role, content, meta) VALUES (?,?,?,?,?,'{}')",
                           (sid, i, now, t.role, self._clean(t.content)))
        return sid

    def delete(self, sid: str) -> None:
        """Remove this user's session (interview or upload) with its turns and report.

        Another user's id answers exactly as an id that does not exist, and deletes nothing.
        """
        with self.db.transaction() as tx:
            try:
                self._lock(tx, sid)
            except NotFoundError:
                raise NotFoundError(f"no session {sid!r} to delete") from None
            tx.execute("DELETE FROM turns WHERE session_id=?", (sid,))
            tx.execute("DELETE FROM sessions WHERE id=?", (sid,))

    def _lock(self, tx: Tx, sid: str) -> dict:
        """This user's session row, locked until the transaction ends (writers to one session queue here)."""
        row = tx.one(f"SELECT status FROM sessions WHERE id=? AND owner=?{self.db.for_update}", (sid, self.owner))
        if row is None:
            raise self._missing(sid)
        return row

    def add_turn(self, sid: str, role: str, content: str, meta: dict | None = None,
                 state: dict | None = None, key: str | None = None) -> int:
        """Append a turn (and optionally the new state) atomically; returns its index.

        With `key`, a turn already stored under that key is not stored again: its index is returned.
        """
        now = now_iso()
        with self.db.transaction() as tx:
            self._lock(tx, sid)
            if key is not None:
                done = tx.one("SELECT idx FROM turns WHERE session_id=? AND turn_key=?", (sid, key))
                if done is not None:
                    return done["idx"]
            idx = tx.scalar("SELECT COALESCE(MAX(idx) + 1, 0) AS next_idx FROM turns WHERE session_id=?", (sid,))
            tx.execute("INSERT INTO turns (session_id, idx, ts, role, content, meta, turn_key) VALUES (?,?,?,?,?,?,?)",
                       (sid, idx, now, role, self._clean(content), json.dumps(meta or {}), key))
            if state is not None:
                tx.execute("UPDATE sessions SET state=?, updated=? WHERE id=?", (json.dumps(state), now, sid))
            else:
                tx.execute("UPDATE sessions SET updated=? WHERE id=?", (now, sid))
        return idx

    def has_turn(self, sid: str, key: str) -> bool:
        """True when a turn written with `key` is stored in this user's session `sid`."""
        return self.db.one("SELECT t.idx FROM turns t JOIN sessions s ON s.id = t.session_id "
                           "WHERE t.session_id=? AND t.turn_key=? AND s.owner=?", (sid, key, self.owner)) is not None

    def save_state(self, sid: str, state: dict) -> None:
        with self.db.transaction() as tx:
            tx.execute("UPDATE sessions SET state=? WHERE id=? AND owner=?", (json.dumps(state), sid, self.owner))

    def save_draft(self, sid: str, text: str) -> None:
        """The whiteboard's diagram as it is being drawn: not a turn until it is submitted."""
        with self.db.transaction() as tx:
            self._lock(tx, sid)
            tx.execute("UPDATE sessions SET draft=? WHERE id=?", (self._clean(text), sid))

    def draft(self, sid: str) -> str:
        row = self.db.one("SELECT draft FROM sessions WHERE id=? AND owner=?", (sid, self.owner))
        if row is None:
            raise self._missing(sid)
        return row["draft"] or ""

    def end(self, sid: str, report: dict | None = None) -> None:
        with self.db.transaction() as tx:
            self._lock(tx, sid)
            tx.execute("UPDATE sessions SET status='ended', report=COALESCE(?, report), updated=? WHERE id=?",
                       (json.dumps(report) if report is not None else None, now_iso(), sid))

    def get(self, sid: str) -> SessionRow:
        row = self.db.one(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id=? AND owner=?", (sid, self.owner))
        if row is None:
            raise self._missing(sid)
        return session_row(row)

    def turns(self, sid: str, meta: bool = True) -> list[dict]:
        """The session's turns in order. `meta=False` leaves out each turn's meta (its stored unit vectors
        are most of a row): the interviewer reads the dialogue several times a turn and needs only words."""
        columns = "t.idx, t.role, t.content, t.ts" + (", t.meta" if meta else "")
        rows = self.db.all(f"SELECT {columns} FROM turns t JOIN sessions s "
                           "ON s.id = t.session_id WHERE t.session_id=? AND s.owner=? ORDER BY t.idx",
                           (sid, self.owner))
        return [{"idx": r["idx"], "role": r["role"], "content": r["content"], "ts": r["ts"]}
                | ({"meta": json.loads(r["meta"] or "{}")} if meta else {}) for r in rows]

    def list(self, limit: int = 200) -> list[SessionRow]:
        rows = self.db.all(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE owner=? ORDER BY created DESC, id "
                           "LIMIT ?", (self.owner, limit))
        return [session_row(r) for r in rows]

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
        if self._owns_db:
            self.db.close()


def store_for(settings: Settings, owner: str | None = None) -> SessionStore:
    """The store of `owner` (default: MLSD_USER, the local user) in the configured database."""
    db = shared_database(settings.database, pool_size=settings.db_pool_size, timeout=settings.db_timeout)
    return SessionStore(db, secret=settings.key_value(), owner=owner or settings.user)
