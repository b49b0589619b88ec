"""A parsed diagram as Graphviz DOT, which Streamlit draws in the browser (`st.graphviz_chart`: SVG from a
renderer bundled with its frontend, so no CDN and no render service).

Every label is quoted and escaped: candidate text never becomes DOT syntax.
"""

from __future__ import annotations

from mlsd.diagram.mermaid import Diagram, Edge, Subgraph

SHAPES = {"rect": "box", "round": "box", "stadium": "box", "subroutine": "box", "cylinder": "cylinder",
          "circle": "circle", "doublecircle": "doublecircle", "rhombus": "diamond", "hexagon": "hexagon",
          "asymmetric": "cds", "parallelogram": "parallelogram"}
ROUNDED = {"round", "stadium"}
EDGE_STYLES = {"arrow": "", "line": "arrowhead=none", "dotted": "style=dashed", "thick": "penwidth=2.2"}
HEADER = ('  graph [fontname="Helvetica", fontsize=11, nodesep=0.35, ranksep=0.45, compound=true, bgcolor="transparent"];\n'
          '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", fillcolor="#eef2ff", '
          'color="#6366f1", margin="0.12,0.06"];\n'
          '  edge [fontname="Helvetica", fontsize=10, color="#4b5563"];')


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def to_dot(diagram: Diagram) -> str:
    lines = ["digraph whiteboard {", f"  rankdir={diagram.direction};", HEADER]
    if diagram.title:
        lines.append(f"  label={quote(diagram.title)}; labelloc=t;")
    top = [sid for sid, sub in diagram.subgraphs.items() if sub.parent is None]
    for sid in top:
        lines += _cluster(diagram, diagram.subgraphs[sid], "  ")
    for node in diagram.nodes.values():
        if node.subgraph is None:
            lines.append("  " + _node(diagram, node.id))
    lines += ["  " + _edge(diagram, e) for e in diagram.edges]
    lines.append("}")
    return "\n".join(lines)


def _node(diagram: Diagram, node_id: str) -> str:
    node = diagram.nodes[node_id]
    style = "rounded,filled" if node.shape in ROUNDED else "filled"
    return f"{quote('n:' + node_id)} [label={quote(node.label)}, shape={SHAPES.get(node.shape, 'box')}, style={quote(style)}];"


def _cluster(diagram: Diagram, sub: Subgraph, indent: str) -> list[str]:
    lines = [f"{indent}subgraph {quote('cluster_' + sub.id)} {{",
             f'{indent}  label={quote(sub.title)}; style="rounded,dashed"; color="#9ca3af";']
    for child in (s for s in diagram.subgraphs.values() if s.parent == sub.id):
        lines += _cluster(diagram, child, indent + "  ")
    lines += [indent + "  " + _node(diagram, n) for n in sub.nodes]
    if not _anchor(diagram, sub.id):  # an empty subgraph still shows, and edges to it have somewhere to land
        lines.append(f"{indent}  {quote('anchor:' + sub.id)} [shape=point, style=invis];")
    lines.append(indent + "}")
    return lines


def _anchor(diagram: Diagram, sid: str) -> str | None:
    """A node inside subgraph `sid` (or a subgraph nested in it) for an edge that points at the subgraph."""
    sub = diagram.subgraphs[sid]
    if sub.nodes:
        return "n:" + sub.nodes[0]
    return next((a for s in diagram.subgraphs.values() if s.parent == sid if (a := _anchor(diagram, s.id))), None)


def _end(diagram: Diagram, ref: str) -> tuple[str, str]:
    """(DOT node, cluster attribute) for one end of an edge: a node, or a subgraph through a node inside it."""
    if ref in diagram.nodes:
        return "n:" + ref, ""
    return _anchor(diagram, ref) or "anchor:" + ref, "cluster_" + ref


def _edge(diagram: Diagram, edge: Edge) -> str:
    (src, tail), (dst, head) = _end(diagram, edge.src), _end(diagram, edge.dst)
    attrs = [EDGE_STYLES[edge.style]] if EDGE_STYLES[edge.style] else []
    if edge.label:
        attrs.append(f"label={quote(' ' + edge.label + ' ')}")
    if edge.both:
        attrs.append("dir=both")
    if tail:
        attrs.append(f"ltail={quote(tail)}")
    if head:
        attrs.append(f"lhead={quote(head)}")
    return f"{quote(src)} -> {quote(dst)}" + (f" [{', '.join(attrs)}];" if attrs else ";")
