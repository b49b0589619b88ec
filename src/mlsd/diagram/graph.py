"""The shape of a diagram as a graph: who connects to whom, what is reachable, and where every path
narrows to one component. Pure functions over `Diagram`, for the interviewer's rules."""

from __future__ import annotations

from collections import defaultdict

from mlsd.diagram.mermaid import Diagram


def _members(diagram: Diagram, ref: str) -> list[str]:
    """The nodes an edge end stands for: the node itself, or every node inside a subgraph (nested ones too)."""
    if ref in diagram.nodes:
        return [ref]
    sub = diagram.subgraphs.get(ref)
    if sub is None:
        return []
    nested = [n for s in diagram.subgraphs.values() if s.parent == ref for n in _members(diagram, s.id)]
    return list(sub.nodes) + nested


def successors(diagram: Diagram) -> dict[str, set[str]]:
    """node -> the nodes its edges lead to (an undirected line or a two-headed arrow leads both ways)."""
    out: dict[str, set[str]] = defaultdict(set)
    for e in diagram.edges:
        for a in _members(diagram, e.src):
            for b in _members(diagram, e.dst):
                if a != b:
                    out[a].add(b)
                    if e.both or e.style == "line":
                        out[b].add(a)
    return out


def isolated(diagram: Diagram) -> list[str]:
    """Nodes that no edge touches."""
    touched = {n for e in diagram.edges for ref in (e.src, e.dst) for n in _members(diagram, ref)}
    return [n for n in diagram.nodes if n not in touched]


def reachable(succ: dict[str, set[str]], start: str, removed: str | None = None) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for nxt in succ.get(stack.pop(), ()):
            if nxt != removed and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def fan_in(diagram: Diagram) -> dict[str, int]:
    succ = successors(diagram)
    counts: dict[str, int] = defaultdict(int)
    for a, targets in succ.items():
        for b in targets:
            counts[b] += 1
    return dict(counts)


def chokepoints(diagram: Diagram) -> list[str]:
    """Inner nodes every path from an entry (no incoming edge) to an exit (no outgoing edge) goes through."""
    succ = successors(diagram)
    incoming = {b for targets in succ.values() for b in targets}
    connected = [n for n in diagram.nodes if n in succ or n in incoming]
    entries = [n for n in connected if n not in incoming]
    exits = [n for n in connected if not succ.get(n)]
    if not entries or not exits:
        return []
    pairs = [(a, b) for a in entries for b in exits if b in reachable(succ, a)]
    if not pairs:
        return []
    inner = [n for n in connected if n not in entries and n not in exits]
    return [n for n in inner if all(b not in reachable(succ, a, removed=n) for a, b in pairs)]
