"""History: past interviews and graded uploads (resume, open the report, export, delete), the score trend,
and what to practise next."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import shared
from app_pages import view
from app_pages.report_view import render_report
from mlsd import progress

OPEN = "history_open_report"  # session id whose report is shown
CONFIRM_DELETE = "history_confirm_delete"  # session id the user asked to delete, awaiting confirmation
OVERALL_COLOR = "#111827"


def single_session_chart(rows: list[dict]) -> alt.LayerChart:
    """One graded session: a point per dimension (and the overall score), each labelled with its value."""
    df = pd.DataFrame(rows)
    y = alt.Y("dimension:N", sort=[r["dimension"] for r in rows], title=None, axis=alt.Axis(labelLimit=220))
    x = alt.X("score:Q", title="score (0–100)", scale=alt.Scale(domain=[0, 100]))
    color = alt.condition("datum.dimension == 'Overall'", alt.value(OVERALL_COLOR), alt.value("#3b82f6"))
    points = alt.Chart(df).mark_point(filled=True, size=110).encode(
        x=x, y=y, color=color, shape=alt.condition("datum.dimension == 'Overall'", alt.value("diamond"),
                                                   alt.value("circle")),
        tooltip=[alt.Tooltip("dimension:N"), alt.Tooltip("score:Q")])
    labels = alt.Chart(df).mark_text(align="left", dx=9, fontSize=12, color="#374151").encode(
        x=x, y=y, text=alt.Text("score:Q", format=".0f"))
    return (points + labels).properties(height=max(160, 30 * len(rows)))


def trend_chart(rows: list[dict]) -> alt.LayerChart:
    """Two or more graded sessions: a line per dimension and a thicker dashed line for the overall score."""
    df = pd.DataFrame(rows)
    x = alt.X("session:O", title="graded session (oldest → newest)", axis=alt.Axis(labelAngle=0))
    y = alt.Y("score:Q", title="score (0–100)", scale=alt.Scale(domain=[0, 100]))
    tooltip = [alt.Tooltip("dimension:N"), alt.Tooltip("score:Q"), alt.Tooltip("when:N", title="graded session")]
    dims = (alt.Chart(df[df.dimension != "Overall"]).mark_line(point=True, strokeWidth=1.5, opacity=0.8)
            .encode(x=x, y=y, color=alt.Color("dimension:N", title=None, sort=None,
                                              legend=alt.Legend(orient="right", labelLimit=220)), tooltip=tooltip))
    overall = (alt.Chart(df[df.dimension == "Overall"])
               .mark_line(point=alt.OverlayMarkDef(size=60, color=OVERALL_COLOR), strokeWidth=3, strokeDash=[6, 3],
                          color=OVERALL_COLOR)
               .encode(x=x, y=y, tooltip=tooltip))
    return (dims + overall).properties(height=320)


def chart_caption(sessions: int, dimensions: int) -> str:
    if sessions == 1:
        return (f"One graded session so far: each blue point is one of its {dimensions} dimension scores (0–100), "
                "labelled with its value; the black diamond is the overall score. Lines start with the second "
                "graded session.")
    return (f"Each coloured line is one of the {dimensions} rubric dimensions, its score (0–100) in each of your "
            f"{sessions} graded sessions, oldest to newest; the thick dashed black line is the overall score.")


def render_actions(store, chosen) -> None:
    sid = chosen.id
    c1, c2, c3, c4, c5 = st.columns(5)
    if c1.button("Resume in Interview", key="history_resume", icon=":material/play_arrow:", width="stretch",
                 disabled=not chosen.resumable,
                 help=None if chosen.resumable else "Only an unfinished interview can be resumed."):
        shared.open_interview(sid)
    if c2.button("Open report", key="history_open", icon=":material/grading:", width="stretch",
                 disabled=not chosen.graded, help=None if chosen.graded else "Not graded yet: grade it from the "
                                                                              "Interview or Grade page."):
        st.session_state[OPEN] = sid
    c3.download_button("Transcript (Markdown)", data=store.export_markdown(sid), file_name=f"mlsd-{sid}.md",
                       mime="text/markdown", key="history_export_md", on_click="ignore", width="stretch",
                       icon=":material/download:")
    c4.download_button("Transcript (JSON)", data=store.export_json(sid), file_name=f"mlsd-{sid}.json",
                       mime="application/json", key="history_export_json", on_click="ignore", width="stretch",
                       icon=":material/data_object:")
    if c5.button("Delete…", key="history_delete", icon=":material/delete:", width="stretch"):
        st.session_state[CONFIRM_DELETE] = sid
    if st.session_state.get(CONFIRM_DELETE) == sid:
        render_delete_confirmation(store, chosen)


def render_delete_confirmation(store, chosen) -> None:
    what = "graded upload" if chosen.kind == "upload" else "interview"
    st.warning(f"Delete the {what} **{view.quote_md(chosen.problem)}** of {progress.short_time(chosen.created)}, "
               "with its transcript and report? This cannot be undone.", icon=":material/delete:")
    c1, c2, _ = st.columns([1, 1, 3])
    if c1.button("Delete for good", key="history_delete_confirm", type="primary"):
        store.delete(chosen.id)
        if st.session_state.get(shared.INTERVIEW_SESSION) == chosen.id:
            shared.forget_open_interview()
        for key in (CONFIRM_DELETE, OPEN, "history_session"):
            st.session_state.pop(key, None)
        st.rerun()
    if c2.button("Keep it", key="history_delete_cancel"):
        st.session_state.pop(CONFIRM_DELETE, None)
        st.rerun()


def render_progress(store, summaries, problems) -> None:
    st.subheader("Progress")
    graded = progress.graded_reports(store.list())
    if not graded:
        st.caption("Grade an interview or a transcript to start a trend: each graded session adds a point per "
                   "dimension.")
        return
    rows = progress.trend_rows(graded)
    chart = single_session_chart(rows) if len(graded) == 1 else trend_chart(rows)
    st.altair_chart(chart, width="stretch")
    st.caption(chart_caption(len(graded), len(graded[-1][2].dimensions)))
    focus = progress.practice_focus([r for _, _, r in graded])
    if not focus:
        return
    suggestion = progress.suggest_problem([w.dimension for w in focus], problems,
                                          progress.practised_problem_ids(summaries))
    with st.container(border=True):
        message = progress.focus_message(focus)
        st.markdown(message)
        st.caption("Communication and trade-offs are graded in every problem, so the pick follows the weakest "
                   "design phases.")
        if suggestion:
            p = suggestion.problem
            st.markdown(f"**Practise next:** {p.title} ({p.difficulty}) — {view.quote_md(suggestion.reason)}.")
            if st.button("Practise this problem", key="history_practise", type="primary", icon=":material/school:"):
                shared.start_new_interview(p.id, mode="practice", focus=message)


st.title("History")
st.caption("Every interview is saved as you go, and every transcript graded on the Grade page is kept as an upload. "
           "Resume an unfinished interview, open a report, export or delete a session, and see how each dimension "
           "moves across graded sessions.")

try:
    store = shared.store()
    problems = shared.problem_bank()
    summaries = progress.session_summaries(store, problems)
except Exception as exc:
    shared.show_error(exc, "Could not read the session history")
    st.stop()

if not summaries:
    st.info("Nothing here yet. Start an interview on the Interview page, or grade a transcript on the Grade page; "
            "either appears here.", icon=":material/info:")
    st.page_link(shared.PAGES["interview"], label="Start an interview", icon=":material/play_arrow:")
    st.stop()

# -- sessions -------------------------------------------------------------------------------------------
table = pd.DataFrame([{"Started (UTC)": progress.short_time(s.created).removesuffix(" UTC"), "Problem": s.problem,
                       "Kind": s.kind_label, "Mode": s.mode or "—",
                       "Status": "graded" if s.graded else s.status, "Turns": s.turns,
                       "Score": f"{s.overall:.0f}" if s.overall is not None else "—", "Band": s.band or "—",
                       "Session": s.id} for s in summaries])
st.dataframe(table, hide_index=True, width="stretch")

by_id = {s.id: s for s in summaries}
sid = st.selectbox("Session", list(by_id), format_func=lambda i: by_id[i].label, key="history_session")
chosen = by_id[sid]
render_actions(store, chosen)

if st.session_state.get(OPEN) == sid and chosen.graded:
    from mlsd.grading.grader import GradeReport

    with st.container(border=True):
        st.subheader(f"Report — {chosen.problem}")
        try:
            render_report(GradeReport.model_validate(store.get(sid).report), key="history_report", session_id=sid)
        except Exception as exc:
            shared.show_error(exc, "Could not show this report")

st.divider()
render_progress(store, summaries, problems)
