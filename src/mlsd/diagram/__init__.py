"""Diagrams the candidate draws: Mermaid flowcharts, parsed (`mermaid`), found in a turn (`fences`) and drawn
as Graphviz DOT (`dot`)."""
