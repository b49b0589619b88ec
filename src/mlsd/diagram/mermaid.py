"""A small parser for Mermaid flowcharts: the whiteboard's text format.

Reads `flowchart`/`graph` with a direction; nodes `A`, `A[label]`, `A(label)`, `A{label}`, `A((label))`,
`A[(label)]`, `A([label])`, `A[[label]]`, `A{{label}}`, `A>label]`, `A[/label/]` (quoted labels too);
edges `-->`, `---`, `-.->`, `==>`, `<-->`, `--o`, `--x` and their longer forms, labelled as
`A -->|label| B` or `A -- label --> B`; chains `A --> B --> C`; `A & B --> C`; subgraphs; `%%`
comments; `;` between statements; a `---`/`title:`/`---` front matter. Styling statements (`classDef`,
`class`, `style`, `linkStyle`, `click`, `direction`) are accepted and ignored. Anything else —
another diagram type, a stray bracket, an unclosed subgraph — is a `DiagramError` naming the line.

Every node and edge keeps where it is in the source (`span`, offsets into `Diagram.source`), so what
the evidence engine quotes from a diagram is a verbatim slice of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mlsd.core.errors import MLSDError

DIRECTIONS = {"TB": "TB", "TD": "TB", "BT": "BT", "RL": "RL", "LR": "LR"}
_HEADER = re.compile(r"(flowchart|graph)\b(?:[ \t]+(\w+))?[ \t]*", re.I)
_OTHER_TYPES = re.compile(
    r"(sequenceDiagram|classDiagram(?:-v2)?|stateDiagram(?:-v2)?|erDiagram|gantt|pie|journey|gitGraph|mindmap|"
    r"timeline|quadrantChart|requirementDiagram|C4\w+|sankey(?:-beta)?|xychart(?:-beta)?|block(?:-beta)?|"
    r"packet(?:-beta)?|architecture(?:-beta)?|kanban|radar(?:-beta)?|zenuml|treemap(?:-beta)?)\b")
_IGNORED = re.compile(r"(classDef|class|style|linkStyle|click|direction)\b")
_ID = re.compile(r"\w+(?:-\w+)*")
# a link without text: -->, --->, ---, -.->, -.-, ==>, ===, <-->, --o, --x (o and x only before a space)
_LINK = re.compile(r"<?(?:(?:-{2,}|={2,}|-\.+-)(?:>|[ox](?=\s))|-{3,}|={3,}|-\.+-)")
# a link with its text inside: -- text -->, == text ==>, -. text .->
_TEXT_OPEN = re.compile(r"<?(--|==|-\.)(?![->=.])")
_TEXT_CLOSE = {"--": re.compile(r"-{2,}>|-{3,}"), "==": re.compile(r"={2,}>|={3,}"), "-.": re.compile(r"\.-+>|\.-+")}
# opener, closers, shape; longest openers first
_SHAPES: list[tuple[str, tuple[str, ...], str]] = [
    ("(((", (")))",), "doublecircle"), ("((", ("))",), "circle"), ("([", ("])",), "stadium"),
    ("[[", ("]]",), "subroutine"), ("[(", (")]",), "cylinder"), ("{{", ("}}",), "hexagon"),
    ("[/", ("/]", "\\]"), "parallelogram"), ("[\\", ("\\]", "/]"), "parallelogram"),
    ("[", ("]",), "rect"), ("(", (")",), "round"), ("{", ("}",), "rhombus"), (">", ("]",), "asymmetric"),
]
_BREAK = re.compile(r"<br\s*/?>", re.I)


class DiagramError(MLSDError):
    """A diagram that cannot be read; `line` is 1-based within the diagram's source."""

    def __init__(self, line: int, problem: str, text: str = ""):
        self.line, self.problem, self.text = line, problem, text.strip()
        super().__init__(f"line {line}: {problem}" + (f" — `{self.text[:80]}`" if self.text else ""))


@dataclass
class Node:
    id: str
    label: str  # as read: <br> and runs of spaces become one space
    shape: str
    span: tuple[int, int]  # source[start:end] is the label as written (the id when it has no label)
    line: int
    labelled: bool = False
    subgraph: str | None = None


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    label: str
    style: str  # arrow | line | dotted | thick
    both: bool  # arrow heads at both ends
    span: tuple[int, int]  # source[start:end]: the edge as written, from its first node to its last
    line: int
    subgraph: str | None = None


@dataclass
class Subgraph:
    id: str
    title: str
    line: int
    parent: str | None = None
    nodes: list[str] = field(default_factory=list)


@dataclass
class Diagram:
    source: str
    direction: str
    nodes: dict[str, Node]
    edges: list[Edge]
    subgraphs: dict[str, Subgraph]
    title: str = ""

    def label(self, ref: str) -> str:
        """A node's label, or a subgraph's title when an edge points at the subgraph."""
        if ref in self.nodes:
            return self.nodes[ref].label
        return self.subgraphs[ref].title if ref in self.subgraphs else ref

    def edge_text(self, edge: Edge, arrow: str = "→") -> str:
        """'Feature store → Model server (features)': the edge in its labels."""
        return f"{self.label(edge.src)} {arrow} {self.label(edge.dst)}" + (f" ({edge.label})" if edge.label else "")


def clean_label(text: str) -> str:
    return " ".join(_BREAK.sub(" ", text).split())


def humanise(node_id: str) -> str:
    """An id used as a name reads as words: feature_store, FeatureStore → 'feature store', 'Feature Store'."""
    return " ".join(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", node_id.replace("_", " ").replace("-", " ")).split())


class _Cursor:
    """One statement being read: its text, where it starts in the source, and its line."""

    def __init__(self, text: str, base: int, line: int, line_text: str):
        self.s, self.i, self.base, self.line, self.line_text = text, 0, base, line, line_text

    def skip_ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def at_end(self) -> bool:
        self.skip_ws()
        return self.i >= len(self.s)

    def match(self, pattern: re.Pattern) -> re.Match | None:
        m = pattern.match(self.s, self.i)
        if m:
            self.i = m.end()
        return m

    def fail(self, problem: str) -> DiagramError:
        return DiagramError(self.line, f"{problem} (column {self.i + 1})", self.line_text)

    def pos(self, i: int | None = None) -> int:
        return self.base + (self.i if i is None else i)


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.subgraphs: dict[str, Subgraph] = {}
        self.open: list[str] = []  # subgraphs not closed yet, innermost last
        self.direction = ""
        self.title = ""

    # -- lines ----------------------------------------------------------------------------------------
    def parse(self) -> Diagram:
        rows = self._front_matter(_lines(self.source))
        if not rows:
            raise DiagramError(1, "empty diagram: start with `flowchart TD` (or `graph LR`) and add nodes and edges")
        for k, (number, start, body) in enumerate(rows):
            at = len(body) - len(body.lstrip())
            if k == 0:
                at = self._header(number, body, at)
            for piece, offset in _statements(body, at):
                self._statement(_Cursor(piece, start + offset, number, body))
        if self.open:
            sub = self.subgraphs[self.open[-1]]
            raise DiagramError(sub.line, f"subgraph {sub.title!r} is never closed with `end`")
        return Diagram(self.source, self.direction, self.nodes, self.edges, self.subgraphs, self.title)

    def _front_matter(self, rows: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Drops a `---` ... `---` block at the top, keeping its `title:`."""
        if not rows or rows[0][2].strip() != "---":
            return rows
        end = next((k for k in range(1, len(rows)) if rows[k][2].strip() == "---"), None)
        if end is None:
            raise DiagramError(rows[0][0], "the front matter opened with `---` is never closed with `---`")
        for _, _, body in rows[1:end]:
            key, _, value = body.strip().partition(":")
            if key.strip().lower() == "title":
                self.title = clean_label(value.strip().strip("'\""))
        return rows[end + 1:]

    def _header(self, number: int, body: str, indent: int) -> int:
        """Reads `flowchart TD`; returns where statements after it on the same line (`graph TD; A-->B`) start."""
        m = _HEADER.match(body, indent)
        if not m:
            other = _OTHER_TYPES.match(body, indent)
            if other:
                raise DiagramError(number, f"{other.group(1)} diagrams are not supported: only flowcharts "
                                           "(start with `flowchart TD` or `graph LR`)", body)
            raise DiagramError(number, "a diagram starts with `flowchart` or `graph` and a direction "
                                       "(TD, TB, BT, LR or RL)", body)
        word = (m.group(2) or "TB").upper()
        if word not in DIRECTIONS:
            raise DiagramError(number, f"unknown direction {m.group(2)!r}: use TD, TB, BT, LR or RL", body)
        self.direction = DIRECTIONS[word]
        rest = body[m.end():]
        if rest.strip() and not rest.lstrip().startswith(";"):
            raise DiagramError(number, "put statements after the header on their own lines or after `;`", body)
        return m.end()

    # -- statements -----------------------------------------------------------------------------------
    def _statement(self, c: _Cursor) -> None:
        c.skip_ws()
        word = c.s[c.i:].split(None, 1)[0] if c.s[c.i:].strip() else ""
        if word == "end":
            if c.s[c.i:].strip() != "end":
                raise c.fail("`end` closes a subgraph and takes nothing after it")
            if not self.open:
                raise c.fail("`end` without a subgraph to close")
            self.open.pop()
        elif word == "subgraph":
            self._subgraph(c)
        elif _IGNORED.fullmatch(word):
            return
        else:
            self._chain(c)

    def _subgraph(self, c: _Cursor) -> None:
        c.i += len("subgraph")
        c.skip_ws()
        rest = c.s[c.i:].strip()
        m = re.fullmatch(r"(\w+(?:-\w+)*)\s*\[\s*\"?(.*?)\"?\s*\]", rest)
        if m:
            sid, title = m.group(1), clean_label(m.group(2))
        elif rest:
            title = clean_label(rest.strip('"'))
            sid = rest if _ID.fullmatch(rest) else f"subgraph{len(self.subgraphs) + 1}"
        else:
            raise c.fail("a subgraph needs a name: `subgraph Serving` or `subgraph serving [Online serving]`")
        if sid in self.subgraphs:
            raise c.fail(f"subgraph {sid!r} is defined twice")
        self.subgraphs[sid] = Subgraph(sid, title or sid, c.line, self.open[-1] if self.open else None)
        self.open.append(sid)

    def _chain(self, c: _Cursor) -> None:
        """`A --> B -- text --> C & D`: node groups joined by links; an edge for every pair across each link."""
        left = self._group(c)
        while not c.at_end():
            style, both, label = self._link(c)
            right = self._group(c)
            for src, _, _ in left:
                for dst, _, _ in right:
                    self.edges.append(Edge(src, dst, label, style, both, (left[0][1], right[-1][2]), c.line,
                                           self.open[-1] if self.open else None))
            left = right

    def _group(self, c: _Cursor) -> list[tuple[str, int, int]]:
        refs = [self._node(c)]
        while True:
            c.skip_ws()
            if c.i < len(c.s) and c.s[c.i] == "&":
                c.i += 1
                c.skip_ws()
                refs.append(self._node(c))
            else:
                return refs

    def _node(self, c: _Cursor) -> tuple[str, int, int]:
        """A node reference, with its shape and label when given; returns (id, start, end) in the source."""
        c.skip_ws()
        start = c.i
        m = c.match(_ID)
        if not m:
            found = f"found {c.s[c.i:c.i + 12]!r}" if c.i < len(c.s) else "found the end of the statement"
            raise c.fail(f"expected a node id, {found}")
        node_id = m.group(0)
        shape = next((s for s in _SHAPES if c.s.startswith(s[0], c.i)), None)
        if node_id in self.subgraphs and shape is None:
            return node_id, c.pos(start), c.pos()
        node = self.nodes.get(node_id)
        if node is None:
            node = self.nodes[node_id] = Node(node_id, humanise(node_id), "rect", (c.pos(start), c.pos()), c.line)
        if shape is not None:
            label, span = self._label(c, shape)
            node.label, node.shape, node.span, node.line, node.labelled = label, shape[2], span, c.line, True
        if c.s.startswith(":::", c.i):
            c.i += 3
            if not c.match(_ID):
                raise c.fail("`:::` needs a class name")
        for sid in self.open[-1:]:
            if node_id not in self.subgraphs[sid].nodes and node.subgraph is None:
                self.subgraphs[sid].nodes.append(node_id)
                node.subgraph = sid
        return node_id, c.pos(start), c.pos()

    def _label(self, c: _Cursor, shape: tuple[str, tuple[str, ...], str]) -> tuple[str, tuple[int, int]]:
        opener, closers, _ = shape
        c.i += len(opener)
        if c.i < len(c.s) and c.s[c.i] == '"':
            end_quote = c.s.find('"', c.i + 1)
            if end_quote < 0:
                raise c.fail("a quoted label is never closed with `\"`")
            a, b = c.i + 1, end_quote
            c.i = end_quote + 1
            c.skip_ws()
            closer = next((x for x in closers if c.s.startswith(x, c.i)), None)
            if closer is None:
                raise c.fail(f"expected {closers[0]!r} after the quoted label")
            c.i += len(closer)
        else:
            found = [(c.s.find(x, c.i), x) for x in closers if c.s.find(x, c.i) >= 0]
            if not found:
                raise c.fail(f"{opener!r} is never closed with {closers[0]!r}")
            close_at, closer = min(found)
            raw = c.s[c.i:close_at]
            stray = next((ch for ch in raw if ch in "[](){}"), None)
            if stray:  # as in Mermaid: an unquoted label holds no brackets (here, most likely, a label left open)
                c.i += raw.index(stray)
                raise c.fail(f"{opener!r} is not closed before {stray!r}: close the label, or quote it "
                             f"(`id{opener}\"...\"{closers[0]}`)")
            a = c.i + len(raw) - len(raw.lstrip())
            b = close_at - (len(raw) - len(raw.rstrip()))
            c.i = close_at + len(closer)
        label = clean_label(c.s[a:b])
        if not label:
            raise c.fail("empty label: write the component's name inside the brackets")
        return label, (c.pos(a), c.pos(b))

    def _link(self, c: _Cursor) -> tuple[str, bool, str]:
        """A link, with its label (`-->|text|` or `-- text -->`): (style, both ends, label)."""
        c.skip_ws()
        m = c.match(_LINK)
        if m:
            arrow, label = m.group(0), ""
            c.skip_ws()
            if c.i < len(c.s) and c.s[c.i] == "|":
                close = c.s.find("|", c.i + 1)
                if close < 0:
                    raise c.fail("an edge label `|...` is never closed with `|`")
                label = clean_label(c.s[c.i + 1:close].strip().strip('"'))
                c.i = close + 1
        else:
            m = c.match(_TEXT_OPEN)
            if not m:
                found = c.s[c.i:c.i + 12]
                raise c.fail(f"expected an edge (`-->`, `---`, `-.->`, `==>`) or the end of the statement, found {found!r}")
            close = _TEXT_CLOSE[m.group(1)].search(c.s, c.i)
            if close is None:
                raise c.fail(f"the edge text after {m.group(1)!r} is never followed by an arrow such as `-->`")
            label = clean_label(c.s[c.i:close.start()].strip().strip('"'))
            arrow = m.group(0) + close.group(0)
            c.i = close.end()
        style = "thick" if "=" in arrow else "dotted" if "." in arrow else "arrow" if arrow[-1] in ">ox" else "line"
        return style, arrow.startswith("<"), label


def _lines(source: str) -> list[tuple[int, int, str]]:
    """(line number, offset, text) of every line that is not blank or a `%%` comment."""
    rows, offset = [], 0
    for number, raw in enumerate(source.splitlines(keepends=True), start=1):
        body = raw.rstrip("\r\n")
        if body.strip() and not body.strip().startswith("%%"):
            rows.append((number, offset, body))
        offset += len(raw)
    return rows


def _statements(line: str, start: int) -> list[tuple[str, int]]:
    """The `;`-separated statements of a line (not inside brackets, quotes or |labels|), with their offsets."""
    out, depth, quote, bar, begin = [], 0, False, False, start
    for i in range(start, len(line)):
        ch = line[i]
        if ch == '"':
            quote = not quote
        elif quote:
            continue
        elif ch in "[({":
            depth += 1
        elif ch in "])}":
            depth = max(0, depth - 1)
        elif ch == "|" and depth == 0:
            bar = not bar
        elif ch == ";" and depth == 0 and not bar:
            out.append((line[begin:i], begin))
            begin = i + 1
    out.append((line[begin:], begin))
    return [(text, at) for text, at in out if text.strip()]


def parse_mermaid(source: str) -> Diagram:
    """The flowchart in `source`, or a `DiagramError` naming the line that cannot be read."""
    return _Parser(source).parse()
