"""Titles of knowledge notes for study links, read from their front matter (cached)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .datafiles import content_root, parse_front_matter
from .errors import DataFileError


@lru_cache(maxsize=512)
def note_title(path: str) -> str:
    file = content_root() / path
    try:
        meta, _ = parse_front_matter(file.read_text(encoding="utf-8"), file)
        return str(meta.get("title") or Path(path).stem.replace("_", " "))
    except (OSError, DataFileError):
        return Path(path).stem.replace("_", " ")
