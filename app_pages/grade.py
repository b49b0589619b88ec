"""Grade: paste a transcript, upload one (.json / .txt / .md) or pick a past session; show the report."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from app_pages.report_view import render_report
from mlsd import progress
from app_pages import view

REPORT = "grade_report"  # (GradeReport, source label, session id or None)
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
    from mlsd.grading.service import grade_text
    from mlsd.grading.transcript import decode

    settings = shared.settings()
    failure = None
    with st.status("Grading…", expanded=False) as box:
        try:
            text = decode(data, label) if isinstance(data, bytes) else data
            report = grade_text(view.scrub(text, settings.key_value()), source=label, problem=problem,
                                rubric_id=rubric, settings=settings, llm=shared.llm())
            if session_id and shared.store().get(session_id).status == "ended":
                shared.store().end(session_id, report.model_dump())  # History shows it from now on
            st.session_state[REPORT] = (report, label, session_id)
            box.update(label=f"Graded {label}", state="complete")
        except Exception as exc:
            failure = exc
            box.update(label="Could not grade", state="error")
    if failure is not None:
        from mlsd.core.errors import TranscriptError

        st.session_state.pop(REPORT, None)
        if isinstance(failure, TranscriptError):
            st.error(f"Could not read the transcript — {failure}", icon=":material/error:")
        else:
            shared.show_error(failure, "Could not grade")

if st.session_state.get(REPORT):
    report, label, session_id = st.session_state[REPORT]
    st.divider()
    st.subheader(f"Report — {label}")
    render_report(report, key="grade_report", session_id=session_id)
