"""The panel beside the interview chat: the problem and what the interviewer has told you, the clock,
and — in practice mode only — coverage per phase.

Mock mode shows the clock and the overall budget and nothing per phase: a coverage chart (or time
per phase) visible all along tells the candidate exactly what they skipped, the hint a real
interviewer never gives. Once the interview has ended the clock stops (the state's `ended_at`).
"""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import shared, view
from mlsd.interview import panel
from mlsd.interview.policy import COVERED

CHART_HEIGHT = 260
DEPTH_COLORS = ["#b0b7c3", "#f59e0b", "#3b82f6", "#16a34a"]
QUICK_REPLY = "interview_quick_reply"  # a button's message, sent as the candidate's next turn
DONE_TEXT = "I'm done — I think that covers my design."
HINT_TEXT = "Hint, please."


def coverage_chart(rows: list[panel.PhaseRow]) -> alt.LayerChart:
    """Coverage bars (0-1, the dashed line is 'covered') with each phase's minutes spent / budget beside them."""
    df = pd.DataFrame([{"phase": r.short, "title": r.title, "coverage": r.coverage, "depth": r.depth_name,
                        "x_track": 1.0, "x_time": 1.04, "time": f"{r.spent_min:.1f} / {r.budget_min:.1f} min",
                        "over": r.spent_min > r.budget_min, "current": r.current} for r in rows])
    y = alt.Y("phase:N", sort=[r.short for r in rows], title=None,
              axis=alt.Axis(labelLimit=140, labelFontSize=12, ticks=False, domain=False, labelPadding=6))
    x = alt.X("coverage:Q", scale=alt.Scale(domain=[0, 1.6]), title="coverage · minutes spent / budget",
              axis=alt.Axis(values=[0, 0.5, 1], format="%", titleFontWeight="normal", titleColor="#6b7280",
                            titleAnchor="start"))
    tooltip = [alt.Tooltip("title:N", title="phase"), alt.Tooltip("coverage:Q", format=".0%"), alt.Tooltip("depth:N"),
               alt.Tooltip("time:N", title="spent / budget")]
    bars = alt.Chart(df).mark_bar(cornerRadiusEnd=3, height=16).encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("depth:N", title=None,
                        scale=alt.Scale(domain=list(panel.level_names().values()), range=DEPTH_COLORS),
                        legend=alt.Legend(orient="top", direction="horizontal", symbolType="square", symbolSize=70,
                                          labelFontSize=11, columnPadding=6, offset=4)))
    track = alt.Chart(df).mark_bar(height=16, color="#eef0f5", cornerRadiusEnd=3).encode(x=alt.X("x_track:Q"), y=y)

    def times(current: bool) -> alt.Chart:  # the current phase's time in bold
        return (alt.Chart(df).transform_filter("datum.current" if current else "!datum.current")
                .mark_text(align="left", fontSize=11, fontWeight="bold" if current else "normal")
                .encode(x=alt.X("x_time:Q"), y=y, text="time:N",
                        color=alt.condition("datum.over", alt.value("#dc2626"), alt.value("#4b5563"))))

    threshold = alt.Chart(pd.DataFrame({"x": [COVERED]})).mark_rule(strokeDash=[4, 4], color="#6b7280").encode(x="x:Q")
    return (track + bars + threshold + times(False) + times(True)).properties(height=CHART_HEIGHT)


def render_clock() -> None:
    state = st.session_state.get(shared.INTERVIEW_STATE)
    if state is None:
        return
    t = panel.timer(state)
    ended = " — stopped, the interview has ended" if state.ended_at is not None else ""
    st.progress(t.fraction, text=f"**Time** {t.text} min" + (ended or (" — over time" if t.over else
                                                                      f" · {panel.fmt_minutes(t.remaining_min)} left")))


live_clock = st.fragment(run_every=timedelta(seconds=15))(render_clock)


def render_problem(row, state) -> None:
    """The statement and every fact revealed so far, pinned (the panel is sticky) so neither scrolls away."""
    bank = shared.problem_bank()
    problem = bank.get(row.problem_id) if row.problem_id else None
    statement = problem.statement if problem else (row.problem_text or "")
    with st.container(border=True, key="interview_problem_statement"):
        st.markdown(view.chat_md(statement))
        facts = state.revealed_facts(problem)
        if facts:
            st.markdown("**The interviewer has told you**")
            st.markdown("\n".join(f"- {view.chat_md(f)}" for f in facts))


def render_progress(state, finished: bool) -> None:
    st.session_state[shared.INTERVIEW_STATE] = state
    (render_clock if finished else live_clock)()
    if state.mode != "practice":
        st.caption("Mock interview: coverage stays hidden until your report, as in a real interview. "
                   "Say when you are done and the interviewer names what is left.")
        return
    rows = panel.phase_rows(state)
    covered = sum(r.covered for r in rows)
    current = next((r.title for r in rows if r.current), None)
    st.markdown(f"**Phase coverage** · {covered} of {len(rows)} covered"
                + (f" · now: {current.lower()}" if current else ""))
    st.altair_chart(coverage_chart(rows), width="stretch", height=CHART_HEIGHT + 70)


def render_quick_replies(state, finished: bool) -> None:
    """'I'm done' (both modes) and 'Hint' (practice): each sends its message as the candidate's turn."""
    if finished:
        return
    send = lambda text: st.session_state.__setitem__(QUICK_REPLY, text)  # noqa: E731
    c1, c2 = st.columns(2)
    c1.button("I'm done", key="interview_done", icon=":material/check:", width="stretch",
              on_click=send, args=(DONE_TEXT,), help="The interviewer names your biggest gaps, then wraps up")
    if state.mode == "practice":
        c2.button("Hint", key="interview_hint", icon=":material/lightbulb:", width="stretch",
                  on_click=send, args=(HINT_TEXT,))


def take_quick_reply() -> str | None:
    return st.session_state.pop(QUICK_REPLY, None)
