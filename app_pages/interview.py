"""Interview: pick or write a problem, talk to the interviewer, watch coverage and the clock, end and grade.

The session id lives in the URL (`?session=...`), so a browser refresh reloads the interview from
the database; a candidate turn that was saved but never answered (a crash, or a rerun mid-stream)
is answered on load.
"""

from __future__ import annotations

from collections.abc import Iterator

import streamlit as st

from app_pages import interview_panel, shared, unsent, whiteboard
from app_pages.report_view import render_report
from mlsd.content.problems import DIFFICULTIES, filter_problems, topic_options
from mlsd import progress
from app_pages import view
from mlsd.core.errors import DatabaseUnavailableError
from mlsd.interview.answers import plan_answer
from mlsd.llm import offline_llm

SID, IV, STATE, REPORT = shared.INTERVIEW_SESSION, shared.INTERVIEW_LIVE, shared.INTERVIEW_STATE, shared.INTERVIEW_REPORT
RESUME, PRESET = shared.INTERVIEW_RESUME, shared.INTERVIEW_PRESET
PRESET_MODE, FOCUS = shared.INTERVIEW_PRESET_MODE, shared.INTERVIEW_FOCUS
OUTAGE_SHOWN = "interview_outage_shown"  # the LLM outage notice was shown; shown again only after a recovery
SOURCE_OPTIONS = {"bank": "From the problem bank", "custom": "My own problem"}
MODE_OPTIONS = {"mock": "Mock (no hints, like the real thing)", "practice": "Practice (hints and model answers)"}
AVATARS = {"interviewer": ":material/support_agent:", "candidate": ":material/person:"}
# The live panel stays in view while the chat scrolls.
PANEL_CSS = ("<style>div[data-testid='stColumn']:has(.st-key-interview_panel)"
             "{position: sticky; top: 3.75rem; align-self: flex-start;}</style>")


# -- loading ------------------------------------------------------------------------------------------
# Showing an interview needs only the database (turns + the saved InterviewState, which holds coverage
# and time per phase), so a refresh draws at once. The Interviewer, which replays the evidence engine
# over every answer, is resumed only when it has to act: to answer, or to grade.
def current_session_id() -> str | None:
    sid = st.session_state.get(SID)
    wanted = st.session_state.pop(RESUME, None) or st.query_params.get("session")
    if wanted and wanted != sid:
        from mlsd.grading.grader import GradeReport

        try:
            row = shared.store().get(wanted)
        except DatabaseUnavailableError:  # keep it open: the page says the database is down, and waits for it
            st.session_state[SID] = wanted
            return wanted
        except Exception as exc:
            shared.show_error(exc, f"Could not open interview {wanted!r}")
            st.query_params.pop("session", None)
            return sid
        st.session_state[SID] = sid = wanted
        st.session_state.pop(IV, None)
        st.session_state[REPORT] = GradeReport.model_validate(row.report) if row.report else None
    return sid


def saved_state(row):
    from mlsd.interview.policy import InterviewState

    iv = st.session_state.get(IV)
    if iv is not None and iv.session_id == row.id:
        return iv.state
    if row.state:
        return InterviewState.model_validate(row.state)
    return InterviewState(problem_id=row.problem_id or "custom")


def interviewer(sid: str):
    """The live Interviewer for `sid`, resumed from the database the first time it is needed."""
    iv = st.session_state.get(IV)
    if iv is None or iv.session_id != sid:
        from mlsd.interview.interviewer import Interviewer

        with st.spinner("Getting the interviewer up to speed on your answers…"):
            iv = Interviewer.resume(shared.store(), sid, settings=shared.settings())
        st.session_state[IV] = iv
    attach_backend(iv)
    return iv


def attach_backend(iv) -> None:
    """The sidebar may have changed the backend since the last run: phrase with the current one."""
    try:
        iv.llm = shared.llm()
    except Exception as exc:
        iv.llm = offline_llm()
        st.warning(f"The {shared.backend_info().name} backend is unavailable — {view.error_message(exc)}. "
                   "The interviewer asks its questions in the built-in wording until it is fixed.",
                   icon=":material/cloud_off:")
    iv.settings = shared.settings()
    iv.store = shared.store()


def notify_outage(iv) -> None:
    """Say once that the LLM is down (and why); say nothing more until it has answered again."""
    if iv.llm_outage is None:
        st.session_state.pop(OUTAGE_SHOWN, None)
    elif not st.session_state.get(OUTAGE_SHOWN):
        st.session_state[OUTAGE_SHOWN] = True
        st.warning(f"The {shared.backend_info().name} backend is unavailable — {iv.llm_outage}. The interviewer "
                   "asks its questions in the built-in wording and tries the model again in a little while.",
                   icon=":material/cloud_off:")


# -- setup --------------------------------------------------------------------------------------------
def render_setup() -> None:
    st.title("Mock interview")
    st.caption("Pick a problem from the bank or bring your own. The interviewer answers clarifying questions "
               "from a hidden spec, tracks which of the eight design phases you have covered, probes what you "
               "skipped, and grades the transcript when you finish.")
    try:
        problems = shared.problem_bank()
    except Exception as exc:
        shared.show_error(exc, "Could not load the problem bank")
        problems = {}

    preset = st.session_state.pop(PRESET, None)
    if preset in problems:  # a suggestion from History: clear the filters so it is selectable
        st.session_state.update({"interview_source": "bank", "interview_topics": [],
                                 "interview_difficulty": [], "interview_problem": preset})
    preset_mode = st.session_state.pop(PRESET_MODE, None)
    if preset_mode in MODE_OPTIONS:
        st.session_state["interview_mode"] = preset_mode
    if st.session_state.get(FOCUS):
        st.info(f"**Practise next.** {st.session_state[FOCUS]}", icon=":material/target:")

    source = st.radio("Problem", list(SOURCE_OPTIONS), format_func=SOURCE_OPTIONS.get, horizontal=True,
                      key="interview_source", label_visibility="collapsed")
    problem_id = problem_text = None
    if source == "bank":
        c1, c2 = st.columns([3, 2])
        topics = c1.multiselect("Topics", topic_options(problems.values()), format_func=view.topic_label,
                                key="interview_topics", placeholder="Any topic")
        difficulties = c2.pills("Difficulty", list(DIFFICULTIES), selection_mode="multi",
                                key="interview_difficulty")
        matches = filter_problems(problems.values(), topics, difficulties)
        if not matches:
            st.info("No problem matches these filters: remove a topic or a difficulty.")
        else:
            problem_id = st.selectbox(f"Problem ({len(matches)} of {len(problems)})", [p.id for p in matches],
                                      format_func=lambda pid: view.problem_label(problems[pid]), key="interview_problem")
            p = problems[problem_id]
            with st.container(border=True):
                badges = " ".join(f":gray-badge[{view.topic_label(t)}]" for t in p.topics)
                st.markdown(f"**{p.title}** &nbsp; :blue-badge[{p.difficulty}] {badges}")
                st.markdown(view.chat_md(p.statement))
    else:
        problem_text = st.text_area("Describe the system to design", key="interview_custom_text", height=140,
                                    max_chars=4000, placeholder="Design a spam filter for a large email provider…")

    c1, c2 = st.columns([3, 2])
    mode = c1.radio("Mode", list(MODE_OPTIONS), format_func=MODE_OPTIONS.get, key="interview_mode")
    minutes = c2.slider("Time budget (minutes)", 15, 90, 45, step=5, key="interview_minutes")

    if st.button("Start interview", type="primary", key="interview_start", icon=":material/play_arrow:",
                 disabled=source == "bank" and problem_id is None):
        from mlsd.interview.interviewer import Interviewer

        try:
            with st.spinner("Preparing the interviewer (the first start loads the embedding model)…"):
                # sessions.problem_text is stored as given: keep this session's key out of it
                text = view.scrub(problem_text, shared.settings().key_value()) if problem_text else None
                iv = Interviewer.start(shared.store(), problem_id=problem_id, problem_text=text, mode=mode,
                                       time_budget_min=float(minutes), settings=shared.settings())
        except Exception as exc:
            shared.show_error(exc, "Could not start the interview")
            return
        st.session_state.update({SID: iv.session_id, IV: iv, REPORT: None})
        st.query_params["session"] = iv.session_id
        st.rerun()


def escaped(pieces: Iterator[str]) -> Iterator[str]:
    for piece in pieces:
        yield view.chat_md(piece)


# -- the interview ----------------------------------------------------------------------------------------
def render_interview(sid: str) -> None:
    store = shared.store()
    st.query_params["session"] = sid
    try:
        row, turns, kept = store.get(sid), store.turns(sid), unsent.settle(store, sid)
    except DatabaseUnavailableError as exc:
        st.session_state.pop(IV, None)
        unsent.render_offline(sid, exc)
        return
    state = saved_state(row)
    finished = row.status == "ended" or state.status == "wrapped"
    report = st.session_state.get(REPORT)

    prompt = st.chat_input("This interview has ended" if finished else "Your answer — ask, assume, design…",
                           key="interview_chat", disabled=finished or kept is not None, max_chars=8000)
    prompt = prompt or interview_panel.take_quick_reply()  # "I'm done" / "Hint" from the panel
    prompt = prompt or whiteboard.submitted(sid)
    if prompt and prompt.strip() and not finished:
        kept = unsent.keep(sid, prompt)  # kept until the database has it
    st.html(PANEL_CSS)
    chat_col, panel_col = st.columns([11, 9], gap="large")
    with chat_col:
        for turn in turns:
            with st.chat_message(view.chat_role(turn["role"]), avatar=AVATARS[turn["role"]]):
                whiteboard.show_turn(turn["content"])
        pending = bool(turns) and turns[-1]["role"] == "candidate" and row.status != "ended"
        retry = unsent.show_kept(kept) if kept is not None and not prompt else False
        try:
            if pending:
                # The last saved turn is the candidate's and was never answered (a crash, or a rerun
                # mid-reply): answer it now.
                iv = interviewer(sid)
                with st.chat_message("assistant", avatar=AVATARS["interviewer"]):
                    st.write_stream(escaped(iv.deliver(iv.plan_pending())))
            if kept is not None and (prompt or retry) and not finished:
                if prompt:
                    with st.chat_message("user", avatar=AVATARS["candidate"]):
                        whiteboard.show_turn(prompt)
                iv = interviewer(sid)
                action = plan_answer(iv, kept.text, kept.key)
                if action is not None:
                    with st.chat_message("assistant", avatar=AVATARS["interviewer"]):
                        st.write_stream(escaped(iv.deliver(action)))
                unsent.forget()
                if retry:
                    st.rerun()  # draw the saved answer in its place in the transcript
            if pending or prompt:
                notify_outage(iv)
        except DatabaseUnavailableError as exc:
            st.session_state.pop(IV, None)  # resumed from what the database holds once it is back
            unsent.show_outage(exc)
            if prompt:
                unsent.show_kept(kept)
            st.stop()
        except Exception as exc:
            shared.show_error(exc, "The interviewer could not answer")
        row = store.get(sid)
        state = saved_state(row)
        now_finished = row.status == "ended" or state.status == "wrapped"
        if now_finished and not report:
            st.info("The interviewer has wrapped up. Grade the interview to see your report.", icon=":material/flag:")

    with panel_col, st.container(key="interview_panel"):
        title = progress.problem_title_for(row.problem_id, row.problem_text, shared.problem_bank())
        st.markdown(f"### {view.chat_md(title)}")
        st.caption(f"{state.mode.capitalize()} interview · {state.time_budget_min:.0f}-minute budget · "
                   f"{shared.backend_info().line.lower()}  \nsession `{sid}`")
        if st.session_state.get(FOCUS):
            st.caption(f":material/target: {st.session_state[FOCUS]}")
        interview_panel.render_problem(row, state)
        interview_panel.render_progress(state, now_finished)
        interview_panel.render_quick_replies(state, now_finished)
        c1, c2 = st.columns(2)
        end = c1.button("End and grade" if not report else "Grade again", type="primary" if not report else "secondary",
                        key="interview_end", icon=":material/grading:", width="stretch")
        new = c2.button("New interview", key="interview_new", icon=":material/add:", width="stretch")
        whiteboard.render(sid, disabled=now_finished or unsent.kept(sid) is not None)

    if new:
        shared.forget_open_interview()
        st.query_params.pop("session", None)
        st.rerun()
    if end:
        try:
            with shared.grading_progress("Grading the interview…") as report_progress:
                st.session_state[REPORT] = report = interviewer(sid).end_and_grade(report_progress)
        except Exception as exc:
            shared.show_error(exc, "Could not grade the interview")
    if now_finished != finished and not end:
        st.rerun()  # the interviewer just wrapped up: redraw with the chat input closed

    if report is not None:
        st.divider()
        st.subheader("Your grade")
        render_report(report, key="interview_report", session_id=sid)


session_id = current_session_id()
if session_id is None:
    render_setup()
else:
    render_interview(session_id)
