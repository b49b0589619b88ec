"""Load a labelled corpus of written answers (the eval-corpus format, or ours in bench/data/answers).

A corpus is a folder of Markdown files (directly or under answers/) whose YAML front matter has
`phases_present`, `phases_absent` and `uncertain`. Phase names may carry the eval corpus's
numbering ("6_serving_architecture"); they are mapped onto our eight phase ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from mlsd.core.phases import PHASE_IDS

DEFAULT_EXTERNAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval-corpus"
OURS = Path(__file__).resolve().parent / "data" / "answers"
_ALIASES = {"serving_architecture": "serving", "monitoring_maintenance": "monitoring"}


def phase_id(name: str) -> str:
    name = re.sub(r"^\d+_", "", str(name).strip())
    name = _ALIASES.get(name, name)
    if name not in PHASE_IDS:
        raise ValueError(f"unknown phase label {name!r}")
    return name


@dataclass
class LabelledAnswer:
    path: Path
    problem: str
    text: str
    labels: dict[str, str]  # phase -> present | absent | uncertain
    source: str = "a1"  # who wrote it: cross-validation holds out whole sources
    style: str = ""


def load_corpus(folder: Path | str) -> list[LabelledAnswer]:
    folder = Path(folder)
    files = sorted((folder / "answers").glob("*.md")) if (folder / "answers").is_dir() else sorted(folder.glob("*.md"))
    out = []
    for path in files:
        raw = path.read_text(encoding="utf-8")
        m = re.match(r"^---\n(.*?)\n---\n", raw, re.S)
        if not m:
            continue
        meta = yaml.safe_load(m.group(1)) or {}
        labels = {}
        for key, label in (("phases_present", "present"), ("phases_absent", "absent"), ("uncertain", "uncertain")):
            for name in meta.get(key) or []:
                labels[phase_id(name)] = label
        out.append(LabelledAnswer(path, str(meta.get("problem_statement", "")), raw[m.end():].strip(), labels,
                                  str(meta.get("source", "a1")), str(meta.get("style", ""))))
    return out
