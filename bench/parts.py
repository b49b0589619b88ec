"""The judgment, conversation and report figures of `mlsd bench`, kept out of runner.py.

Each Part names its section, the figure keys it sets and a function of the running Bench. The runner
calls them in order after its own parts; a part that raises is recorded and the others still run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    name: str
    keys: list[str]
    run: Callable  # (bench) -> None
    llm: bool = False  # only with --llm


JUDGMENT_CV = ["chat_turn_f1_cv", "chat_coverage_f1_cv", "chat_skipped_f1_cv", "answers_coverage_f1_cv",
               "answers_skipped_f1_cv", "unit_phase_f1_cv", "act_accuracy_cv"]
JUDGMENT_FRESH = ["chat_turn_f1_fresh", "chat_coverage_f1_fresh", "chat_skipped_f1_fresh", "proposal_phase_f1",
                  "chat_turn_f1_fresh_2", "chat_coverage_f1_fresh_2", "chat_skipped_f1_fresh_2",
                  "plain_talk_phase_f1", "plain_talk_read_as_design"]


def judgment(bench) -> None:
    from . import labelled
    from .judgment_bench import (
        cv_figures,
        fresh_chat_figures,
        gate_figures,
        plain_talk_figures,
        proposal_figures,
    )

    for key, value in cv_figures().items():
        bench.set(key, value, "cross-validated at training time, whole sources held out (bench.train_judgment)",
                  reason=None if value is not None else "the shipped model has no CV record: run "
                  "python -m bench.train_judgment --write")
    fresh = fresh_chat_figures()
    for key in JUDGMENT_FRESH[:3]:
        bench.set(key, fresh[key], f"{fresh['dialogues']} dialogues ({fresh['turns']} candidate turns) of ours written "
                  "after the model was fitted, never trained on")
    second = fresh_chat_figures(labelled.FRESH_DIALOGUES[1])
    for key in JUDGMENT_FRESH[:3]:
        bench.set(f"{key}_2", second[key], f"{second['dialogues']} more dialogues ({second['turns']} candidate turns) "
                  "of ours in twelve other voices, with a human interviewer's turns; never trained on")
    plain = plain_talk_figures()
    for key in ("plain_talk_phase_f1", "plain_talk_read_as_design"):
        bench.set(key, plain[key], f"{plain['plain_talk']} clauses of ours in plain talk with no ML words, never trained "
                  f"on; everyday sentences from the same trades read as design {plain['plain_everyday_read_as_design']}")
    proposals = proposal_figures()
    bench.set("proposal_phase_f1", proposals["proposal_phase_f1"],
              f"{proposals['proposals']} design proposals put as questions, of ours, never trained on; read as design "
              f"{proposals['proposal_read_as_design']}")
    gate = gate_figures()
    bench.details["gate"] = gate
    talk = load_talk_filter_meta()
    bench.set("adversarial_refused", gate["adversarial_refused"],
              f"{gate['adversarial']} non-answers of ours written blind (bench/data/gate_fresh.yaml); the talk filter, held out by group, keeps "
              f"{talk['design_recall_cv']} of design sentences and lets {talk['talk_read_as_design_cv']} of talk through")
    bench.set("short_real_refused", gate["short_real_refused"], f"{gate['short_real']} short real answers of ours")


def load_talk_filter_meta() -> dict:
    import json

    from mlsd.evidence.talk import TALK_FILTER_PATH

    return json.loads(TALK_FILTER_PATH.read_text(encoding="utf-8"))["meta"]


def speed(bench) -> None:
    from .judgment_bench import grade_speed, turn_speed
    from .labelled import dialogues
    from .memo import no_memo

    texts = [t.content for d in dialogues() for t in d.turns if t.role == "candidate"][: 12 if bench.options.quick else 40]
    with no_memo():
        graded = grade_speed(runs=1 if bench.options.quick else 3)
        turns = turn_speed(texts)
    bench.details["judgment_speed"] = graded | turns
    bench.set("grade_overhead_ratio", graded["grade_overhead_ratio"],
              f"40-turn grade {graded['grade_40_turns_s']} s, of which embedding {graded['grade_40_turns_embedding_s']} s")
    bench.set("turn_overhead_ratio", turns["turn_overhead_ratio"],
              f"{turns['turns']} interviewer turns, p50 {turns['turn_ms_p50']} ms, embedding p50 "
              f"{turns['turn_embedding_ms_p50']} ms")


def conversation(bench) -> None:
    from . import labelled
    from .dialogue_bench import clarification_accuracy, dialogue_figures

    figures = dialogue_figures(max_dialogues=12 if bench.options.quick else None) | clarification_accuracy()
    bench.details["conversation"] = figures
    n = f"{figures['dialogues']} dialogues of ours, replayed offline"
    for key in ("done_gap_recall", "repeat_opener_rate", "repeated_questions", "reasked_covered_rate"):
        bench.set(key, figures[key], n)
    dev = clarification_accuracy(labelled.clarifications(dev=True))
    bench.set("clarification_accuracy", figures["clarification_accuracy"], f"{figures['questions']} questions of ours; "
              f"{dev['clarification_accuracy']} on {dev['questions']} more written for development")
    blind = clarification_accuracy(labelled.clarifications(fresh=True))
    bench.details["clarifications_fresh"] = {k: v for k, v in blind.items() if k != "wrong"}  # kept unread
    bench.set("clarification_accuracy_fresh", blind["clarification_accuracy"],
              f"{blind['questions']} questions written blind from the facts alone "
              f"(bench/data/clarifications_fresh.yaml); measured only")
    from .pitfall_bench import pitfall_figures

    challenges = pitfall_figures()
    bench.details["challenges"] = challenges
    for key in ("challenge_precision", "challenge_recall"):
        bench.set(f"{key}_fresh", challenges[key], f"{challenges['sentences']} sentences written blind "
                                                   "(bench/data/pitfalls_fresh.yaml), half of them near misses")
    from .intents_fit import fresh_figures

    fresh = fresh_figures()
    bench.details["intents"] = fresh
    bench.set("intent_accuracy_fresh", fresh["with_meaning"],
              f"{fresh['items']} messages written after the fit (patterns alone {fresh['patterns_only']}; ends, hint "
              f"and model-answer requests caught {fresh['recall_with_meaning']}, patterns alone "
              f"{fresh['recall_patterns_only']})")


def reports(bench) -> None:
    from .criteria_bench import criterion_figures
    from .point_made_eval import figures as point_figures
    from .point_made_eval import load_items, scored
    from .report_bench import report_contradictions

    found = report_contradictions(limit=40 if bench.options.quick else None)
    bench.details["report_contradictions"] = found
    bench.set("report_contradictions", found["report_contradictions"],
              f"{found['graded_reports']} graded reports of our transcripts, dialogues and answers")
    made = point_figures(scored(load_items()))
    bench.details["point_made"] = made
    shipped = made["shipped"]
    bench.set("point_made_accuracy", shipped["accuracy"],
              f"{made['items']} labelled statements of ours, each scored whole, recall of made {shipped['recall']}; "
              f"threshold fitted leaving one problem out: {made['leave_one_problem_out']['accuracy']}; as the report "
              f"applies it, to design units only: {made['report_path']['accuracy']}")
    criteria = criterion_figures()
    bench.details["criteria"] = criteria
    detail = (f"{criteria['statements']} labelled statements of ours written blind (bench/data/criteria_fresh.yaml), each "
              f"judged as a turn of its own; its phase found for {criteria['phase_found']}")
    bench.set("criterion_recall", criteria["criterion_recall"], detail)
    bench.set("criterion_precision", criteria["criterion_precision"], "of the criteria of its phase a statement is evidence for")


def llm_grading_time(bench) -> None:
    from mlsd.core.config import Settings
    from mlsd.grading.grader import grade
    from mlsd.grading.service import grading_budget
    from mlsd.llm import get_llm

    from .grading_bench import long_transcript

    settings = Settings()
    if settings.backend() == "offline":
        bench.skip(["llm_grade_10_turns_s"], "no LLM backend configured")
        return
    llm = get_llm(settings, log=False)
    started = time.perf_counter()
    report = grade(long_transcript(10), llm=llm, budget=grading_budget(settings))
    seconds = round(time.perf_counter() - started, 2)
    bench.set("llm_grade_10_turns_s", seconds, f"budget {settings.grade_budget_s:.0f} s; "
              f"{len(report.fallbacks)} dimensions left offline: {', '.join(report.fallbacks) or 'none'}")


PARTS = [
    Part("judgment (cross-validated, fresh chats, gate)", JUDGMENT_CV + JUDGMENT_FRESH
         + ["adversarial_refused", "short_real_refused"], judgment),
    Part("judgment speed against the embedding floor", ["grade_overhead_ratio", "turn_overhead_ratio"], speed),
    Part("conversation on our dialogues", ["done_gap_recall", "repeat_opener_rate", "repeated_questions",
                                           "reasked_covered_rate", "clarification_accuracy",
                                           "clarification_accuracy_fresh", "intent_accuracy_fresh",
                                           "challenge_precision_fresh", "challenge_recall_fresh"],
         conversation),
    Part("reports: contradictions, points made, criteria", ["report_contradictions", "point_made_accuracy",
                                                             "criterion_recall", "criterion_precision"], reports),
    Part("LLM grading time (--llm)", ["llm_grade_10_turns_s"], llm_grading_time, llm=True),
]
