"""The grade report: what the grader returns, the CLI prints, the app draws and exports carry.

One level vocabulary everywhere: the rubric's level names (`level_label`: "not covered", "1/3 ·
mentioned", "2/3 · solid", "3/3 · strong") in the live panel, the report, the CLI and both exports;
and every quote shown is cut at a word boundary with an ellipsis (`cut`).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

QUOTE_CHARS = 160


def cut(text: str, limit: int = QUOTE_CHARS) -> str:
    """`text` whole, or cut at the last word boundary before `limit` with an ellipsis — never mid-word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    space = head.rfind(" ")
    head = head[:space] if space > limit // 2 else text[:limit]
    return re.sub(r"[\s,;:.\-–—(]+$", "", head) + "…"


# -- the report -----------------------------------------------------------------------------------
class Quote(BaseModel):
    turn: int
    quote: str


class CriterionResult(BaseModel):
    id: str
    looks_for: str
    level: int
    evidence: list[Quote]


class ThinCriterion(BaseModel):
    """A criterion the candidate addressed, thinly: their words, and what would deepen them."""

    looks_for: str
    quote: str
    deepen: str


class DimensionResult(BaseModel):
    id: str
    title: str
    phase: str | None
    weight: float
    level: int | None  # None: not covered
    level_name: str
    max_level: int
    covered: bool
    coverage: float | None = None  # calibrated probability, phase dimensions only
    score: float = 0.0  # 0..1, from criterion levels; weights turn it into the overall score
    evidence: list[Quote]
    missing: list[str]  # criteria with no evidence at all
    criteria: list[CriterionResult]
    rationale: str | None = None
    thin: list[ThinCriterion] = Field(default_factory=list)  # addressed, but only at the lowest level


class StudyLink(BaseModel):
    path: str
    title: str
    dimension: str


class Flags(BaseModel):
    injection_suspected: bool = False
    injection_turns: list[int] = Field(default_factory=list)
    injection_examples: list[str] = Field(default_factory=list)


class Drawing(BaseModel):
    turn: int
    source: str  # a Mermaid flowchart as the candidate submitted it (the body of its ```mermaid block)


class GradeReport(BaseModel):
    status: Literal["graded", "insufficient_evidence"]
    reason: str | None
    overall: float | None
    band: str | None
    rubric: str
    problem: str | None
    backend: str
    dimensions: list[DimensionResult]
    flags: Flags
    strengths: list[str] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)
    strong_answer_adds: list[str] = Field(default_factory=list)
    study: list[StudyLink] = Field(default_factory=list)
    fallbacks: list[str] = Field(default_factory=list)  # dimensions left offline: an LLM failure or the time budget
    diagrams: list[Drawing] = Field(default_factory=list)  # the flowcharts the candidate drew, in order
    diagram_errors: list[str] = Field(default_factory=list)  # ```mermaid blocks that were read as plain text

    def to_markdown(self) -> str:
        return report_to_markdown(self)



def level_label(level: int | None, max_level: int, level_name: str) -> str:
    """'not covered', or '2/3 · solid': how every surface names a dimension's level."""
    return "not covered" if level is None else f"{level}/{max_level} · {level_name}"


def drawing_markdown(report: GradeReport, dimension: str) -> list[str]:
    """Under Serving: the candidate's last diagram, as the Mermaid block it was drawn in (Markdown viewers draw it)."""
    if dimension != "serving" or not report.diagrams:
        return []
    last = report.diagrams[-1]
    return [f"Diagram (turn {last.turn}):", "", "```mermaid", last.source.rstrip("\n"), "```", ""]


def report_to_markdown(report: GradeReport) -> str:
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
        level = level_label(d.level, d.max_level, d.level_name)
        lines.append(f"| {d.title} | {level} | {'yes' if d.covered else 'no'} |")
    lines.append("")
    for d in report.dimensions:
        lines += [f"### {d.title}", ""]
        for q in d.evidence:
            lines.append(f"> “{cut(q.quote)}” — turn {q.turn}")
        if d.evidence:
            lines.append("")
        if d.thin:
            lines += ["Thin:", *[f"- {t.looks_for} — you said “{t.quote}”; to deepen: {t.deepen}" for t in d.thin], ""]
        if d.missing:
            lines += ["Missing:", *[f"- {m}" for m in d.missing[:4]], ""]
        if d.rationale:
            lines += [f"_{d.rationale}_", ""]
        lines += drawing_markdown(report, d.id)
    for title, items in (("Strengths", report.strengths), ("Gaps", report.gaps),
                         ("What a strong answer would add", report.strong_answer_adds)):
        if items:
            lines += [f"## {title}", "", *[f"- {i}" for i in items], ""]
    if report.study:
        lines += ["## Study next", "", *[f"- [{s.title}]({s.path}) — for {s.dimension}" for s in report.study], ""]
    if report.fallbacks:
        lines += [f"_Graded offline, not by the LLM: {', '.join(report.fallbacks)}._", ""]
    lines += [f"_Not read as a diagram: {e}._" for e in report.diagram_errors]
    return "\n".join(lines)
