"""A grade report as Markdown: what a candidate reads the night before the interview."""

from __future__ import annotations


def report_to_markdown(report) -> str:
    lines = ["# ML system design interview — graded report", ""]
    if report.problem:
        lines += [f"**Problem:** {report.problem}", ""]
    lines += [f"**Rubric:** {report.rubric} · **Grader:** {report.backend}", ""]
    if report.status != "graded":
        lines += [f"**Not graded — insufficient evidence.** {report.reason}", ""]
        return "\n".join(lines)
    lines += [f"## Overall: {report.overall:.0f}/100 — {report.band}", ""]
    if report.flags.injection_suspected:
        lines += [f"> ⚠ Text that tries to steer the grader was found in turn(s) {report.flags.injection_turns}; "
                  "it was ignored and earns no credit.", ""]
    lines += ["| Dimension | Level | Covered |", "|---|---|---|"]
    for d in report.dimensions:
        level = "not covered" if d.level is None else f"{d.level}/{d.max_level} ({d.level_name})"
        lines.append(f"| {d.title} | {level} | {'yes' if d.covered else 'no'} |")
    lines.append("")
    for d in report.dimensions:
        lines += [f"### {d.title}", ""]
        for q in d.evidence:
            lines.append(f"> “{q.quote}” — turn {q.turn}")
        if d.evidence:
            lines.append("")
        if d.missing:
            lines += ["Missed:", *[f"- {m}" for m in d.missing[:4]], ""]
        if d.rationale:
            lines += [f"_{d.rationale}_", ""]
    for title, items in (("Strengths", report.strengths), ("Gaps", report.gaps),
                         ("What a strong answer would add", report.strong_answer_adds)):
        if items:
            lines += [f"## {title}", "", *[f"- {i}" for i in items], ""]
    if report.study:
        lines += ["## Study next", "", *[f"- [{s.title}]({s.path}) — for {s.dimension}" for s in report.study], ""]
    if report.fallbacks:
        lines += [f"_Graded offline after LLM failures: {', '.join(report.fallbacks)}._", ""]
    return "\n".join(lines)
