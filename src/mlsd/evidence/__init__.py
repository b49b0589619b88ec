"""The evidence engine: which phases and criteria a candidate's words cover, with verbatim quotes.

One engine serves the live interviewer (turn by turn) and the grader (a whole transcript).
"""

from mlsd.evidence.criteria import CriterionEvidence, Span
from mlsd.evidence.engine import EvidenceEngine, EvidenceState, JudgedUnit, PhaseEvidence
from mlsd.evidence.segmentation import Unit, segment, verify_quote

__all__ = ["CriterionEvidence", "EvidenceEngine", "EvidenceState", "JudgedUnit", "PhaseEvidence", "Span", "Unit",
           "segment", "verify_quote"]
