"""The evidence engine: which phases and criteria a candidate's words cover, with verbatim quotes.

One engine serves the live interviewer (turn by turn) and the grader (a whole transcript).
"""

from mlsd.evidence.engine import (CALIBRATION_PATH, Calibration, CriterionEvidence, EvidenceEngine, EvidenceState,
                                  PhaseEvidence, ScoredUnit)
from mlsd.evidence.segmentation import Unit, segment, verify_quote

__all__ = ["CALIBRATION_PATH", "Calibration", "CriterionEvidence", "EvidenceEngine", "EvidenceState", "PhaseEvidence",
           "ScoredUnit", "Unit", "segment", "verify_quote"]
