"""State and resources every page shares: the user, settings, the session store, the LLM client, the bank.

Per-user things live in `st.session_state` under `app_*` keys; heavy, shared, never-mutated
clients live in `st.cache_resource`. The API key is only ever in session state and in the
in-memory Settings/LLM objects built from it. What must outlive a request (sessions, turns,
state, reports) is in the database, never only in this process: any replica can serve any request.
"""

from __future__ import annotations

import contextlib

import sys

import streamlit as st

from mlsd.access import exposure
from mlsd.access.identity import Identity, resolve_identity, set_acting_user
from mlsd.llm import providers
from app_pages import view
from mlsd.core.config import Settings

USER_KEY = "app_user"  # who this browser session is signed in as
SETTINGS_KEY = "app_settings"
CHOSEN_KEY = "app_backend_chosen"
STORE_KEY = "app_store"
STORE_ID_KEY = "app_store_id"

# The interview page's session state. Other pages open an interview only through the functions below.
INTERVIEW_SESSION = "interview_session"  # the open session's id
INTERVIEW_LIVE = "interview_iv"  # its live Interviewer, once resumed
INTERVIEW_STATE = "interview_state"  # its InterviewState as last drawn (for the clock fragment)
INTERVIEW_REPORT = "interview_report"  # its GradeReport once graded
INTERVIEW_RESUME = "interview_resume_id"  # open this session
INTERVIEW_PRESET = "interview_preset_problem"  # preselect this problem
INTERVIEW_PRESET_MODE = "interview_preset_mode"  # preselect this mode
INTERVIEW_FOCUS = "interview_focus"  # what to work on, stated on the set-up and beside the interview it starts

PAGES = {
    "interview": "app_pages/interview.py",
    "ask": "app_pages/ask.py",
    "grade": "app_pages/grade.py",
    "history": "app_pages/history.py",
    "cohort": "app_pages/cohort.py",
}


# -- who is asking ---------------------------------------------------------------------------------------
def oidc_configured() -> bool:
    """Streamlit's OIDC login is configured (an [auth] section in .streamlit/secrets.toml)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def request_headers() -> dict[str, str]:
    try:
        return dict(st.context.headers)
    except Exception:  # not served over HTTP (AppTest)
        return {}


def client_address() -> str | None:
    try:
        return st.context.ip_address
    except Exception:
        return None


def identity() -> Identity:
    oidc = oidc_configured()
    return resolve_identity(oidc_configured=oidc, oidc_user=st.user.to_dict() if oidc else None,
                            headers=request_headers(), trusted_header=Settings().trusted_user_header)


def set_user(user: str) -> None:
    """This run serves `user`: the store and the exchange log act for them."""
    if st.session_state.get(USER_KEY) not in (None, user):  # another user in this browser: nothing carries over
        for key in list(st.session_state):
            del st.session_state[key]
    st.session_state[USER_KEY] = user
    set_acting_user(user)


def current_user() -> str:
    return st.session_state[USER_KEY]


def is_admin() -> bool:
    """The signed-in user is an instructor (MLSD_ADMINS): they may see cohort aggregates."""
    from mlsd.access.identity import admins

    return st.session_state.get(USER_KEY) in admins(Settings().admins)


def exposure_warning(who: Identity) -> str | None:
    return exposure.exposure_warning(st.get_option("server.address"), who.sign_in_required)


@st.cache_resource(show_spinner=False)
def warn_at_start(warning: str) -> bool:
    """Print the exposure warning to the server's terminal once per process."""
    print(warning, file=sys.stderr, flush=True)
    return True


def may_use_configured_key(who: Identity) -> bool:
    """The operator's API key serves signed-in users, or on an open server only requests from this machine."""
    if who.sign_in_required:
        return who.signed_in
    return exposure_warning(who) is None or exposure.is_loopback(client_address())


def render_sign_in(who: Identity) -> None:
    """The only thing a visitor who is not signed in sees."""
    st.title("mlsd · sign in")
    if who.via == "oidc":
        st.info("Sign in to practise: your interviews, reports and history are yours only.", icon=":material/lock:")
        if st.button("Sign in", type="primary", key="signin_button", icon=":material/login:"):
            st.login()
    else:
        st.error(f"Not signed in: {who.why}. This app takes the user from the sign-in proxy in front of it; open "
                 "it through that proxy.", icon=":material/lock:")


# -- settings and the store -----------------------------------------------------------------------------
def set_settings(settings: Settings, *, chosen_in_ui: bool) -> None:
    st.session_state[SETTINGS_KEY] = settings
    st.session_state[CHOSEN_KEY] = chosen_in_ui


def settings() -> Settings:
    if SETTINGS_KEY not in st.session_state:
        st.session_state[SETTINGS_KEY] = Settings()
    return st.session_state[SETTINGS_KEY]


def backend_info() -> providers.BackendInfo:
    return providers.describe_backend(settings(), chosen_in_ui=bool(st.session_state.get(CHOSEN_KEY)))


def store():
    """This user's SessionStore: only their sessions. Per browser session (it scrubs this session's key);
    the database connection (pool) under it is shared by the whole process."""
    from mlsd.interview.sessions import store_for

    s = settings()
    ident = (s.database, providers.secret_fingerprint(s.key_value()), current_user())
    if st.session_state.get(STORE_ID_KEY) != ident or STORE_KEY not in st.session_state:
        st.session_state[STORE_KEY] = store_for(s, owner=current_user())
        st.session_state[STORE_ID_KEY] = ident
    return st.session_state[STORE_KEY]


@st.cache_resource(show_spinner="Connecting to the LLM backend…", max_entries=8)
def _llm_client(cache_key: tuple, _settings: Settings):
    from mlsd.llm import get_llm

    return get_llm(_settings)


def llm():
    """The LLM for the current backend (the offline provider included). Raises MLSDError."""
    s = settings()
    return _llm_client(providers.llm_cache_key(s), s)


@st.cache_resource(show_spinner=False)
def problem_bank() -> dict:
    from mlsd.content.problems import load_problems

    return load_problems()


@st.cache_data(ttl=60, show_spinner=False, max_entries=16)
def _index_status(cache_key: tuple, builds: tuple, _settings: Settings):
    from mlsd.knowledge.index import index_status

    return index_status(_settings)


def _builds_so_far(s: Settings) -> tuple:
    """Changes whenever this process builds the index (any page, the sidebar, the background thread),
    so the cached status is recomputed at once; the TTL only covers builds by other processes."""
    from mlsd.knowledge import background
    from mlsd.knowledge.index import get_index

    build = background.current(s)
    return get_index(s).builds, build.state if build is not None else None


def index_status():
    s = settings()
    return _index_status(view.index_cache_key(s), _builds_so_far(s), s)


def index_builds() -> tuple:
    """Changes whenever this process builds the index: compare before and after a page runs."""
    return _builds_so_far(settings())


def background_build():
    """The background index build of this process for the current settings, if one was started."""
    from mlsd.knowledge import background

    return background.current(settings())


def start_background_build():
    """At first start: build a missing or stale index in a background thread (MLSD_INDEX_ON_START=0: never).
    Returns the running build, or None when there is nothing to build."""
    from mlsd.knowledge import background

    s = settings()
    build = background.current(s)
    if build is None and s.index_on_start and index_status().needs_build:
        build = background.start(s)
    return build if build is not None and build.running else None


def wait_for_background_build() -> None:
    """Show the background build's progress until it has finished (a question needs the index)."""
    build = background_build()
    if build is None or not build.running:
        return
    slot = st.empty()
    while not build.wait(timeout=0.5):
        slot.progress(build.fraction, text=f"Waiting for the knowledge index — {build.line.lower()}")
    slot.empty()


def build_index(label: str, *, rebuild: bool = False):
    """Build (or update) the knowledge index with a progress bar that goes away when it is done; a failure
    is shown, not raised."""
    from mlsd.knowledge.index import get_index

    slot = st.empty()
    bar = slot.progress(0.0, text=f"{label} Reading the notes…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"{label} Embedded {done} of {total} chunks")

    try:
        report = get_index(settings()).build(rebuild=rebuild, progress=progress)
    except Exception as exc:
        slot.empty()
        show_error(exc, "Could not build the index")
        return None
    slot.empty()
    return report


def forget_open_interview() -> None:
    for key in (INTERVIEW_SESSION, INTERVIEW_LIVE, INTERVIEW_REPORT, INTERVIEW_STATE, INTERVIEW_FOCUS):
        st.session_state.pop(key, None)


def open_interview(session_id: str) -> None:
    """Go to the Interview page with this session open."""
    st.session_state.pop(INTERVIEW_FOCUS, None)  # a focus belongs to the interview it was stated for
    st.session_state[INTERVIEW_RESUME] = session_id
    st.switch_page(PAGES["interview"], query_params={"session": session_id})


def start_new_interview(problem_id: str, *, mode: str | None = None, focus: str | None = None) -> None:
    """Go to the Interview page's set-up with this problem (and mode) chosen and the focus stated."""
    forget_open_interview()
    st.session_state[INTERVIEW_PRESET] = problem_id
    if mode:
        st.session_state[INTERVIEW_PRESET_MODE] = mode
    if focus:
        st.session_state[INTERVIEW_FOCUS] = focus
    st.query_params.pop("session", None)
    st.switch_page(PAGES["interview"])


@contextlib.contextmanager
def grading_progress(label: str = "Grading…"):
    """A progress bar while grading (dimension by dimension when an LLM grades), gone once done: no empty box
    is left above the report. Yields the callback the grader reports to."""
    slot = st.empty()
    bar = slot.progress(0.0, text=label)

    def progress(done: int, total: int, dimension: str) -> None:
        bar.progress(done / total if total else 1.0, text=f"{label} {dimension} done ({done} of {total})")

    try:
        yield progress
    finally:
        slot.empty()


def show_error(exc: BaseException, what: str | None = None) -> None:
    message = view.error_message(exc)
    st.error(f"{what}: {message}" if what else message, icon=":material/error:")
