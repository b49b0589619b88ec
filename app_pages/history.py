"""History: past sessions (resume, open the report, export), the score trend, and what to practise next."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import shared
from app_pages.report_view import render_report
from mlsd import progress
from app_pages import view

OPEN = "history_open_report"  # session id whose report is shown


def trend_chart(rows: list[dict]) -> alt.LayerChart:
    df = pd.DataFrame(rows)
    x = alt.X("session:O", title="graded interview (oldest → newest)", axis=alt.Axis(labelAngle=0))
    y = alt.Y("score:Q", title="score (0–100)", scale=alt.Scale(domain=[0, 100]))
    tooltip = [alt.Tooltip("dimension:N"), alt.Tooltip("score:Q"), alt.Tooltip("when:N", title="started")]
    dims = (alt.Chart(df[df.dimension != "Overall"]).mark_line(point=True, strokeWidth=1.5, opacity=0.8)
            .encode(x=x, y=y, color=alt.Color("dimension:N", title=None, sort=None,
                                              legend=alt.Legend(orient="right", labelLimit=220)), tooltip=tooltip))
    overall = (alt.Chart(df[df.dimension == "Overall"]).mark_line(point=alt.OverlayMarkDef(size=60), strokeWidth=3,
                                                                  strokeDash=[6, 3], color="#111827")
               .encode(x=x, y=y, tooltip=tooltip))
    return (dims + overall).properties(height=320)


st.title("History")
st.caption("Every interview is saved as you go. Resume an unfinished one, open a report, export a transcript, "
           "and see how each dimension moves across graded interviews.")

try:
    store = shared.store()
    problems = shared.problem_bank()
    summaries = progress.session_summaries(store, problems)
except Exception as exc:
    shared.show_error(exc, "Could not read the session history")
    st.stop()

if not summaries:
    st.info("No interviews yet. Start one on the Interview page; it appears here as soon as it begins.",
            icon=":material/info:")
    st.page_link(shared.PAGES["interview"], label="Start an interview", icon=":material/play_arrow:")
    st.stop()

# -- sessions -------------------------------------------------------------------------------------------
table = pd.DataFrame([{"Started (UTC)": progress.short_time(s.created).removesuffix(" UTC"), "Problem": s.problem,
                       "Mode": s.mode, "Status": "graded" if s.graded else s.status, "Turns": s.turns,
                       "Score": f"{s.overall:.0f}" if s.overall is not None else "—", "Band": s.band or "—",
                       "Session": s.id} for s in summaries])
st.dataframe(table, hide_index=True, width="stretch")

by_id = {s.id: s for s in summaries}
sid = st.selectbox("Session", list(by_id), format_func=lambda i: by_id[i].label, key="history_session")
chosen = by_id[sid]
c1, c2, c3, c4 = st.columns(4)
if c1.button("Resume in Interview", key="history_resume", icon=":material/play_arrow:", width="stretch",
             disabled=not chosen.resumable, help=None if chosen.resumable else "This interview has ended."):
    shared.open_interview(sid)
if c2.button("Open report", key="history_open", icon=":material/grading:", width="stretch",
             disabled=not chosen.graded, help=None if chosen.graded else "Not graded yet: grade it from the "
                                                                          "Interview or Grade page."):
    st.session_state[OPEN] = sid
c3.download_button("Transcript (Markdown)", data=store.export_markdown(sid), file_name=f"mlsd-interview-{sid}.md",
                   mime="text/markdown", key="history_export_md", on_click="ignore", width="stretch",
                   icon=":material/download:")
c4.download_button("Transcript (JSON)", data=store.export_json(sid), file_name=f"mlsd-interview-{sid}.json",
                   mime="application/json", key="history_export_json", on_click="ignore", width="stretch",
                   icon=":material/data_object:")

if st.session_state.get(OPEN) == sid and chosen.graded:
    from mlsd.grading.grader import GradeReport

    with st.container(border=True):
        st.subheader(f"Report — {chosen.problem}")
        try:
            render_report(GradeReport.model_validate(store.get(sid).report), key="history_report", session_id=sid)
        except Exception as exc:
            shared.show_error(exc, "Could not show this report")

# -- progress -------------------------------------------------------------------------------------------
st.divider()
st.subheader("Progress")
graded = progress.graded_reports(store.list())
if not graded:
    st.caption("Grade an interview to start a trend: each graded interview adds a point per dimension.")
    st.stop()

st.altair_chart(trend_chart(progress.trend_rows(graded)), width="stretch")
st.caption("Each line is one rubric dimension's score (0–100); the dashed black line is the overall score.")
weak = progress.weakest_dimension([r for _, _, r in graded])
suggestion = progress.suggest_problem(weak.dimension, problems, progress.practised_problem_ids(summaries)) if weak else None
if weak:
    with st.container(border=True):
        missed = f"; not covered in {weak.not_covered} of them" if weak.not_covered else ""
        st.markdown(f"**Weakest dimension:** {weak.title} — mean {weak.mean_score:.0f}/100 over your last "
                    f"{weak.sessions} graded interview{'s' if weak.sessions != 1 else ''}{missed}.")
        if suggestion:
            p = suggestion.problem
            st.markdown(f"**Practise next:** {p.title} ({p.difficulty}) — {view.quote_md(suggestion.reason)}.")
            if st.button("Practise this problem", key="history_practise", type="primary", icon=":material/school:"):
                shared.start_new_interview(p.id)
