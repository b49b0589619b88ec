"""The grade report as the app shows it: the Grade page's renderer, reused by Interview and History."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import view, whiteboard
from mlsd.content.notes import read_note
from mlsd.grading.report import GradeReport, cut, level_label


def level_chart(report: GradeReport) -> alt.LayerChart:
    """Horizontal bars of each dimension's level; 'not covered' is a grey ghost bar with its own label."""
    rows = view.dimension_rows(report)
    max_level = max((r["max_level"] for r in rows), default=3)
    df = pd.DataFrame(rows)
    df["ghost"] = max_level  # length of the ghost bar behind a not-covered dimension
    color = alt.Color("status:N", title=None, scale=alt.Scale(domain=view.LEVEL_ORDER, range=view.LEVEL_COLORS),
                      legend=alt.Legend(orient="top", direction="horizontal", symbolOpacity=1, symbolType="square",
                                        labelFontSize=12))
    # rubric order; the layers filter rows, so the order must be explicit
    y = alt.Y("dimension:N", sort=[r["dimension"] for r in rows], title=None,
              axis=alt.Axis(labelLimit=260, labelFontSize=12, ticks=False, domain=False, labelPadding=6))
    x_axis = alt.Axis(values=list(range(max_level + 1)), title="level", grid=True, tickMinStep=1)
    base = alt.Chart(df).encode(y=y)
    tooltip = [alt.Tooltip("dimension:N"), alt.Tooltip("label:N", title="level"),
               alt.Tooltip("score:Q", title="score (0-100)")]
    ghost = (base.transform_filter("!datum.covered")
             .mark_bar(opacity=0.3, strokeDash=[4, 3], stroke="#8a93a3", cornerRadiusEnd=3, height=18)
             .encode(x=alt.X("ghost:Q", scale=alt.Scale(domain=[0, max_level + 0.9]), axis=x_axis), color=color,
                     tooltip=tooltip))
    bars = (base.transform_filter("datum.covered")
            .mark_bar(cornerRadiusEnd=3, height=18)
            .encode(x=alt.X("level:Q"), color=color, tooltip=tooltip))
    labels = base.mark_text(align="left", dx=6, fontSize=12, color="#374151").encode(
        x=alt.X("level:Q"), text=alt.Text("label:N"))
    return (ghost + bars + labels).properties(height=chart_height(report))


def chart_height(report: GradeReport) -> int:
    return max(160, 30 * len(report.dimensions))


def render_report(report: GradeReport, key: str, *, session_id: str | None = None) -> None:
    """Score, level chart, evidence per dimension, gaps, study links and downloads. `key` prefixes widgets."""
    if report.status != "graded":
        st.warning(f"**Not graded — insufficient evidence.** {report.reason}", icon=":material/info:")
        st.caption(f"Rubric {report.rubric} · grader {report.backend}")
        _downloads(report, key, session_id)
        return

    covered = sum(1 for d in report.dimensions if d.level is not None)
    c1, c2, c3 = st.columns(3)
    c1.metric("Overall score", f"{report.overall:.0f}/100")
    c2.metric("Hire band", report.band or "—")
    c3.metric("Dimensions covered", f"{covered}/{len(report.dimensions)}")
    st.caption(f"Problem: {report.problem or 'not named'} · rubric {report.rubric} · grader {report.backend}")
    if report.flags.injection_suspected:
        st.warning(f"Text that tries to steer the grader was found in turn(s) "
                   f"{', '.join(map(str, report.flags.injection_turns))}; it was ignored and earns no credit.",
                   icon=":material/shield:")
    if report.fallbacks:
        st.info("These dimensions kept their offline grade (the LLM failed or the time budget ran out): "
                + ", ".join(report.fallbacks))

    st.altair_chart(level_chart(report), width="stretch", height=chart_height(report) + 80)

    st.markdown("#### Evidence by dimension")
    for d in report.dimensions:
        icon = (":material/radio_button_unchecked:" if d.level is None
                else ":material/check_circle:" if d.level >= 2 else ":material/error:")
        with st.expander(f"{d.title} — {level_label(d.level, d.max_level, d.level_name)}", icon=icon):
            if d.evidence:
                st.markdown("**Evidence**")
                for q in d.evidence:
                    st.markdown(f"> {view.quote_md(cut(q.quote))}  \n> <small>— turn {q.turn}</small>",
                                unsafe_allow_html=True)
            elif d.level is None:
                st.caption("Not covered: nothing the candidate said counts as evidence for this dimension.")
            else:
                st.caption("No quote survived verification for this dimension.")
            if d.thin:
                st.markdown("**Thin** — said, but not yet deep")
                st.markdown("\n".join(f"- {view.quote_md(t.looks_for)} You said “{view.quote_md(t.quote)}”. "
                                       f"To deepen: {view.quote_md(t.deepen)}" for t in d.thin))
            if d.missing:
                st.markdown("**Missing** — nothing said yet")
                st.markdown("\n".join(f"- {view.quote_md(m)}" for m in d.missing[:5]))
            if d.rationale:
                st.caption(d.rationale)
        if d.id == "serving":
            whiteboard.show_in_report(report)  # the candidate's architecture, next to how it was graded

    tabs = st.tabs(["Gaps", "What a strong answer adds", "Strengths", "Study next"])
    for tab, items, empty in ((tabs[0], report.gaps, "No gaps: every dimension reached at least 'solid'."),
                              (tabs[1], report.strong_answer_adds, "Nothing to add."),
                              (tabs[2], report.strengths, "No dimension reached 'solid' with evidence yet.")):
        with tab:
            if items:
                st.markdown("\n".join(f"- {view.quote_md(i)}" for i in items))
            else:
                st.caption(empty)
    with tabs[3]:
        if not report.study:
            st.caption("No study links: nothing was weak enough to need one.")
        titles = {d.id: d.title for d in report.dimensions}
        for s in report.study:
            with st.expander(f"{s.title} — for {titles.get(s.dimension, s.dimension)}", icon=":material/menu_book:"):
                st.caption(f"`{s.path}`")
                body = read_note(s.path)
                st.markdown(body if body else "_The note could not be read._")

    _downloads(report, key, session_id)


def _downloads(report: GradeReport, key: str, session_id: str | None) -> None:
    stem = view.report_stem(report, session_id)
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button("Download Markdown", data=report.to_markdown(), file_name=f"{stem}.md", mime="text/markdown",
                       key=f"{key}_download_md", on_click="ignore", icon=":material/download:")
    c2.download_button("Download JSON", data=report.model_dump_json(indent=2), file_name=f"{stem}.json",
                       mime="application/json", key=f"{key}_download_json", on_click="ignore",
                       icon=":material/data_object:")
