"""Which section the offline answer reads, and what it may add from the same note (mlsd.knowledge.extractive).

A stand-in index gives every sentence the same similarity to the question, so only the signals under
test decide: lexical coverage of the question's words, shared headings, the supplement's rules.
"""

from __future__ import annotations

from mlsd.knowledge.ask import offline_answer
from mlsd.knowledge.extractive import MAX_SENTENCES, extract
from mlsd.knowledge.index import Hit
from mlsd.knowledge.lexical import LexicalStats


class FlatEmbedder:
    def documents(self, texts):
        return [[1.0, 0.0] for _ in texts]

    def query(self, text):
        return [1.0, 0.0]


class StubIndex:
    def __init__(self, hits: list[Hit], other_notes: int = 5):
        self.embedder = FlatEmbedder()
        # Boilerplate: the interview-tips heading in several other notes too, as in the real notes.
        sections = [(h.path, h.title, h.heading) for h in hits]
        sections += [(f"knowledge/concepts/n{i}.md", f"Note {i}", "How to bring it up in an interview")
                     for i in range(other_notes)]
        filler = [f"Note {i}: unrelated words about topic number {i}." for i in range(20)]
        self.stats = LexicalStats([f"{h.title} {h.heading} {h.text}" for h in hits] + filler, sections)

    def lexical_stats(self):
        return self.stats


def hit(path: str, number: int, title: str, heading: str, text: str, relevance: float) -> Hit:
    return Hit(id=f"{path}#{number}", path=path, heading=heading, title=title, text=text, score=relevance,
               relevance=relevance)


LABELLING = "knowledge/concepts/labelling.md"
TIPS = hit("knowledge/concepts/fairness.md", 4, "Fairness", "How to bring it up in an interview",
           "Say which groups you would compare across raters and products. Mention the metrics you would "
           "report each week. Explain the trade-off between the criteria for every group.", 0.60)
AGREEMENT = hit(LABELLING, 2, "Data labelling", "Measuring annotator agreement",
                "Annotator agreement tells whether a labelling task is well defined. Cohen's kappa corrects "
                "the raw agreement of two raters for chance. Fleiss' kappa extends this to many raters at once.",
                0.50)
QUESTION = "How do I measure whether raters agree, and what kappa value is good enough?"


def test_the_section_whose_sentences_hold_the_questions_words_beats_a_higher_ranked_boilerplate_one():
    hits = [TIPS, AGREEMENT]
    found = extract(QUESTION, hits, StubIndex(hits))
    assert found.source == 1 and found.answers
    assert [u.text for u in found.units][1].startswith("Cohen's kappa")


def test_the_answer_comes_from_that_section_cited_first_with_three_to_six_sentences():
    hits = [TIPS, AGREEMENT]
    ordered, text, answered = offline_answer(QUESTION, hits, StubIndex(hits))
    assert answered and ordered[0] is AGREEMENT
    cited = text.count("[1]")
    assert 3 <= cited <= MAX_SENTENCES and "[2]" not in text


THRESHOLDS = hit(LABELLING, 3, "Data labelling", "Reading the statistics",
                 "Agreement statistics are read on a fixed scale. A kappa value above 0.8 is good enough for "
                 "most tasks, and 0.6 is the usual minimum. Values are reported per label class as well.", 0.45)


def test_a_later_sentence_of_another_section_of_the_same_note_may_complete_the_answer():
    hits = [AGREEMENT, TIPS, THRESHOLDS]
    ordered, text, answered = offline_answer(QUESTION, hits, StubIndex(hits))
    assert answered and ordered[:2] == [AGREEMENT, THRESHOLDS]  # the supplement's section is [2]
    assert "A kappa value above 0.8 is good enough for most tasks, and 0.6 is the usual minimum [2]." in text
    assert "read on a fixed scale" not in text  # never another section's first (topic) sentence
    assert text.index("[1]") < text.index("[2]") and "[3]" not in text  # other notes add nothing
    assert text.count("[") <= MAX_SENTENCES


def test_no_supplement_when_it_would_only_repeat_the_questions_words():
    repeat = hit(LABELLING, 5, "Data labelling", "More on agreement",
                 "Agreement statistics come in several families. Cohen's kappa is computed from the labels of two "
                 "raters. Fleiss' kappa is computed from the labels of many raters.", 0.45)
    hits = [AGREEMENT, repeat]
    ordered, text, _ = offline_answer(QUESTION, hits, StubIndex(hits))
    assert ordered[0] is AGREEMENT and "[2]" not in text  # "kappa" and "raters" are in [1] already
