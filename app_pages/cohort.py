"""Cohort (instructors in MLSD_ADMINS only): aggregates across everyone — never a transcript, a problem text or one person's score."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import shared
from mlsd.cohort import MIN_PEOPLE, cohort_report

st.title("Cohort")
if not shared.is_admin():  # the page is only in the navigation of admins; a direct visit is refused too
    st.error("The cohort view is for the instructors listed in MLSD_ADMINS.", icon=":material/lock:")
    st.stop()
st.caption(f"Aggregates over everyone's sessions. No transcript, problem text or individual score is shown, and a "
           f"figure over fewer than {MIN_PEOPLE} people is withheld.")

try:
    report = cohort_report(shared.store().db, shared.problem_bank())
except Exception as exc:
    shared.show_error(exc, "Could not read the cohort's sessions")
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric("People", report.people)
c2.metric("Sessions", report.sessions)
c3.metric("Graded", report.graded)
c4.metric("Uploads", report.uploads, help="Transcripts graded on the Grade page; counted in sessions and grades.")

st.subheader("Weakest dimensions")
if report.dimensions:
    st.dataframe(pd.DataFrame([{"Dimension": d.title, "Mean score": d.mean_score, "Graded sessions": d.sessions,
                                "Not covered": d.not_covered} for d in report.dimensions]),
                 hide_index=True, width="stretch")
else:
    st.info(f"Shown once at least {MIN_PEOPLE} people have a graded session.", icon=":material/info:")

st.subheader("Problems practised")
st.dataframe(pd.DataFrame([{"Problem": p.title, "Sessions": p.sessions, "People": p.people} for p in report.problems]),
             hide_index=True, width="stretch")

st.subheader("Score trend")
trend = pd.DataFrame([{"Week": w.week, "Graded": w.graded, "People": w.people,
                       "Mean overall": w.mean_overall} for w in report.trend])
if not trend.empty and trend["Mean overall"].notna().any():
    st.line_chart(trend.dropna(subset=["Mean overall"]), x="Week", y="Mean overall")
st.dataframe(trend, hide_index=True, width="stretch")
