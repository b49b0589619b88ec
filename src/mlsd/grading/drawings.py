"""The diagrams in a transcript, for the report: every flowchart the candidate drew (shown beside the
serving dimension), and every ```mermaid block that could not be read (said, with its line, so a typo
in a diagram is not silently graded as prose)."""

from __future__ import annotations

from mlsd.diagram.fences import diagram_blocks
from mlsd.grading.report import Drawing, GradeReport
from mlsd.grading.transcript import Transcript


def attach_drawings(report: GradeReport, transcript: Transcript) -> GradeReport:
    for i, turn in transcript.candidate_turns():
        for block in diagram_blocks(turn.content):
            if block.diagram is not None:
                report.diagrams.append(Drawing(turn=i, source=block.source))
            else:
                report.diagram_errors.append(f"turn {i}: {block.where()} (read as plain text)")
    return report
