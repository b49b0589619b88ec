"""Grade: paste a transcript, upload one (.json / .txt / .md) or pick a past session; show the report."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from app_pages.report_view import render_report
from mlsd import progress
from app_pages import view

REPORT = "grade_report"  # (GradeReport, source label, graded session id or None, id it was kept under)
SOURCES = {"paste": "Paste text", "upload": "Upload a file", "session": "A past session"}
PLACEHOLDER = ("Interviewer: Design fraud detection for a bank's card payments.\n"
               "Candidate: Before designing anything, what is the latency budget? …\n\n"
               "(JSON exports, 'Interviewer:' / 'Candidate:' text, or a bare written answer all work.)")


def read_input(source: str) -> tuple[str | bytes | None, str, str | None]:
    """(data, source label, session id) for the chosen input; data None when nothing is given yet."""
    if source == "paste":
        text = st.text_area("Transcript", key="grade_text", height=260, placeholder=PLACEHOLDER)
        return (text if text.strip() else None), "pasted text", None
    if source == "upload":
        upload = st.file_uploader("Transcript file", type=["json", "txt", "md"], key="grade_file",
                                  help="A JSON export (`mlsd export --format json`), Markdown or text with "
                                       "'Interviewer:' / 'Candidate:' turns, or a plain written answer.")
        return (upload.getvalue() if upload is not None else None), (upload.name if upload else "upload"), None
    summaries = [s for s in progress.session_summaries(shared.store(), shared.problem_bank()) if s.candidate_turns]
    if not summaries:
        st.info("No past session with an answer yet: run an interview first, or paste a transcript.")
        return None, "session", None
    labels = {s.id: s.label for s in summaries}
    sid = st.selectbox("Session", list(labels), format_func=labels.get, key="grade_session")
    return shared.store().export_json(sid), f"session {sid}", sid


def keep_upload(transcript, report, label: str) -> str:
    """Save a graded paste or upload to History; returns its session id."""
    problems = shared.problem_bank()
    problem_id = report.problem if report.problem in problems else None
    return shared.store().save_upload(problem_id=problem_id, problem_text=None if problem_id else report.problem,
                                      transcript=transcript, report=report.model_dump(), source=label)


def grade(data, label: str, session_id: str | None, problem: str | None, rubric: str | None) -> None:
    """Grade, keep the result (History shows it), and remember it for this page; errors are shown."""
    from mlsd.core.errors import TranscriptError
    from mlsd.grading.service import parse_and_grade
    from mlsd.grading.transcript import decode

    settings = shared.settings()
    try:
        with shared.grading_progress() as progress:
            text = decode(data, label) if isinstance(data, bytes) else data
            transcript, report = parse_and_grade(view.scrub(text, settings.key_value()), source=label,
                                                 problem=problem, rubric_id=rubric, settings=settings,
                                                 llm=shared.llm(), progress=progress)
        kept = None
        if session_id:
            if shared.store().get(session_id).status == "ended":
                shared.store().end(session_id, report.model_dump())  # History shows it from now on
                kept = session_id
        elif report.status == "graded":
            kept = keep_upload(transcript, report, label)
        st.session_state[REPORT] = (report, label, session_id, kept)
    except Exception as exc:
        st.session_state.pop(REPORT, None)
        if isinstance(exc, TranscriptError):
            st.error(f"Could not read the transcript — {exc}", icon=":material/error:")
        else:
            shared.show_error(exc, "Could not grade")


def kept_line(report, session_id: str | None, kept: str | None) -> str:
    if kept and session_id:
        return "Saved to this interview in History."
    if kept:
        return f"Saved in History as an upload (session `{kept}`), beside your interviews."
    if session_id:
        return "Not saved: this interview is still running; its grade is kept once it has ended."
    return "Not saved in History: there was not enough evidence to grade."


st.title("Grade a transcript")
st.caption("Scores each rubric dimension from verbatim evidence; a phase with no evidence is reported as "
           "*not covered*, never given an invented level. The overall score is computed from the levels "
           "and the rubric weights.")

source = st.radio("Transcript from", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="grade_source")
data, label, session_id = read_input(source)

with st.expander("Options", icon=":material/tune:"):
    problems = shared.problem_bank()
    c1, c2 = st.columns(2)
    problem = c1.selectbox("Problem, if the transcript does not name one", [None, *problems], key="grade_problem",
                           format_func=lambda p: "— none —" if p is None else problems[p].title)
    from mlsd.content.rubrics import list_rubrics

    rubric = c2.selectbox("Rubric", [None, *list_rubrics()], key="grade_rubric",
                          format_func=lambda r: "the problem's (base + its overlay)" if r is None else r)


go = st.button("Grade", type="primary", key="grade_go", icon=":material/grading:")
if go and data is None:
    st.warning("Nothing to grade yet: paste a transcript, upload a file or pick a session.")
elif go:
    grade(data, label, session_id, problem, rubric)

if st.session_state.get(REPORT):
    report, label, session_id, kept = st.session_state[REPORT]
    st.divider()
    st.subheader(f"Report — {label}")
    st.caption(kept_line(report, session_id, kept))
    render_report(report, key="grade_report", session_id=session_id or kept)
