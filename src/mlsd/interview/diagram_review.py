"""What the interviewer asks about a diagram: rules over the parsed graph, no model needed.

When a candidate turn carries a new or changed flowchart, these rules look for, in order (a block that
does not parse gets one question instead: the line that cannot be read):
  1. a missing piece for the problem: no fallback path when the latency budget is tight (the problem
     is real-time, or the statement or the candidate's own words put a budget of 300 ms or less), and
     no feedback loop that brings labels back from the model's decisions;
  2. a component connected to nothing;
  3. no monitoring of a model that serves;
  4. a bottleneck: a component every path goes through (a store or a service on the request path);
  5. a component without a reason: no labelled edge says what it does and the candidate never
     mentioned it in words.
Each finding is a question naming components by the diagram's own labels. Only public facts decide
(the statement, its topics, the candidate's words): the hidden spec never does.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from mlsd.content.problems import Problem
from mlsd.diagram.fences import diagram_blocks
from mlsd.diagram.graph import chokepoints, fan_in, isolated
from mlsd.diagram.mermaid import Diagram

TIGHT_MS = 300  # a latency budget at or under this needs a fallback path
TERMS = {
    "monitoring": re.compile(r"\b(monitor\w*|alert\w*|drift|dashboards?|observab\w*|psi|metrics?)\b", re.I),
    "labels": re.compile(r"\b(label\w*|feedback|outcomes?|chargebacks?|disputes?|ground truth|annotat\w*|reviews?|"
                         r"clicks?|conversions?|retrain\w*)\b", re.I),
    "fallback": re.compile(r"\b(fall ?backs?|defaults?|rules?|rules engine|heuristics?|timeouts?|degrad\w*|circuit|"
                           r"backup|stale|last known)\b", re.I),
    "modeling": re.compile(r"\b(train\w*|registry|experiments?)\b", re.I),
    "features": re.compile(r"\bfeatures?\b", re.I),
    "scalability": re.compile(r"\b(cache\w*|queues?|kafka|load balancer|replicas?|shards?|autoscal\w*|redis)\b", re.I),
    "serving": re.compile(r"\b(serv\w*|api|endpoints?|gateway|inference|scor\w*|predict\w*|rank\w*|model|classif\w*)\b",
                          re.I),
    "store": re.compile(r"\b(stores?|db|database|cache|redis|warehouse|lake|tables?|kafka|queues?|index)\b", re.I),
}
_REAL_TIME = re.compile(r"real[- ]?time|\bwhile\b.{0,60}\bbeing\b|synchronous|\binline\b|\binstant", re.I)
_MS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:ms|milliseconds?)\b", re.I)


@dataclass(frozen=True)
class DiagramFinding:
    kind: str  # fallback | feedback | isolated | monitoring | bottleneck | reason
    phase: str
    question: str
    names: tuple[str, ...] = ()  # the diagram's labels the question is about: an LLM's wording must name one


@dataclass(frozen=True)
class DiagramReading:
    signature: str  # the same diagram, however it is spaced, has the same signature
    findings: tuple[DiagramFinding, ...]


def signature(source: str) -> str:
    return hashlib.sha256(" ".join(source.split()).encode("utf-8")).hexdigest()[:16]


def latency_tight(problem: Problem, said: str = "") -> bool:
    """True when public facts put the problem under a tight latency budget."""
    if "real_time" in problem.topics or _REAL_TIME.search(problem.statement):
        return True
    return any(float(m.group(1)) <= TIGHT_MS for m in _MS.finditer(f"{problem.statement} {said}"))


def phase_of(label: str) -> str:
    """The design phase a component belongs to, from its label."""
    for phase in ("monitoring", "labels", "modeling", "features", "scalability"):
        if TERMS[phase].search(label):
            return "data" if phase == "labels" else phase
    return "serving"


def read_diagram(text: str, problem: Problem, said: str = "") -> DiagramReading | None:
    """The turn's last diagram with what to ask about it (what is wrong, when it does not parse); None without one."""
    blocks = diagram_blocks(text)
    if not blocks:
        return None
    block = blocks[-1]
    if block.error is not None:  # said plainly, with the line, rather than read as prose without a word
        where = f"line {block.error.line}"
        return DiagramReading(signature(block.source), (DiagramFinding(
            "unreadable", "serving", f"I can't read your diagram: {block.error}. Only Mermaid flowcharts are read "
            f"here — could you fix {where}, or walk me through the architecture in words?", (where,)),))
    return DiagramReading(signature(block.source), tuple(findings(block.diagram, problem, said)))


def findings(diagram: Diagram, problem: Problem, said: str = "") -> list[DiagramFinding]:
    words = " ".join([n.label for n in diagram.nodes.values()] + [e.label for e in diagram.edges])
    model = _model_node(diagram)
    out: list[DiagramFinding] = []
    if model and latency_tight(problem, said) and not TERMS["fallback"].search(words):
        out.append(DiagramFinding("fallback", "serving",
                                  f"Every request in your diagram waits on {model}. If {model} is slow or down and the "
                                  "latency budget runs out, what answers instead — where is the fallback path?",
                                  (model,)))
    if model and not TERMS["labels"].search(words):
        out.append(DiagramFinding("feedback", "data",
                                  f"Nothing in your diagram comes back from {model}'s decisions. How do their outcomes "
                                  "become labels for training again, and how long does that take?", (model,)))
    for node in isolated(diagram):
        label = diagram.nodes[node].label
        out.append(DiagramFinding("isolated", phase_of(label),
                                  f"{label} is not connected to anything in your diagram. What does it read from, "
                                  "and what does it feed or trigger?", (label,)))
    if model and not TERMS["monitoring"].search(words):
        out.append(DiagramFinding("monitoring", "monitoring",
                                  f"What watches {model} once it is live? Your diagram has no monitoring: which "
                                  "signals would you track, and what happens when one alerts?", (model,)))
    out += _bottlenecks(diagram)
    out += _unexplained(diagram, said)
    return out


def _model_node(diagram: Diagram) -> str | None:
    """The label of the component that serves the model: named like a model or a scoring service, not training."""
    labels = [n.label for n in diagram.nodes.values() if not TERMS["modeling"].search(n.label)]
    named = [lb for lb in labels if re.search(r"\b(model|scor\w*|inference|predict\w*|rank\w*|classif\w*)\b", lb, re.I)]
    return (named or [lb for lb in labels if TERMS["serving"].search(lb)] or [None])[0]


def _bottlenecks(diagram: Diagram) -> list[DiagramFinding]:
    chokes = chokepoints(diagram)
    chokes.sort(key=lambda n: not TERMS["store"].search(diagram.nodes[n].label))  # stores first
    crowded = [n for n, k in sorted(fan_in(diagram).items(), key=lambda p: -p[1]) if k >= 3 and n not in chokes]
    out = []
    for node in (chokes + crowded)[:2]:
        label = diagram.nodes[node].label
        how = "goes through" if node in chokes else "converges on"
        out.append(DiagramFinding("bottleneck", "scalability",
                                  f"Every path in your diagram {how} {label}. What happens at peak load or when "
                                  f"{label} is slow, and how does it scale?", (label,)))
    return out


def _unexplained(diagram: Diagram, said: str) -> list[DiagramFinding]:
    """Labelled components no labelled edge explains and the candidate never named in words."""
    explained = {n for e in diagram.edges if e.label for n in (e.src, e.dst)}
    lowered, alone = " ".join(said.lower().split()), set(isolated(diagram))
    out = []
    for node in diagram.nodes.values():
        if node.labelled and node.id not in explained | alone and node.label.lower() not in lowered:
            out.append(DiagramFinding("reason", phase_of(node.label),
                                      f"Why is {node.label} in your design? Nothing in the diagram says what it "
                                      "does or why it is needed there.", (node.label,)))
    return out


def grounded(pieces: list[str], names: list[str]) -> list[str]:
    """An LLM's wording of a diagram question, kept only when it is a question naming one of `names` (labels
    from the candidate's own diagram); otherwise nothing, and the curated question is said instead."""
    text = " ".join("".join(pieces).lower().split())
    if "?" in text and any(" ".join(n.lower().split()) in text for n in names):
        return pieces
    return []
