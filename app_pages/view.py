"""UI-only helpers for the pages: labels, colours, Markdown escaping, cache keys. No Streamlit import,
so tests call them directly; no domain logic (that lives in `mlsd`)."""

from __future__ import annotations

from mlsd.content.problems import Problem, topic_label  # noqa: F401  (re-exported for the pages)
from mlsd.core.config import Settings
from mlsd.core.errors import MLSDError
from mlsd.core.redaction import redact
from mlsd.grading.report import level_label
from mlsd.knowledge.index import IndexStatus


def index_cache_key(settings: Settings) -> tuple:
    return (str(settings.index_dir), settings.chroma_host, settings.chroma_port, settings.embeddings_base_url,
            settings.embeddings_model)


def scrub(text: str, secret: str | None) -> str:
    """Remove the session's API key (and key-shaped strings) from text before it is graded or shown."""
    return redact(text, secret)


def index_status_text(status: IndexStatus) -> str:
    """The status line as a sentence: 'built: 475 chunks from 70 notes' -> 'Built: 475 chunks from 70 notes'."""
    return status.line[:1].upper() + status.line[1:]


def index_button_label(status: IndexStatus) -> str:
    return {"not_built": "Build the index", "stale": "Update the index"}.get(status.state, "Rebuild the index")


def error_message(exc: BaseException) -> str:
    """A readable one-liner for st.error: our own errors as they are, anything else with its type."""
    if isinstance(exc, MLSDError):
        return str(exc)
    text = str(exc).strip() or "no details"
    return f"Unexpected error ({type(exc).__name__}): {text[:400]}"


def problem_label(problem: Problem) -> str:
    return f"{problem.title} ({problem.difficulty})"


LEVEL_ORDER = ["not covered", "mentioned", "solid", "strong"]
LEVEL_COLORS = ["#b0b7c3", "#f59e0b", "#3b82f6", "#16a34a"]


def dimension_rows(report) -> list[dict]:
    """One row per dimension for the level chart; 'not covered' keeps level None and its own status."""
    rows = []
    for d in report.dimensions:
        rows.append({"dimension": d.title, "id": d.id, "level": d.level if d.level is not None else 0,
                     "covered": d.level is not None,
                     "status": "not covered" if d.level is None else d.level_name,
                     "label": level_label(d.level, d.max_level, d.level_name),
                     "max_level": d.max_level, "weight": d.weight, "score": round(100 * d.score)})
    return rows


def report_stem(report, session_id: str | None = None) -> str:
    base = (report.problem or "transcript") if len(report.problem or "") <= 40 else "custom"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in base).strip("_") or "transcript"
    return f"mlsd-report-{safe}" + (f"-{session_id}" if session_id else "")


def chat_role(role: str) -> str:
    return "user" if role == "candidate" else "assistant"


def quote_md(text: str) -> str:
    """Candidate text shown as Markdown verbatim: no accidental maths ($), emphasis or headings."""
    out = text.replace("\\", "\\\\")
    for ch in "$*_`[]<>#|~":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def chat_md(text: str) -> str:
    """Chat text as Markdown: keep the writer's formatting but never read '$20 ... $30' as maths."""
    return text.replace("$", "\\$")
