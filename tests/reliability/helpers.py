"""Shared helpers for the reliability suite: data, figures, and a memo for deterministic scoring."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import yaml

from mlsd.grading.transcript import Transcript, Turn

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
TRANSCRIPTS = DATA / "transcripts"
PROBLEMS = ["bank_fraud_detection", "ecommerce_recommendations", "predictive_maintenance"]

# Figures printed at the end of the run (conftest.pytest_terminal_summary and test_zz_summary).
FIGURES: Counter = Counter()


def payloads() -> list[dict]:
    return yaml.safe_load((DATA / "injection_payloads.yaml").read_text(encoding="utf-8"))["payloads"]


def load_transcript(name: str) -> Transcript:
    data = json.loads((TRANSCRIPTS / f"{name}.json").read_text(encoding="utf-8"))
    return Transcript(problem=data["problem"], turns=[Turn(role=t["role"], content=t["content"]) for t in data["turns"]])
