import json

import pytest

from mlsd.core.errors import TranscriptError
from mlsd.grading.transcript import MAX_BYTES, Transcript, Turn, parse_transcript


def test_json_format_with_problem_and_roles():
    t = parse_transcript(json.dumps({"problem": "bank_fraud_detection", "turns": [
        {"role": "interviewer", "content": "Design fraud detection."},
        {"role": "candidate", "content": "First, what is the latency budget?"}]}))
    assert t.problem == "bank_fraud_detection"
    assert [x.role for x in t.turns] == ["interviewer", "candidate"]


def test_prefixed_text_joins_continuation_lines():
    t = parse_transcript("Interviewer: Design a feed.\nCandidate: I would start\nwith the goal.\n\nInterviewer: OK")
    assert len(t.turns) == 3
    assert t.turns[1].content == "I would start\nwith the goal."


def test_bare_answer_is_one_candidate_turn():
    t = parse_transcript("We rank posts with a two-tower model.\n\nThen a ranker.", problem="news feed")
    assert t.turns == [Turn(role="candidate", content="We rank posts with a two-tower model.\n\nThen a ranker.")]
    assert t.problem == "news feed"


def test_our_exports_round_trip():
    t = Transcript(problem="bank_fraud_detection", turns=[
        Turn(role="interviewer", content="Design fraud detection for a bank."),
        Turn(role="candidate", content="Labels come from chargebacks.\n- they arrive late"),
    ])
    assert parse_transcript(t.to_json()) == t
    assert parse_transcript(t.to_markdown("Fraud")) == t


@pytest.mark.parametrize("text, where", [
    ('{"turns": [{"role": "judge", "content": "x"}]}', "turns[0].role"),
    ('{"turns": [{"role": "candidate", "content": "  "}]}', "turns[0].content"),
    ('{"turns": [', "invalid JSON"),
    ('{"problem": 3, "turns": []}', '"problem"'),
    ("Some preface\nCandidate: hi", ":1:"),
    ("Interviewer: hi\nCandidate:\n", ":2: empty candidate turn"),
    ('{"turns": [{"role": "interviewer", "content": "only me"}]}', "no candidate turns"),
])
def test_bad_transcripts_name_what_and_where(text, where):
    with pytest.raises(TranscriptError) as info:
        parse_transcript(text, source="up.txt")
    assert where in str(info.value) and "up.txt" in str(info.value)


def test_non_utf8_and_oversized_input_are_refused():
    with pytest.raises(TranscriptError, match="offset 6"):
        parse_transcript(b"hello \xff world", source="f.txt")
    with pytest.raises(TranscriptError, match="limit"):
        parse_transcript(b"a" * (MAX_BYTES + 1))
