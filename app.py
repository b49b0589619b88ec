"""mlsd — the Streamlit app. Declares the navigation, the shared state and the sidebar, then runs the page.
Pages (UI only) are in app_pages/; the logic they call is in src/mlsd.
Run with `make run` or `streamlit run app.py`. Works offline by default: no key, no server.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # `app_pages` is imported as a package from next to this file
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app_pages import shared  # noqa: E402
from app_pages import view  # noqa: E402
from mlsd.llm import providers  # noqa: E402

st.set_page_config(page_title="mlsd · ML system design interview prep", page_icon=":material/explore:", layout="wide",
                   initial_sidebar_state="expanded")


@st.fragment(run_every=2)
def index_building() -> None:
    """The background build's progress, redrawn every 2 s; when it ends, the whole app reruns to show the status."""
    build = shared.background_build()
    if build is None or not build.running:
        st.rerun()
    st.caption(build.line)
    st.progress(build.fraction)


def index_status_and_button():
    """The status line (its slot is returned, to be redrawn if the page builds the index) and a build button."""
    build = shared.background_build()
    if build is not None and build.state == "failed":
        st.warning(f"The background index build failed — {build.error}", icon=":material/error:")
    status_slot = st.empty()
    status = shared.index_status()
    status_slot.caption(view.index_status_text(status))
    if st.button(view.index_button_label(status), key="sidebar_index_build", icon=":material/database:"):
        report = shared.build_index("Building the knowledge index…", rebuild=status.state == "built")
        if report is not None:
            st.caption(report.summary())
        status_slot.caption(view.index_status_text(shared.index_status()))
    return status_slot


# -- who is asking: nothing below runs for a visitor who is not signed in -------------------------------
who = shared.identity()
exposed = shared.exposure_warning(who)
if exposed:
    shared.warn_at_start(exposed)
if not who.signed_in:
    shared.render_sign_in(who)
    st.stop()
shared.set_user(who.user)

page = st.navigation([
    st.Page(shared.PAGES["interview"], title="Interview", icon=":material/record_voice_over:", default=True),
    st.Page(shared.PAGES["ask"], title="Ask", icon=":material/menu_book:"),
    st.Page(shared.PAGES["grade"], title="Grade", icon=":material/grading:"),
    st.Page(shared.PAGES["history"], title="History", icon=":material/history:"),
    *([st.Page(shared.PAGES["cohort"], title="Cohort", icon=":material/groups:")] if shared.is_admin() else []),
], position="top")

with st.sidebar:
    st.markdown("## :material/explore: mlsd")
    st.caption("ML system design interview prep: mock interviews, grounded concept answers, graded transcripts.")
    if exposed:
        st.warning(exposed, icon=":material/warning:")
    if who.sign_in_required:
        st.caption(f":material/person: Signed in as **{view.quote_md(who.user)}**")
        if who.via == "oidc" and st.button("Sign out", key="sidebar_sign_out", icon=":material/logout:"):
            st.logout()

    # -- backend: Settings overrides built in memory; the key stays in session_state only --------------
    st.markdown("#### LLM backend")
    base_url = model = api_key = None
    if who.sign_in_required:  # a cohort: the operator's backend for everyone
        choice = "auto"
        st.caption("Set by the operator for everyone signed in.")
    else:
        choice = st.selectbox("Backend", list(providers.BACKEND_CHOICES), format_func=providers.BACKEND_CHOICES.get,
                              key="sidebar_backend", label_visibility="collapsed")
    if choice == "openai":
        base_url = st.text_input("Base URL", key="sidebar_base_url",
                                 placeholder="blank: OpenAI, or e.g. http://localhost:11434/v1")
        model = st.text_input("Model", key="sidebar_model", placeholder="blank: discovered or gpt-4o-mini")
        api_key = st.text_input("API key", type="password", key="sidebar_api_key", placeholder="sk-…",
                                help="Kept only in this browser session's memory: never written to disk, "
                                     "logs, the database or exports.")
    try:
        shared.set_settings(providers.build_settings(choice, base_url=base_url, model=model, api_key=api_key,
                                                     configured_key=shared.may_use_configured_key(who)),
                            chosen_in_ui=choice != "auto")
    except Exception as exc:  # e.g. an invalid MLSD_* variable in the environment
        st.error(f"Settings are invalid: {view.error_message(exc)}")
        st.stop()
    info = shared.backend_info()
    st.markdown(f"**{info.line}**")
    st.caption(f"Why: {info.reason}")
    for line in info.details:
        st.caption(line)
    if info.problem:
        st.warning(info.problem)

    # -- knowledge index: built in the background at first start; status and a build button -----------
    st.markdown("#### Knowledge index")
    status_slot = None
    if shared.start_background_build() is not None:
        index_building()
    else:
        status_slot = index_status_and_button()
builds_before_page = shared.index_builds()

try:
    page.run()
    if status_slot is not None and shared.index_builds() != builds_before_page:
        status_slot.caption(view.index_status_text(shared.index_status()))  # the page built it: say so now
except Exception as exc:  # a bug must not show a traceback: one readable line (MLSD_RAISE_ERRORS=1 re-raises)
    if os.environ.get("MLSD_RAISE_ERRORS"):
        raise
    st.error(f"This page failed — {view.error_message(exc)}", icon=":material/error:")
