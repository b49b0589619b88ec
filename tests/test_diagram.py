"""The diagram package: the Mermaid flowchart parser, fenced blocks in a turn, DOT, and the graph rules.

The parser is what the whiteboard's error line, the evidence engine's quotes and the interviewer's
questions all stand on, so its spans are checked to be verbatim slices of the source.
"""

from __future__ import annotations

import pytest

from mlsd.diagram.dot import to_dot
from mlsd.diagram.fences import diagram_blocks, diagram_problems, diagram_sources, fenced
from mlsd.diagram.graph import chokepoints, isolated
from mlsd.diagram.mermaid import DiagramError, parse_mermaid

SERVING = """flowchart LR
  %% the online path
  req[Card authorization request] --> fs[(Feature store)]
  fs -->|velocity features| ms[Model server]
  ms -- cached scores --> cache{{Score cache}}
  subgraph obs [Observability]
    mon[Monitoring: drift and latency]
  end
  ms -.-> mon
"""


def test_a_flowchart_reads_nodes_labels_edges_and_subgraphs():
    d = parse_mermaid(SERVING)
    assert d.direction == "LR"
    assert {n.id: n.label for n in d.nodes.values()} == {
        "req": "Card authorization request", "fs": "Feature store", "ms": "Model server", "cache": "Score cache",
        "mon": "Monitoring: drift and latency"}
    assert d.nodes["fs"].shape == "cylinder" and d.nodes["cache"].shape == "hexagon"
    assert [(e.src, e.dst, e.label, e.style) for e in d.edges] == [
        ("req", "fs", "", "arrow"), ("fs", "ms", "velocity features", "arrow"), ("ms", "cache", "cached scores", "arrow"),
        ("ms", "mon", "", "dotted")]
    assert d.subgraphs["obs"].title == "Observability" and d.nodes["mon"].subgraph == "obs"


def test_every_span_is_a_verbatim_slice_of_the_source():
    d = parse_mermaid(SERVING)
    for node in d.nodes.values():
        assert SERVING[slice(*node.span)] == node.label  # labels here are written as they read
    assert [SERVING[slice(*e.span)] for e in d.edges] == [
        "req[Card authorization request] --> fs[(Feature store)]", "fs -->|velocity features| ms[Model server]",
        "ms -- cached scores --> cache{{Score cache}}", "ms -.-> mon"]


def test_graph_keyword_chains_groups_semicolons_and_unlabelled_ids():
    d = parse_mermaid("graph TD; a --> b --> c; a & b --> feature_store")
    assert d.direction == "TB"
    assert [(e.src, e.dst) for e in d.edges] == [("a", "b"), ("b", "c"), ("a", "feature_store"), ("b", "feature_store")]
    assert d.nodes["feature_store"].label == "feature store" and not d.nodes["feature_store"].labelled


@pytest.mark.parametrize("source, line, words", [
    ("sequenceDiagram\n  A->>B: hi", 1, "sequenceDiagram diagrams are not supported"),
    ("flowchart LR\n  a[Model --> b", 2, "never closed"),
    ("flowchart LR\n  a[Model server --> b[Cache]", 2, "'[' is not closed before '['"),
    ("flowchart LR\n  a --> b\n  subgraph s [Serving]\n  c --> d\n", 3, "never closed with `end`"),
    ("flowchart LR\n  a --> b\n  a ~~> b", 3, "expected an edge"),
    ("flowchart XY\n a --> b", 1, "unknown direction"),
    ("", 1, "empty diagram"),
])
def test_what_is_not_a_readable_flowchart_is_an_error_naming_its_line(source, line, words):
    with pytest.raises(DiagramError) as err:
        parse_mermaid(source)
    assert err.value.line == line and words in str(err.value)


def test_fenced_blocks_keep_their_offsets_in_the_turn():
    turn = "Here is my design.\n\n" + fenced(SERVING) + "\n\nAnd a broken one:\n```mermaid\npie\n```\n"
    blocks = diagram_blocks(turn)
    assert [b.diagram is not None for b in blocks] == [True, False]
    good = blocks[0]
    assert turn[good.body_start:good.body_start + len(good.source)] == good.source
    assert diagram_sources(turn) == [SERVING.strip("\n") + "\n"]
    assert diagram_problems(turn) == ["the diagram at line 16 does not read: its line 1: pie diagrams are not supported: only "
                                      "flowcharts (start with `flowchart TD` or `graph LR`) — `pie`"]
    assert diagram_blocks("no fences here, just prose about a model server") == []


def test_dot_quotes_every_label_so_candidate_text_never_becomes_dot():
    d = parse_mermaid('flowchart LR\n  a["Model; b -> c [color=red] \\ end"] --> b[Cache]')
    dot = to_dot(d)
    assert 'label="Model; b -> c [color=red] \\\\ end"' in dot  # inside one quoted string, backslash escaped
    assert dot.count("->") == 2  # the real edge and the arrow quoted inside the label: no more
    assert dot.startswith("digraph whiteboard {") and dot.rstrip().endswith("}")


def test_dot_draws_subgraphs_as_clusters_and_edges_to_a_subgraph():
    dot = to_dot(parse_mermaid("flowchart TB\n subgraph serve [Online serving]\n m[Model]\n end\n r[Request] --> serve"))
    assert 'subgraph "cluster_serve"' in dot and 'label="Online serving"' in dot
    assert '"n:r" -> "n:m" [lhead="cluster_serve"];' in dot


def test_the_graph_rules_find_isolated_components_and_chokepoints():
    d = parse_mermaid(SERVING)
    assert isolated(d) == []
    assert chokepoints(d) == ["fs", "ms"]  # every request goes through the feature store and the model server
    lone = parse_mermaid("flowchart LR\n a --> b\n c[Registry]")
    assert isolated(lone) == ["c"]
