"""The whiteboard beside the interview chat: a Mermaid flowchart typed as text, with a live preview.

The preview is Graphviz DOT drawn by `st.graphviz_chart`, whose renderer ships with Streamlit's
frontend: no CDN and no render service, so it draws with no network at all. A line that does not
parse is named, with the last good preview kept below it. The text is saved with the session each
time it changes (`SessionStore.save_draft`), so a refresh, which starts a new Streamlit session,
reloads it. "Submit diagram" sends it as a candidate turn, a ```mermaid block, through the same path
as a typed answer (`submitted` feeds the page's prompt), so it is stored, read and graded like one.
"""

from __future__ import annotations

import streamlit as st

from app_pages import shared, view
from mlsd.core.errors import DatabaseUnavailableError
from mlsd.diagram.dot import to_dot
from mlsd.diagram.fences import diagram_blocks, fenced
from mlsd.diagram.mermaid import DiagramError, parse_mermaid

SUBMITTED = "whiteboard_submitted"  # (session id, fenced diagram) waiting to be sent as the next answer
STARTER = ("flowchart LR\n  request[Request] --> features[(Feature store)]\n"
           "  features -->|features| model[Model server]\n  model --> response[Response]")
# The live panel is sticky; with the whiteboard in it, it scrolls inside itself instead of running off screen.
PANEL_CSS = ("<style>div[data-testid='stColumn']:has(.st-key-interview_panel)"
             "{max-height: calc(100vh - 4.5rem); overflow-y: auto;}</style>")


def text_key(sid: str) -> str:
    return f"whiteboard_text_{sid}"


def good_key(sid: str) -> str:
    return f"whiteboard_good_{sid}"  # the last source that parsed: what the preview keeps showing


def submitted(sid: str) -> str | None:
    """The diagram just submitted for session `sid`, once (the page sends it as the candidate's answer)."""
    pending = st.session_state.get(SUBMITTED)
    if pending is None or pending[0] != sid:
        return None
    del st.session_state[SUBMITTED]
    return pending[1]


def _save(sid: str) -> None:
    try:
        shared.store().save_draft(sid, st.session_state.get(text_key(sid), ""))
    except DatabaseUnavailableError:
        st.session_state[f"whiteboard_unsaved_{sid}"] = True  # said under the editor; kept in the tab meanwhile
    else:
        st.session_state.pop(f"whiteboard_unsaved_{sid}", None)


def _submit(sid: str) -> None:
    source = st.session_state.get(text_key(sid), "")
    if source.strip():
        st.session_state[SUBMITTED] = (sid, fenced(source))


def _load(sid: str) -> None:
    """On a new Streamlit session (a refresh): the draft saved with the interview."""
    if text_key(sid) in st.session_state:
        return
    try:
        st.session_state[text_key(sid)] = shared.store().draft(sid)
    except DatabaseUnavailableError:
        st.session_state[text_key(sid)] = ""


def preview(sid: str, source: str) -> bool:
    """Draw `source`, or name its bad line and keep drawing the last good one; True when it parses."""
    if not source.strip():
        st.caption("Type a Mermaid flowchart above; the preview draws here.")
        return False
    try:
        diagram = parse_mermaid(source)
    except DiagramError as exc:
        st.error(f"**Line {exc.line}:** {exc.problem}", icon=":material/error:")
        if exc.text:
            st.code(exc.text, language=None)
        good = st.session_state.get(good_key(sid))
        if good:
            st.caption("Last good preview:")
            st.graphviz_chart(to_dot(parse_mermaid(good)), width="stretch")
        return False
    st.session_state[good_key(sid)] = source
    st.graphviz_chart(to_dot(diagram), width="stretch")
    return True


@st.fragment
def render(sid: str, disabled: bool = False) -> None:
    """The editor, its preview and the submit button (a fragment: typing redraws only the whiteboard)."""
    st.html(PANEL_CSS)
    _load(sid)
    with st.expander("Whiteboard", expanded=True, icon=":material/schema:"):
        st.text_area("Mermaid flowchart", key=text_key(sid), height=200, max_chars=8000, on_change=_save, args=(sid,),
                     disabled=disabled, placeholder=STARTER,
                     help="`flowchart LR`, then nodes `id[Label]` and edges `a -->|why| b`; subgraphs too. "
                          "Press Ctrl+Enter or click outside to redraw.")
        if st.session_state.get(f"whiteboard_unsaved_{sid}"):
            st.warning("The database is unreachable: the diagram is kept in this tab until it can be saved.")
        parses = preview(sid, st.session_state.get(text_key(sid), ""))
        if st.button("Submit diagram", key=f"whiteboard_submit_{sid}", icon=":material/send:", on_click=_submit,
                     args=(sid,), disabled=disabled or not parses,
                     help="Send the diagram as your answer: the interviewer reads it and it is graded."):
            st.rerun(scope="app")  # the page sends it as the next answer


def show_turn(content: str) -> None:
    """A chat turn: its prose as Markdown and each diagram in it drawn (its source one click away)."""
    blocks = [b for b in diagram_blocks(content) if b.diagram is not None]
    at = 0
    for block in blocks:
        if content[at:block.start].strip():
            st.markdown(view.chat_md(content[at:block.start]))
        st.graphviz_chart(to_dot(block.diagram), width="stretch")
        with st.expander("Diagram source", icon=":material/code:"):
            st.code(block.source, language=None)
        at = block.end
    if content[at:].strip() or not blocks:
        st.markdown(view.chat_md(content[at:]))


def show_in_report(report) -> None:
    """Beside the serving dimension: the last diagram the candidate drew, drawn."""
    if not report.diagrams:
        return
    last = report.diagrams[-1]
    with st.container(border=True):
        st.markdown(f"**Your diagram** · turn {last.turn}")
        try:
            st.graphviz_chart(to_dot(parse_mermaid(last.source)), width="stretch")
        except DiagramError as exc:  # a report saved by another version: say so rather than fail
            st.caption(f"The diagram cannot be drawn: {exc}")
