"""Rhymed verse on an ML theme is no answer (bench/data/gate_dev_4.yaml); notes written one choice per line are."""

import yaml

from bench import labelled
from mlsd.grading.grader import grade
from mlsd.grading.transcript import Transcript, Turn
from mlsd.grading.verse import is_verse, rhymes


def _status(item) -> str:
    return grade(Transcript(problem=item["problem"], turns=[Turn(role="candidate", content=item["text"])])).status


def test_rhymed_verse_is_refused_and_one_line_notes_are_graded():
    items = yaml.safe_load((labelled.DATA / "gate_dev_4.yaml").read_text(encoding="utf-8"))
    assert [i["id"] for i in items["adversarial"] if _status(i) != "insufficient_evidence"] == []
    assert [i["id"] for i in items["short_real"] if _status(i) != "graded"] == []


def test_verse_split_over_chat_turns_is_refused_with_its_reason():
    poem = yaml.safe_load((labelled.DATA / "gate_dev_4.yaml").read_text(encoding="utf-8"))["adversarial"][0]["text"]
    stanzas = [s for s in poem.split("\n\n") if s.strip()]
    turns = []
    for stanza in stanzas:
        turns += [Turn(role="interviewer", content="Go on."), Turn(role="candidate", content=stanza)]
    report = grade(Transcript(problem="fraud_detection", turns=turns))
    assert report.status == "insufficient_evidence" and "verse" in report.reason


def test_rhymes_are_read_from_spelling_but_not_from_a_shared_suffix():
    assert rhymes("dawn", "drawn") and rhymes("rage", "page") and rhymes("caps", "snaps")
    assert not rhymes("training", "serving") and not rhymes("labelled", "used") and not rhymes("model", "model")
    assert not rhymes("prediction", "evaluation")


def test_short_lines_of_a_design_are_not_verse_even_when_two_of_them_rhyme():
    notes = "\n".join(["Label: chargeback within ninety days", "Model: boosted trees, depth six", "Served in the auth path",
                       "Fallback: the current rules", "Features: amount and merchant category",
                       "Velocity counts for the last hour", "Retrain weekly on new labels", "Alert on score drift per hour",
                       "Shadow two weeks before launch"])
    assert not is_verse(notes)
    assert not is_verse("one line\nand another")  # too short to be a poem at all
