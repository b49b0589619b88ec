"""An answer typed while the database is unreachable: kept in this browser tab until it is saved.

The Interview page keeps every answer here before writing it (with a key, so a retry cannot store
it twice) and forgets it once the database has it. While the database is down the page says so
plainly, shows the kept answer and offers Retry; the interview goes on when the server is back.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app_pages import view
from mlsd.interview.answers import new_key

KEPT = "interview_unsent"
RETRY = "interview_retry"


@dataclass(frozen=True)
class Kept:
    session_id: str
    text: str
    key: str


def kept(sid: str) -> Kept | None:
    k = st.session_state.get(KEPT)
    return k if k is not None and k.session_id == sid else None


def keep(sid: str, text: str) -> Kept:
    st.session_state[KEPT] = k = Kept(sid, text, new_key())
    return k


def forget() -> None:
    st.session_state.pop(KEPT, None)


def settle(store, sid: str) -> Kept | None:
    """The kept answer, unless the database turns out to have it already (then the page answers it as pending)."""
    k = kept(sid)
    if k is not None and store.has_turn(sid, k.key):
        forget()
        return None
    return k


def show_outage(exc: BaseException) -> None:
    st.error(f"**The database is not reachable**, so nothing can be saved right now — {view.error_message(exc)}. "
             "Every turn saved before is safe, and what you type is kept in this tab until it can be saved.",
             icon=":material/error:")


def show_kept(k: Kept) -> bool:
    """The kept answer and a Retry button; True when Retry was pressed."""
    with st.container(border=True):
        st.warning("**Your answer is not saved yet.** It is kept here and sent when you press Retry.",
                   icon=":material/cloud_off:")
        st.markdown(view.chat_md(k.text))
        return st.button("Retry sending", key=RETRY, type="primary", icon=":material/refresh:")


def render_offline(sid: str, exc: BaseException) -> None:
    """The whole page while the interview cannot even be read: say why, keep typing possible."""
    show_outage(exc)
    k = kept(sid)
    prompt = st.chat_input("Your answer is kept until the database is back", key="interview_chat",
                           disabled=k is not None, max_chars=8000)
    if prompt and prompt.strip() and k is None:
        k = keep(sid, prompt)
    if k is not None:
        show_kept(k)
