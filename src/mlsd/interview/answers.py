"""Sending a candidate's answer so that a database outage loses nothing and duplicates nothing.

The app and the CLI keep the typed text and a key for it until it is saved. A retry goes through
`plan_answer` on an interviewer freshly resumed from the database (after a failed write the live
one may hold state the database never got): an answer already stored under its key is not stored
again, and is answered only if the interviewer has not replied to it yet.
"""

from __future__ import annotations

import uuid

from mlsd.interview.interviewer import Interviewer
from mlsd.interview.policy import Action


def new_key() -> str:
    return uuid.uuid4().hex


def plan_answer(iv: Interviewer, text: str, key: str) -> Action | None:
    """The action answering `text` (sent under `key`), or None when it was stored and answered already."""
    if iv.store.has_turn(iv.session_id, key):
        return iv.plan_pending() if iv.pending_reply else None
    return iv.plan(text, key=key)


def resumed(iv: Interviewer) -> Interviewer:
    """The same interview rebuilt from what the database holds (raises while it is unreachable)."""
    return Interviewer.resume(iv.store, iv.session_id, llm=iv.llm, settings=iv.settings)
