"""Ask: a concept question answered only from the knowledge base, with each cited source shown."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from app_pages import view

RESULT = "ask_result"  # (question, Answer) of the latest question
EARLIER = "ask_earlier"  # older (question, Answer) pairs, newest first
EXAMPLES = ["How do I detect training-serving skew?", "When should I use PR-AUC instead of ROC-AUC?",
            "How do I handle delayed labels in fraud detection?"]


def ensure_index() -> None:
    """Wait for the background build, or build the index now (with progress); then this process has it."""
    from mlsd.knowledge.index import ensure_index as ensure

    shared.wait_for_background_build()
    if shared.index_status().needs_build:
        shared.build_index("Building the knowledge index (first question only)…")
    ensure(shared.settings())


def render_sources(answer, *, nested: bool = False) -> None:
    if not answer.sources:
        return
    if nested:  # inside an expander: expanders cannot nest, so list the sources
        st.markdown("\n".join(f"- [{n}] {s.heading} — `{s.path}`" for n, s in enumerate(answer.sources, 1)))
        return
    st.markdown(f"**Sources** · {len(answer.sources)} passage{'s' if len(answer.sources) != 1 else ''} "
                "from the knowledge base")
    for n, source in enumerate(answer.sources, 1):
        # [1] is the section the answer comes from: open, so its context is one glance away
        with st.expander(f"[{n}] {source.heading} — {source.path}", icon=":material/description:", expanded=n == 1):
            st.caption(f"`{source.path}` · relevance {source.score:.2f}")
            st.markdown(source.text)


def render_answer(question: str, answer, *, streamed: bool = False, nested: bool = False) -> None:
    if not streamed:
        if answer.answered:
            st.markdown(view.chat_md(answer.answer))
        else:  # refused, or the closest notes do not answer it
            st.info(view.chat_md(answer.answer), icon=":material/block:" if not answer.in_scope else ":material/help:")
    render_sources(answer, nested=nested)


st.title("Ask a concept question")
st.caption("Answers come only from mlsd's own knowledge base (phase guides, concept notes, case studies) and cite "
           "the notes they use. A question the notes do not cover is refused rather than answered from thin air.")

with st.form("ask_form", border=False):
    question = st.text_area("Your question", key="ask_question", height=90, max_chars=2000,
                            placeholder=EXAMPLES[0])
    c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
    submitted = c1.form_submit_button("Ask", type="primary", icon=":material/send:")
    k = c2.slider("Passages to retrieve", 3, 8, 5, key="ask_k")
st.caption("Try: " + " · ".join(f"*{q}*" for q in EXAMPLES))

if submitted:
    if not question.strip():
        st.warning("Type a question first.")
    else:
        try:
            from mlsd.knowledge.ask import ask_stream

            ensure_index()
            with st.spinner("Searching the notes…"):
                stream = ask_stream(question.strip(), k=k, settings=shared.settings(), llm=shared.llm())
            st.markdown(f"#### {view.chat_md(question.strip())}")
            streamed = stream.answered  # an answer streams in; a refusal or "not answered" is a notice
            if streamed:
                st.write_stream(view.chat_md(piece) for piece in stream)
            answer = stream.answer()
            previous = st.session_state.get(RESULT)
            if previous:
                st.session_state[EARLIER] = [previous, *st.session_state.get(EARLIER, [])][:10]
            st.session_state[RESULT] = (question.strip(), answer)
            render_answer(question, answer, streamed=streamed)
        except Exception as exc:
            shared.show_error(exc, "Could not answer")
elif st.session_state.get(RESULT):
    q, answer = st.session_state[RESULT]
    st.markdown(f"#### {view.chat_md(q)}")
    render_answer(q, answer)

if st.session_state.get(EARLIER):
    st.divider()
    st.markdown("**Earlier questions**")
    for q, answer in st.session_state[EARLIER]:
        with st.expander(q, icon=":material/history:"):
            render_answer(q, answer, nested=True)
