"""Every grade is kept and progress reads true: uploads in History, deletion, the trend chart, practise next,
and no empty boxes left on the Grade and Interview pages. AppTest on the offline backend."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from mlsd import progress
from mlsd.content.problems import load_problems
from mlsd.grading.transcript import Transcript, Turn
from test_app import STRONG, _report, ok, shown, start_interview, store

STRONG_TURNS = json.loads(STRONG.read_text())["turns"]
PHASES = ["problem_definition", "data", "features", "modeling", "evaluation", "serving", "scalability",
          "monitoring"]


def graded_report(weak: dict[str, float], **extra) -> dict:
    """A graded report over every base dimension: 0.7 everywhere except `weak`."""
    scores = {d: weak.get(d, 0.7) for d in [*PHASES, "communication", "tradeoffs"]}
    report = _report(scores).model_dump()
    for d in report["dimensions"]:
        d["phase"] = d["id"] if d["id"] in PHASES else None
    report.update(extra)
    return report


def keep(report: dict, problem_id: str = "bank_fraud_detection", source: str = "mine.json") -> str:
    turns = [Turn(role="candidate", content="I would score each transaction in real time.")]
    return store().save_upload(problem_id=problem_id, problem_text=None, transcript=Transcript(turns=turns),
                               report=report, source=source)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.main if getattr(e, "type", None) == "vega_lite_chart"]


def chart_rows(at: AppTest) -> list[dict]:
    """The rows the History chart was drawn from, decoded from the Arrow data sent to the browser."""
    import pyarrow as pa

    [chart] = [e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"]
    rows = []
    for dataset in chart.proto.datasets:
        rows += pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
    return rows


def marks(spec: dict) -> set[str]:
    return {(layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) for layer in spec["layer"]}


def empty_boxes(node) -> list[str]:
    """Expanders and status boxes with nothing in them, anywhere under `node`."""
    found = []
    for child in getattr(node, "children", {}).values():
        if type(child).__name__ in ("Expander", "Status") and not child.children:
            found.append(getattr(child, "label", None) or getattr(child.proto, "label", "") or "?")
        found += empty_boxes(child)
    return found


def history(at: AppTest) -> AppTest:
    at.run()
    return ok(at.switch_page("app_pages/history.py").run())


# -- every grade is kept ------------------------------------------------------------------------------------
def test_a_pasted_transcript_that_was_graded_is_kept_and_shown_as_an_upload(app):
    at = app()
    at.run()
    ok(at.switch_page("app_pages/grade.py").run())
    pasted = "Problem: bank_fraud_detection\n\n" + "\n\n".join(
        f"{t['role'].capitalize()}: {t['content']}" for t in STRONG_TURNS)
    at.text_area(key="grade_text").input(pasted)
    ok(at.button(key="grade_go").click().run())
    assert not empty_boxes(at.main), empty_boxes(at.main)  # no empty "Graded" box above the report
    [row] = store().list()
    assert row.kind == "upload" and row.problem_id == "bank_fraud_detection" and row.state == {"source": "pasted text"}
    assert row.report["overall"] == at.session_state["grade_report"][0].overall
    assert len(store().turns(row.id)) == len(STRONG_TURNS)
    assert f"Saved in History as an upload (session `{row.id}`)" in shown(at)

    at.text_area(key="grade_text").input("Candidate: I would use a model.")  # not enough to grade: not kept
    ok(at.button(key="grade_go").click().run())
    assert "Not saved in History" in shown(at) and len(store().list()) == 1

    ok(at.switch_page("app_pages/history.py").run())
    table = at.dataframe[0].value
    assert list(table["Kind"]) == ["upload (pasted text)"] and list(table["Session"]) == [row.id]
    assert at.button(key="history_resume").disabled  # an upload is not an interview to resume
    ok(at.button(key="history_open").click().run())
    assert "Overall score" in shown(at)


def test_history_lists_uploads_beside_interviews_and_deletes_either(app):
    at = app()
    interview = start_interview(at)
    upload = keep(graded_report({}), source="old-mock.txt")
    ok(at.switch_page("app_pages/history.py").run())
    kinds = dict(zip(at.dataframe[0].value["Session"], at.dataframe[0].value["Kind"]))
    assert kinds == {interview: "interview", upload: "upload (old-mock.txt)"}

    for sid, what in ((upload, "graded upload"), (interview, "interview")):
        at.selectbox(key="history_session").set_value(sid)
        ok(at.button(key="history_delete").click().run())
        assert f"Delete the {what}" in " ".join(w.value for w in at.warning)
        ok(at.button(key="history_delete_cancel").click().run())
        assert sid in [r.id for r in store().list()]  # "Keep it" keeps it
        at.selectbox(key="history_session").set_value(sid)
        ok(at.button(key="history_delete").click().run())
        ok(at.button(key="history_delete_confirm").click().run())
        assert sid not in [r.id for r in store().list()]
    assert "Nothing here yet" in shown(at)
    assert "interview_session" not in at.session_state  # the deleted interview is no longer open


# -- progress you can read -----------------------------------------------------------------------------------
def test_one_graded_session_draws_labelled_points_and_says_so(app):
    keep(graded_report({"serving": 0.1}))
    at = history(app())
    [spec] = charts(at)
    assert marks(spec) == {"point", "text"}  # points with their values, no line through one point
    caption = " ".join(c.value for c in at.caption)
    assert "One graded session so far" in caption and "labelled with its value" in caption
    assert "line" not in caption.split("Lines start")[0]


def test_three_graded_sessions_draw_a_line_per_dimension_and_the_overall(app):
    for overall in (40.0, 55.0, 62.0):
        keep(graded_report({"serving": 0.2}, overall=overall))
    at = history(app())
    [spec] = charts(at)
    assert marks(spec) == {"line"}
    datasets = chart_rows(at)
    assert {r["session"] for r in datasets} == {1, 2, 3}
    assert sorted(r["score"] for r in datasets if r["dimension"] == "Overall") == [40.0, 55.0, 62.0]
    caption = " ".join(c.value for c in at.caption)
    assert "Each coloured line is one of the 10 rubric dimensions" in caption
    assert "3 graded sessions" in caption and "dashed black line is the overall score" in caption


def test_practise_next_targets_the_weakest_phases_and_opens_practice_mode_with_the_focus(app):
    # the trial: a fraud interview whose gaps were serving, scalability and monitoring (and communication)
    weak = {"serving": 0.1, "scalability": 0.0, "monitoring": 0.2, "communication": 0.0}
    keep(graded_report(weak))
    at = history(app())
    page = shown(at)
    assert "Focus on scalability (0/100), serving (10/100) and monitoring (20/100)" in page  # weakest first
    ok(at.button(key="history_practise").click().run())
    assert at.button(key="interview_start")  # on the Interview set-up
    assert at.radio(key="interview_mode").value == "practice"
    focus = " ".join(i.value for i in at.info)
    assert "Practise next." in focus and "scalability (0/100)" in focus
    chosen = load_problems()[at.selectbox(key="interview_problem").value]
    assert chosen.id not in ("bank_fraud_detection", "document_qa_rag")
    for dimension in ("serving", "scalability", "monitoring"):  # each weak phase matters in the problem
        topics = set(progress.DIMENSION_TOPICS[dimension])
        assert progress.overlay_criteria_for(chosen, dimension) or topics & set(chosen.topics), dimension

    ok(at.button(key="interview_start").click().run())  # the focus stays stated beside the interview
    assert "Focus on scalability (0/100)" in shown(at)


def test_suggestion_prefers_a_problem_where_more_of_the_weak_phases_matter():
    problems = load_problems()
    focus = ["serving", "scalability", "monitoring"]
    best = progress.suggest_problem(focus, problems, practised={"bank_fraud_detection"})
    assert best.dimensions == focus and "you have not practised it yet" in best.reason
    one = progress.suggest_problem("monitoring", problems, practised={"bank_fraud_detection"})
    assert set(one.dimensions) == {"monitoring"}
    assert progress.suggest_problem([], problems) is None


def test_practice_focus_leaves_out_communication_and_tradeoffs():
    reports = [_report_obj({"communication": 0.0, "tradeoffs": 0.0, "data": 0.3, "serving": 0.5})]
    focus = progress.practice_focus(reports)
    assert [w.dimension for w in focus][:2] == ["data", "serving"]
    assert progress.weakest_dimension(reports).dimension in ("communication", "tradeoffs")
    assert progress.focus_message(focus[:1]) == "Focus on data (30/100): your weakest phases over your last graded session."


def _report_obj(weak: dict[str, float]):
    from mlsd.grading.report import GradeReport

    return GradeReport.model_validate(graded_report(weak))


# -- report polish ----------------------------------------------------------------------------------------------
def test_ending_an_interview_leaves_no_empty_box_above_the_report(app):
    at = app()
    start_interview(at)
    for turn in [t["content"] for t in STRONG_TURNS if t["role"] == "candidate"][:2]:
        ok(at.chat_input(key="interview_chat").set_value(turn).run())
    ok(at.button(key="interview_end").click().run())
    assert "Overall score" in shown(at)
    assert not empty_boxes(at.main), empty_boxes(at.main)
