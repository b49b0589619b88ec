"""The lexical signal of the knowledge index: IDF-weighted coverage of the question's words.

The embedding sees only the start of a chunk and misses rare exact terms ("PSI", "HNSW", "CUPED");
coverage catches them, and it is low for off-topic questions, whose key words (sourdough, visa)
appear nowhere — which is what lets `ask` refuse them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

# Common English words carry no topic; without them the lexical signal (and the query coverage
# used for the in-scope decision) weighs only content words like "drift", "psi", "sourdough".
STOPWORDS = frozenset("""
a about above actually after again against all almost also always am an and any anyone anything are
around as at be because been before being below best better between both but by can cannot could did
do does doing done down during each either else enough even ever every everyone everything few for
from further get gets getting give go goes going good got had has have having he her here hers him his
how however i if in instead into is it its itself just kind know like lot lots make many may me might
more most much must my myself need needs no nor not now of off often ok okay on once one only or other
our out over own per please possible probably quite rather really right same say see should so some
someone something sometimes still such sure take than that the their them then there these they thing
things think this those through thus to too try under until up us use used uses using usually very
want was way we well were what whats when where whether which while who whom whose why will with
within without would yes yet you your yours
""".split())
_TOKEN = re.compile(r"[a-z0-9]+")


def lexical_terms(text: str) -> list[str]:
    """Lower-case word stems without stopwords ("features" and "feature" match)."""
    terms = []
    for word in _TOKEN.findall(text.lower()):
        if word in STOPWORDS or (len(word) == 1 and not word.isdigit()):
            continue
        terms.append(_singular(word))
    return terms


def stem(term: str) -> str:
    """A cruder cut than the plural strip, for matching a word across its forms: "declines", "declined" and
    "decline" all give "declin"; "labelling" and "labelled" give "labell"."""
    for suffix in ("ing", "ed", "es", "ion", "ly", "e"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            return term[: -len(suffix)]
    return term


# Chat shorthand for the words a spec is written in: "how many docs", "msgs per sec", "txns", "recs".
SHORTHAND = {"doc": "document", "msg": "message", "sec": "second", "txn": "transaction", "tx": "transaction",
             "rec": "recommendation", "req": "request", "info": "information", "avg": "average", "min": "minute",
             "hr": "hour", "yr": "year", "mo": "month", "wk": "week", "pct": "percent", "convo": "conversation",
             "notif": "notification", "ppl": "people", "acct": "account", "approx": "approximately"}
SHORTHAND |= {f"{short}s": word for short, word in SHORTHAND.items() if short not in ("info", "approx", "ppl")}


def stemmed(text: str) -> str:
    """The text as its stems, shorthand written out, for a LexicalStats whose queries are stemmed too."""
    return " ".join(stem(SHORTHAND.get(t, t)) for t in lexical_terms(text))


@lru_cache(maxsize=4096)
def document_terms(text: str) -> frozenset[str]:
    """The set of a document's terms, kept: the same facts and chunks are matched against every
    question of a session, and re-deriving their terms was most of a turn's non-embedding time."""
    return frozenset(lexical_terms(text))


@lru_cache(maxsize=16384)
def _singular(word: str) -> str:
    """A crude plural strip, enough to match "features"/"feature", "queries"/"query", "indexes"/"index"."""
    if len(word) <= 4 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def heading_template(title: str, heading: str) -> tuple[str, ...]:
    """A heading's words without its note's title words: "Monitoring for bank fraud detection" in the
    note "Bank fraud detection" -> ("monitoring",), the same as in every other case study."""
    own = set(lexical_terms(title))
    return tuple(t for t in lexical_terms(heading) if t not in own)


class LexicalStats:
    """Document frequencies over all chunks: how rare, and so how telling, each word is; and how many
    notes share each heading template (`shared_heading`)."""

    def __init__(self, documents: Sequence[str], sections: Sequence[tuple[str, str, str]] = ()):
        self.n = len(documents)
        self.df: Counter[str] = Counter()
        for doc in documents:
            self.df.update(set(lexical_terms(doc)))
        # (path, title, heading) of each chunk: a template counts once per note.
        self.heading_notes: Counter[tuple[str, ...]] = Counter(
            template for _, template in {(path, heading_template(title, heading)) for path, title, heading in sections})

    def shared_heading(self, title: str, heading: str) -> int:
        """How many notes have a section with this heading once their own title words are removed
        (0 when nothing is left: a heading that only repeats the title is specific to its note)."""
        template = heading_template(title, heading)
        return self.heading_notes.get(template, 0) if template else 0

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def coverage(self, query_terms: Sequence[str], document: str) -> float:
        """IDF-weighted share of query terms present: near 0 when the question's key words
        (sourdough, visa, wicket) appear nowhere in the chunk."""
        wanted = set(query_terms)
        total = sum(self.idf(t) for t in wanted)
        if total <= 0:
            return 0.0
        present = document_terms(document)
        return sum(self.idf(t) for t in wanted if t in present) / total


