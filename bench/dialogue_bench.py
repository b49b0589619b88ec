"""The interviewer on our own chat dialogues (bench/data/dialogues), replayed turn by turn, offline.

- done_gap_recall: dialogues that end with "I'm done" while phases are uncovered (their labels): the
  share of those phases the next three interviewer turns ask about (the candidate answers with a
  neutral, content-free line after the done signal).
- repeat_opener_rate: consecutive interviewer turns that start with the same four words; and
  repeated_questions: questions asked twice in one interview.
- reasked_covered_rate: questions about a point the candidate already made — the question's phase
  was covered in an earlier candidate turn (labels), and most of the question's content words are
  in what the candidate said there. A lexical proxy, independent of the interviewer's own check.
- clarification_accuracy: our clarifying questions (bench/data/clarifications.yaml): the facts the
  interviewer reveals are exactly the facts asked for ([] = "not specified").
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from mlsd.content.problems import get_problem
from mlsd.interview.clarify import FactMatcher
from mlsd.interview.interviewer import Interviewer
from mlsd.interview.phrasing import first_words
from mlsd.interview.sessions import SessionStore
from mlsd.knowledge.lexical import lexical_terms

from . import labelled

NEUTRAL = ["Hmm, I haven't thought about that part yet.", "I'd need a moment to work that out."]
ASKING = ("probe", "ask_skipped", "move_on", "close_gaps")


def start(store: SessionStore, dialogue) -> Interviewer:
    if dialogue.problem == "custom":
        return Interviewer.start(store, problem_text=dialogue.statement or dialogue.turns[0].content, time_budget_min=240)
    return Interviewer.start(store, problem_id=dialogue.problem, time_budget_min=240)


def replay(store: SessionStore, dialogue, extra: list[str] = ()) -> list[dict]:
    """Each candidate turn (then `extra`) through a fresh interview: one record per interviewer reply."""
    iv = start(store, dialogue)
    out = []
    for text in [t.content for t in dialogue.turns if t.role == "candidate"] + list(extra):
        if iv.state.status == "wrapped":
            break
        r = iv.respond(text)
        out.append({"action": r.action, "target": r.target_phase, "message": r.message,
                    "question": iv.turns()[-1]["meta"].get("question", "")})
    return out


def done_gap_recall(store: SessionStore, dialogues) -> dict:
    asked = gaps = 0
    misses = []
    for d in dialogues:
        if not d.ends_with_done:
            continue
        uncovered = {p for p, label in d.labels().items() if label == "absent"}
        n_turns = sum(1 for t in d.turns if t.role == "candidate")
        after = replay(store, d, NEUTRAL)[n_turns - 1: n_turns + 2]
        targeted = {r["target"] for r in after if r["action"] in ASKING + ("wrap_up",) and r["target"]}
        asked += len(uncovered & targeted)
        gaps += len(uncovered)
        if uncovered - targeted:
            misses.append(f"{d.id}: missed {sorted(uncovered - targeted)}, asked {[r['target'] for r in after]}")
    return {"done_gap_recall": round(asked / gaps, 3) if gaps else None, "gaps": gaps, "misses": misses}


def conversation_figures(store: SessionStore, dialogues) -> dict:
    pairs = repeats = questions = repeated = reasked = 0
    examples = []
    for d in dialogues:
        records = replay(store, d)
        candidate = [t for t in d.turns if t.role == "candidate"]
        for i, r in enumerate(records):
            if i and first_words(r["message"]) == first_words(records[i - 1]["message"]):
                repeats += 1
            pairs += i > 0
            if r["action"] not in ASKING:
                continue
            questions += 1
            repeated += sum(1 for other in records[:i] if other["question"] == r["question"])
            if already_said(r["question"], r["target"], candidate[: i + 1]):
                reasked += 1
                examples.append(f"{d.id} turn {i}: {r['question']}")
    return {"repeat_opener_rate": round(repeats / pairs, 3) if pairs else None, "repeated_questions": repeated,
            "reasked_covered_rate": round(reasked / questions, 3) if questions else None, "questions": questions,
            "reasked_examples": examples[:8]}


def already_said(question: str, phase: str | None, turns) -> bool:
    words = set(lexical_terms(question)) - {"how", "would", "what", "which", "your", "design", "handle"}
    said = " ".join(t.content for t in turns if phase in t.phases)
    if not phase or len(words) < 2 or not said:
        return False
    return len(words & set(lexical_terms(said))) >= 0.6 * len(words)


def clarification_accuracy(items=None) -> dict:
    items = items if items is not None else labelled.clarifications()
    matchers: dict[str, FactMatcher] = {}
    right, wrong = 0, []
    for item in items:
        matcher = matchers.setdefault(item.problem, FactMatcher(get_problem(item.problem)))
        got = matcher.match(item.question)
        expected = set(item.facts)
        ok = set(got.facts) == expected and (bool(got.unmatched) or bool(expected) or not got.facts)
        right += ok
        if not ok:
            wrong.append(f"{item.problem}: {item.question[:80]!r} -> {got.facts} (want {sorted(expected)})")
    return {"clarification_accuracy": round(right / len(items), 3), "questions": len(items), "wrong": wrong[:10]}


def dialogue_figures(max_dialogues: int | None = None) -> dict:
    dialogues = list(labelled.dialogues())[:max_dialogues]
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp) / "bench.db")
        out = done_gap_recall(store, dialogues) | conversation_figures(store, dialogues)
        store.close()
    out["dialogues"] = len(dialogues)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(dialogue_figures() | clarification_accuracy(), indent=2))
