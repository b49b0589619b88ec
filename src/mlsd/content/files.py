"""Load YAML data files into Pydantic models, with errors that point at a file and line.

Rubrics and problems are edited by hand, so a mistake must be reported as
`rubrics/base.yaml:42 [dimensions[2].criteria[0].levels]: ...` rather than as a
Pydantic traceback. The YAML is parsed once into a node tree (which keeps line
numbers) and constructed from that same tree, so validation errors can be mapped
back to the line where the offending field is written.
"""

from __future__ import annotations

import copy
import difflib
import os
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from mlsd.core.errors import DataFileError

ModelT = TypeVar("ModelT", bound=BaseModel)
Loc = tuple[str | int, ...]

CONTENT_DIR_ENV = "MLSD_CONTENT_DIR"

# The C loader is much faster on the problem bank and reports the same marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FieldValueError(ValueError):
    """A cross-field check failed at a known place below the model being validated.

    Raise it from a model validator with the location relative to that model, e.g.
    `FieldValueError("duplicate id 'x'", "dimensions", 2, "id")`. Pydantic keeps the
    exception in the error context, and `load_yaml_model` appends `loc` to the
    model's own location so the message names the exact field and line.
    """

    def __init__(self, message: str, *loc: str | int):
        super().__init__(message)
        self.message = message
        self.loc: Loc = tuple(loc)


def content_root(root: Path | str | None = None) -> Path:
    """Directory holding rubrics/, problems/ and knowledge/.

    An explicit `root` wins, then $MLSD_CONTENT_DIR (read at call time so tests and
    deployments can redirect it), then the repository root of this checkout.
    """
    if root is not None:
        return Path(root)
    from_env = os.environ.get(CONTENT_DIR_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return Path(__file__).resolve().parents[3]


def format_loc(loc: Loc) -> str:
    """('dimensions', 2, 'criteria', 0, 'levels') -> 'dimensions[2].criteria[0].levels'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            # Pydantic marks a bad dict *key* this way; keep it readable.
            out += "[key]"
        else:
            out += f".{part}" if out else str(part)
    return out


def line_of(node: yaml.Node | None, loc: Loc, *, line_offset: int = 0) -> int | None:
    """1-based line of the field at `loc`, or of the deepest parent that exists.

    A field reached through a mapping reports the line of its key (that is where
    the author wrote it); a list item reports the line where the item starts.
    """
    if node is None:
        return None
    line = node.start_mark.line
    current: yaml.Node = node
    for part in loc:
        found: tuple[int, yaml.Node] | None = None
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    found = (key_node.start_mark.line, value_node)
                    break
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(current.value):
                item = current.value[part]
                found = (item.start_mark.line, item)
        if found is None:
            break  # missing field or pydantic-only loc part: the parent is the best we can do
        line, current = found
    return line + 1 + line_offset


def _compose(text: str, path: Path | str, *, line_offset: int = 0) -> tuple[Any, yaml.Node | None]:
    """Parse once: return the constructed data and the node tree that carries line numbers."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark is not None else None
        what = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        column = f" (column {mark.column + 1})" if mark is not None else ""
        context = exc.context_mark
        if context is not None and mark is not None and context.line != mark.line:
            # e.g. an unclosed '[' is only noticed lines later; say where it opened
            column += f"; the construct began on line {context.line + 1 + line_offset}"
        raise DataFileError(str(path), f"YAML syntax error: {what}{column}", line=line) from None
    except yaml.YAMLError as exc:
        raise DataFileError(str(path), f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    if node is not None:
        _reject_duplicate_keys(node, path, line_offset)
    return data, node


def _reject_duplicate_keys(node: yaml.Node, path: Path | str, line_offset: int) -> None:
    # PyYAML silently keeps the last of two equal keys, which would quietly drop
    # content (e.g. two `modeling:` blocks). Treat it as the authoring error it is.
    stack: list[yaml.Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        raise DataFileError(
                            str(path),
                            f"duplicate key '{key_node.value}' in the same mapping",
                            field=key_node.value,
                            line=key_node.start_mark.line + 1 + line_offset,
                        )
                    seen.add(key_node.value)
                stack.append(value_node)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(str(path), "file not found") from None
    except OSError as exc:
        raise DataFileError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")  # tolerate a BOM from Windows editors
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataFileError(
            str(path),
            f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start}; save the file as UTF-8",
            line=line,
        ) from None


def _error_loc_and_message(error: Any) -> tuple[Loc, str]:
    loc: Loc = tuple(error.get("loc", ()))
    message = str(error.get("msg", "invalid value"))
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldValueError):
        loc = loc + cause.loc
        message = cause.message
    return loc, message


def validation_error_to_datafile_error(
    exc: ValidationError, path: Path | str, node: yaml.Node | None, *, line_offset: int = 0
) -> DataFileError:
    """One DataFileError for all of a file's validation errors.

    The attributes (`field`, `line`) describe the first error; the message lists
    every error with its own line so one edit-run cycle can fix them all.
    """
    located: list[tuple[int | None, str, str]] = []
    for error in exc.errors(include_url=False):
        loc, message = _error_loc_and_message(error)
        located.append((line_of(node, loc, line_offset=line_offset), format_loc(loc) or "<root>", message))
    first_line, first_field, first_message = located[0]
    if len(located) == 1:
        return DataFileError(str(path), first_message, field=first_field, line=first_line)
    listing = "\n".join(
        f"  line {line if line is not None else '?'} [{field}]: {message}" for line, field, message in located
    )
    problem = f"{first_message}\n{len(located)} validation errors in {path}:\n{listing}"
    return DataFileError(str(path), problem, field=first_field, line=first_line)


class FrontMatter(dict):
    """A front-matter mapping that remembers its YAML node, so validating it later still gives file lines."""

    node: yaml.Node | None = None
    line_offset: int = 0


def validate_data(
    data: Any, model_cls: type[ModelT], path: Path | str, node: yaml.Node | None = None, *, line_offset: int = 0
) -> ModelT:
    """Validate already-parsed data, turning Pydantic errors into a located DataFileError."""
    if node is None and isinstance(data, FrontMatter):
        node, line_offset = data.node, data.line_offset
    if data is None:
        raise DataFileError(str(path), f"file is empty; expected a {model_cls.__name__} mapping", line=1)
    if not isinstance(data, dict):
        raise DataFileError(
            str(path),
            f"top level must be a mapping of fields for {model_cls.__name__}, got {type(data).__name__}",
            line=line_of(node, (), line_offset=line_offset),
        )
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        raise validation_error_to_datafile_error(exc, path, node, line_offset=line_offset) from None


def load_yaml_model(path: Path | str, model_cls: type[ModelT]) -> ModelT:
    """Read a UTF-8 YAML file and validate it as `model_cls`; every failure is a DataFileError."""
    path = Path(path)
    text = _read_text(path)
    data, node = _compose(text, path)
    return validate_data(data, model_cls, path, node)


def locate(path: Path | str, loc: Loc) -> int | None:
    """Line of `loc` inside a YAML file, for checks made after loading (e.g. overlay merges)."""
    try:
        _, node = _compose(_read_text(Path(path)), path)
    except DataFileError:
        return None
    return line_of(node, loc)


def error_at(path: Path | str, loc: Loc, problem: str) -> DataFileError:
    """A DataFileError for a field in a YAML file that already parsed and validated."""
    return DataFileError(str(path), problem, field=format_loc(loc) or None, line=locate(path, loc))


# Cache keyed by the file's identity *and* content stamp, so an edited file is
# re-read on the next call (correctness first), while repeated loads stay cheap.
_cache: dict[tuple[str, str, int, int], BaseModel] = {}


def load_yaml_model_cached(path: Path | str, model_cls: type[ModelT]) -> ModelT:
    """Like load_yaml_model, but reuses the parse while the file is unchanged.

    Returns a deep copy so callers can never mutate the cached instance.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return load_yaml_model(path, model_cls)  # let the loader produce the proper error
    key = (str(path.resolve()), model_cls.__qualname__, stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(key)
    if cached is None:
        cached = load_yaml_model(path, model_cls)
        if len(_cache) > 512:  # bound memory if someone edits files in a long-lived process
            _cache.clear()
        _cache[key] = cached
    return copy.deepcopy(cached)  # type: ignore[return-value]


def parse_front_matter(text: str, path: Path | str, *, required: bool = False) -> tuple[dict[str, Any], str]:
    """Split Markdown into (front matter mapping, body).

    Front matter is a YAML mapping between a first line `---` and the next line
    that is exactly `---` (or `...`). Without front matter the result is
    `({}, text)` unless `required` is set. Line numbers in errors are file lines.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        if required:
            raise DataFileError(str(path), "missing YAML front matter: the file must start with a '---' line", line=1)
        return {}, text
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() in ("---", "..."):
            closing = index
            break
    else:
        raise DataFileError(str(path), "front matter opened with '---' on line 1 is never closed", line=1)
    yaml_text = "".join(lines[1:closing])
    # Front matter starts on file line 2, so node lines are shifted by one.
    data, node = _compose(yaml_text, path, line_offset=1)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DataFileError(
            str(path), f"front matter must be a YAML mapping, got {type(data).__name__}", line=2
        )
    body = "".join(lines[closing + 1 :])
    located = FrontMatter(data)
    located.node, located.line_offset = node, 1
    return located, body


def load_front_matter_model(path: Path | str, model_cls: type[ModelT]) -> tuple[ModelT, str]:
    """Read a Markdown file and validate its front matter as `model_cls`; returns (model, body)."""
    path = Path(path)
    text = _read_text(path)
    meta, body = parse_front_matter(text, path, required=True)
    # Re-compose the front matter for line numbers; it is small and this path is cold.
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    closing = next(i for i in range(1, len(lines)) if lines[i].rstrip("\r\n").rstrip() in ("---", "..."))
    _, node = _compose("".join(lines[1:closing]), path, line_offset=1)
    return validate_data(meta, model_cls, path, node, line_offset=1), body


def unknown_id_message(kind: str, wanted: str, known: list[str]) -> str:
    """'unknown problem 'fraud'; did you mean: bank_fraud_detection? Known: ...' for NotFoundError."""
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.5)
    # Fragments like "fraud" are too short for difflib's ratio but are obvious matches.
    close += [k for k in known if wanted and wanted.lower() in k and k not in close][: 5 - len(close)]
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    listing = f" Known: {', '.join(known)}." if known else ""
    return f"unknown {kind} '{wanted}'{hint}{listing}"


class ErrorCollector:
    """Checks many files and keeps one DataFileError per broken file instead of stopping at the first.

    Given the folder the files live in, a missing folder is the first (and then only) error.
    """

    def __init__(self, directory: Path | None = None, what: str = "content") -> None:
        self.errors: list[DataFileError] = []
        if directory is not None and not directory.is_dir():
            self.errors.append(DataFileError(str(directory), f"{what} directory not found"))

    def load(self, loader, *args):
        """`loader(*args)`, or None with its DataFileError kept."""
        try:
            return loader(*args)
        except DataFileError as exc:
            self.errors.append(exc)
            return None
