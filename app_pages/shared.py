"""State and resources every page shares: settings, the session store, the LLM client, the bank.

Per-user things live in `st.session_state` under `app_*` keys; heavy, shared, never-mutated
clients live in `st.cache_resource`. The API key is only ever in session state and in the
in-memory Settings/LLM objects built from it.
"""

from __future__ import annotations

import streamlit as st

from mlsd import ui_helpers as ui
from mlsd.config import Settings

SETTINGS_KEY = "app_settings"
CHOSEN_KEY = "app_backend_chosen"
STORE_KEY = "app_store"
STORE_ID_KEY = "app_store_id"

PAGES = {
    "interview": "app_pages/interview.py",
    "ask": "app_pages/ask.py",
    "grade": "app_pages/grade.py",
    "history": "app_pages/history.py",
}


def set_settings(settings: Settings, *, chosen_in_ui: bool) -> None:
    st.session_state[SETTINGS_KEY] = settings
    st.session_state[CHOSEN_KEY] = chosen_in_ui


def settings() -> Settings:
    if SETTINGS_KEY not in st.session_state:
        st.session_state[SETTINGS_KEY] = Settings()
    return st.session_state[SETTINGS_KEY]


def backend_info() -> ui.BackendInfo:
    return ui.describe_backend(settings(), chosen_in_ui=bool(st.session_state.get(CHOSEN_KEY)))


def store():
    """This user's SessionStore. Per session (not cached globally): it scrubs this user's key."""
    from mlsd.sessions import SessionStore

    s = settings()
    ident = (str(s.db_path), ui.secret_fingerprint(s.key_value()))
    if st.session_state.get(STORE_ID_KEY) != ident or STORE_KEY not in st.session_state:
        st.session_state[STORE_KEY] = SessionStore(s.db_path, secret=s.key_value())
        st.session_state[STORE_ID_KEY] = ident
    return st.session_state[STORE_KEY]


@st.cache_resource(show_spinner="Connecting to the LLM backend…", max_entries=8)
def _llm_client(cache_key: tuple, _settings: Settings):
    from mlsd.llm import get_llm

    return get_llm(_settings)


def llm():
    """The LLM for the current backend, or None on the offline backend. Raises MLSDError."""
    s = settings()
    if s.backend() == "offline":
        return None
    return _llm_client(ui.llm_cache_key(s), s)


@st.cache_resource(show_spinner=False)
def problem_bank() -> dict:
    from mlsd.problems import load_problems

    return load_problems()


@st.cache_data(ttl=60, show_spinner=False, max_entries=16)
def _index_status(cache_key: tuple, _settings: Settings) -> str:
    from mlsd.index import index_status

    return index_status(_settings)


def index_status() -> str:
    s = settings()
    return _index_status(ui.index_cache_key(s), s)


def forget_index_status() -> None:
    _index_status.clear()


def show_error(exc: BaseException, what: str | None = None) -> None:
    message = ui.error_message(exc)
    st.error(f"{what}: {message}" if what else message, icon=":material/error:")
