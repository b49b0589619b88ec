"""Knowledge notes: load `knowledge/{phases,concepts,cases}/*.md` and cut them into chunks.

A note is Markdown with YAML front matter (`title`, `phases`, `tags`), a `#` title and `##`
sections. One chunk per `##` section is the unit of retrieval: a section answers one question
("what PSI measures", "how to bring it up in an interview"), so it is what an answer should cite.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
import re
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from mlsd.content.files import content_root, parse_front_matter, validate_data
from mlsd.core.errors import DataFileError
from mlsd.core.phases import PHASE_IDS

# Bump when chunk boundaries or the embedded text change: every indexed file then counts as
# updated, so an index built by an older version is re-embedded instead of silently mixing styles.
CHUNKER_VERSION = 1

# Sections longer than this are split at paragraph boundaries, so a cited passage stays a readable
# size and one long section does not swamp the lexical signal.
MAX_CHUNK_WORDS = 350

# Words of "title — heading: text" that are embedded. Embedding is nearly all of a cold build and
# MiniLM int8 manages only ~1,500–2,000 word-pieces per CPU-second on this class of machine, so
# whole sections (~85k word-pieces for 70 notes) cost ~50 CPU-s. Title, heading and the opening
# sentence say what a section is about; the lexical signal in the index still reads every word.
# hit@5 / word-pieces embedded, measured on bench/data/concept_questions.yaml with 70 notes:
# 32 words 0.973 / 23k, 48 words 0.991 / 34k, 64 words 1.000 / 45k, whole sections 1.000 / 84k.
EMBED_MAX_WORDS = 32


def index_format() -> str:
    """Stored with every chunk: a change of chunking or of embedded text makes indexed files stale."""
    return f"c{CHUNKER_VERSION}-w{EMBED_MAX_WORDS}"


NOTE_FOLDERS = ("phases", "concepts", "cases")


class NoteFrontMatter(BaseModel):
    title: str = Field(min_length=1)
    phases: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    @field_validator("phases")
    @classmethod
    def known_phases(cls, phases: list[str]) -> list[str]:
        unknown = [p for p in phases if p not in PHASE_IDS]
        if unknown:
            raise ValueError(f"unknown phase id(s) {', '.join(unknown)}; known: {', '.join(PHASE_IDS)}")
        return phases

    @field_validator("tags")
    @classmethod
    def normalise_tags(cls, tags: list[str]) -> list[str]:
        # Tags are filter keys: one spelling per tag, and no commas (they are stored comma-joined).
        out = []
        for tag in tags:
            tag = str(tag).strip().lower().replace(" ", "-")
            if "," in tag:
                raise ValueError(f"tag {tag!r} contains a comma")
            if tag and tag not in out:
                out.append(tag)
        return out


class Note(BaseModel):
    path: str  # relative to the content root, POSIX style: knowledge/concepts/drift_detection.md
    title: str
    phases: list[str]
    tags: list[str]
    body: str
    sha256: str


class Chunk(BaseModel):
    id: str  # f"{path}#{index}": stable while the note's structure is unchanged
    path: str
    index: int
    title: str
    heading: str
    text: str  # what a reader sees and an answer quotes
    phases: list[str]
    tags: list[str]
    sha256: str  # of the whole note file, for incremental indexing

    @property
    def full_text(self) -> str:
        """Title, heading and text: what the lexical signal reads."""
        return compose_chunk_text(self.title, self.heading, self.text)

    @property
    def embed_text(self) -> str:
        """What gets embedded: the start of `full_text` (title and heading give a section context)."""
        return " ".join(self.full_text.split()[:EMBED_MAX_WORDS])


def compose_chunk_text(title: str, heading: str, text: str) -> str:
    if heading and heading != title:
        return f"{title} — {heading}: {text}"
    return f"{title}: {text}"


def knowledge_root() -> Path:
    """`knowledge/` in $MLSD_CONTENT_DIR when set, else in this checkout."""
    return content_root() / "knowledge"


def note_files(root: Path | None = None) -> list[Path]:
    root = Path(root) if root is not None else knowledge_root()
    files: list[Path] = []
    for folder in NOTE_FOLDERS:
        files.extend(sorted((root / folder).glob("*.md")))
    return files


def relative_path(file: Path, root: Path) -> str:
    """Path as the index and answers name it: relative to the folder holding `knowledge/`."""
    try:
        return file.relative_to(root.parent).as_posix()
    except ValueError:
        return file.as_posix()


def load_note(file: Path, root: Path | None = None) -> Note:
    root = Path(root) if root is not None else knowledge_root()
    rel = relative_path(file, root)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise DataFileError(rel, f"cannot read note: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(rel, f"not valid UTF-8 at byte {exc.start}; save the note as UTF-8") from None
    meta, body = parse_front_matter(text, rel, required=True)
    front = validate_data(meta, NoteFrontMatter, rel)
    body = strip_title_heading(body)
    if not body.strip():
        raise DataFileError(rel, "note has front matter but no text")
    return Note(path=rel, title=front.title.strip(), phases=front.phases, tags=front.tags, body=body,
                sha256=hashlib.sha256(raw).hexdigest())


def load_notes(root: Path | None = None, *, errors: list[DataFileError] | None = None) -> list[Note]:
    """Every note under `root` (default `knowledge_root()`), sorted by path.

    A malformed note raises DataFileError, unless `errors` is given: then its error is appended
    there and the other notes still load (the index build reports errors without losing notes).
    """
    root = Path(root) if root is not None else knowledge_root()
    notes: list[Note] = []
    for file in note_files(root):
        try:
            notes.append(load_note(file, root))
        except DataFileError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return notes


_FENCE = re.compile(r"^\s*(```|~~~)")


def strip_title_heading(body: str) -> str:
    """Drop the `# Title` line: the title is in the front matter and is prefixed to every chunk."""
    lines = body.splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if line.startswith("# "):
            return "\n".join(lines[i + 1 :]).strip("\n")
        break
    return body.strip("\n")


def split_sections(body: str) -> list[tuple[str, str]]:
    """[(heading, text)] at `##` headings; `##` inside code fences is not a heading.

    Text before the first `##` has heading "" (the caller merges it into the first section).
    """
    sections: list[tuple[str, list[str]]] = [("", [])]
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            sections.append((line[3:].strip(), []))
        else:
            sections[-1][1].append(line)
    return [(heading, "\n".join(lines).strip()) for heading, lines in sections]


def split_long(text: str, max_words: int = MAX_CHUNK_WORDS) -> list[str]:
    """Split at blank lines into pieces of about `max_words`; a single huge paragraph stays whole."""
    if len(text.split()) <= max_words:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    words = 0
    for paragraph in re.split(r"\n\s*\n", text):
        n = len(paragraph.split())
        if current and words + n > max_words:
            pieces.append("\n\n".join(current))
            current, words = [], 0
        current.append(paragraph)
        words += n
    if current:
        pieces.append("\n\n".join(current))
    return pieces


def chunk_note(note: Note, max_words: int = MAX_CHUNK_WORDS) -> list[Chunk]:
    """One chunk per `##` section (long ones split at paragraphs); the intro joins the first."""
    sections = split_sections(note.body)
    intro = sections[0][1]
    named = [s for s in sections[1:] if s[1] or s[0]]
    if not named:
        named = [(note.title, intro)]
    elif intro:
        heading, text = named[0]
        named[0] = (heading, f"{intro}\n\n{text}".strip())
    chunks: list[Chunk] = []
    for heading, text in named:
        for piece in split_long(text, max_words) or [""]:
            index = len(chunks)
            chunks.append(Chunk(id=f"{note.path}#{index}", path=note.path, index=index, title=note.title,
                                heading=heading, text=piece, phases=note.phases, tags=note.tags,
                                sha256=note.sha256))
    return chunks


@lru_cache(maxsize=512)
def note_title(path: str) -> str:
    """A note's title from its front matter (for study links), or a readable form of its file name."""
    file = content_root() / path
    try:
        meta, _ = parse_front_matter(file.read_text(encoding="utf-8"), file)
        return str(meta.get("title") or Path(path).stem.replace("_", " "))
    except (OSError, DataFileError):
        return Path(path).stem.replace("_", " ")


def read_note(path: str) -> str | None:
    """The body of a knowledge note (front matter removed), or None when it cannot be read."""
    root = content_root().resolve()
    file = (root / path).resolve()
    if root not in file.parents or file.suffix != ".md":
        return None
    try:
        _, body = parse_front_matter(file.read_text(encoding="utf-8"), file)
    except (OSError, DataFileError):
        return None
    return body.strip()
