"""Diagrams inside text: a fenced ```mermaid block in a candidate's turn is the interchange format.

A turn may hold prose and any number of blocks; `diagram_blocks` finds them with their offsets in the
turn (so what is quoted from a diagram is a slice of the turn itself) and parses each one. A block
that does not parse keeps its `DiagramError`: callers decide whether that is an error (the editor,
`mlsd grade`) or just text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlsd.diagram.mermaid import Diagram, DiagramError, parse_mermaid

_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*mermaid[ \t]*\r?\n(?P<body>.*?)^[ \t]*(?P=fence)[ \t]*$",
                    re.M | re.S | re.I)


@dataclass(frozen=True)
class DiagramBlock:
    start: int  # the block in the turn, fences included
    end: int
    body_start: int  # where the diagram's source starts in the turn: turn[body_start + i] == source[i]
    source: str
    line: int  # the turn's line of the opening fence (1-based)
    diagram: Diagram | None
    error: DiagramError | None

    def where(self) -> str:
        """'the diagram at line 3' plus, when it does not parse, what and where inside it."""
        return f"the diagram at line {self.line}" + (f" does not read: its {self.error}" if self.error else "")


def diagram_blocks(text: str) -> list[DiagramBlock]:
    if "```" not in text and "~~~" not in text:
        return []  # the common case, prose: no regex pass over it
    blocks = []
    for m in _FENCE.finditer(text):
        source = m.group("body")
        try:
            diagram, error = parse_mermaid(source), None
        except DiagramError as exc:
            diagram, error = None, exc
        blocks.append(DiagramBlock(m.start(), m.end(), m.start("body"), source, text.count("\n", 0, m.start()) + 1,
                                   diagram, error))
    return blocks


def fenced(source: str) -> str:
    """The diagram as it travels in a turn: a ```mermaid block."""
    return f"```mermaid\n{source.strip(chr(10))}\n```"


def diagram_sources(text: str) -> list[str]:
    """The source of every diagram in `text` that parses, in order."""
    return [b.source for b in diagram_blocks(text) if b.diagram is not None]


def diagram_problems(text: str) -> list[str]:
    """One line per ```mermaid block in `text` that is not a flowchart this parser reads."""
    return [b.where() for b in diagram_blocks(text) if b.error is not None]
