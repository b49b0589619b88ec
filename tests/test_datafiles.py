"""load_yaml_model and parse_front_matter: every failure names the file, the field and the line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mlsd.content.files import (
    FieldValueError,
    content_root,
    format_loc,
    load_front_matter_model,
    load_yaml_model,
    load_yaml_model_cached,
    parse_front_matter,
    unknown_id_message,
)
from mlsd.core.errors import DataFileError


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    minutes: int = Field(ge=0)


class Recipe(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    servings: int
    steps: list[Step] = Field(min_length=1)
    tags: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique_step_names(self) -> Recipe:
        seen = set()
        for index, step in enumerate(self.steps):
            if step.name in seen:
                raise FieldValueError(f"duplicate step '{step.name}'", "steps", index, "name")
            seen.add(step.name)
        return self


GOOD = textwrap.dedent(
    """\
    title: Pancakes
    servings: 4
    steps:
      - name: mix
        minutes: 5
      - name: fry
        minutes: 10
    tags:
      breakfast: 1
    """
)


def write(tmp_path: Path, text: str | bytes, name: str = "recipe.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def line_number(text: str, needle: str) -> int:
    """1-based line of the only line containing `needle` (keeps tests independent of layout)."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(hits) == 1, f"{needle!r} found on lines {hits}"
    return hits[0]


def test_valid_file_loads(tmp_path):
    recipe = load_yaml_model(write(tmp_path, GOOD), Recipe)
    assert recipe.steps[1].name == "fry"
    assert recipe.tags == {"breakfast": 1}


def test_wrong_type_names_file_field_and_line(tmp_path):
    text = GOOD.replace("minutes: 10", "minutes: ten")
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as info:
        load_yaml_model(path, Recipe)
    err = info.value
    assert err.path == str(path)
    assert err.field == "steps[1].minutes"
    assert err.line == line_number(text, "minutes: ten")
    assert f"{path}:{err.line}" in str(err)
    assert "steps[1].minutes" in str(err)
    assert "integer" in str(err)


def test_missing_field_falls_back_to_parent_line(tmp_path):
    text = GOOD.replace("    minutes: 5\n", "")
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as info:
        load_yaml_model(path, Recipe)
    assert info.value.field == "steps[0].minutes"
    assert info.value.line == line_number(text, "name: mix")  # the list item that lacks the field
    assert "Field required" in str(info.value)


def test_extra_field_is_rejected_at_its_line(tmp_path):
    text = GOOD.replace("servings: 4", "servings: 4\nserves: 4")
    with pytest.raises(DataFileError) as info:
        load_yaml_model(write(tmp_path, text), Recipe)
    assert info.value.field == "serves"
    assert info.value.line == line_number(text, "serves: 4")
    assert "Extra inputs are not permitted" in str(info.value)


def test_cross_field_error_points_at_the_offending_field(tmp_path):
    text = GOOD.replace("name: fry", "name: mix")
    with pytest.raises(DataFileError) as info:
        load_yaml_model(write(tmp_path, text), Recipe)
    assert info.value.field == "steps[1].name"
    assert info.value.line == line_number(text, "minutes: 10") - 1
    assert "duplicate step 'mix'" in str(info.value)
    assert "Value error" not in str(info.value)


def test_several_errors_are_listed_in_one_exception(tmp_path):
    text = GOOD.replace("servings: 4", "servings: many").replace("minutes: 10", "minutes: -1")
    with pytest.raises(DataFileError) as info:
        load_yaml_model(write(tmp_path, text), Recipe)
    err = info.value
    assert err.field == "servings" and err.line == line_number(text, "servings: many")
    message = str(err)
    assert "2 validation errors" in message
    assert f"line {line_number(text, 'servings: many')} [servings]" in message
    assert f"line {line_number(text, 'minutes: -1')} [steps[1].minutes]" in message


def test_yaml_syntax_error_reports_line(tmp_path):
    text = GOOD.replace("servings: 4", "servings: [4")
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as info:
        load_yaml_model(path, Recipe)
    assert "YAML syntax error" in str(info.value)
    assert info.value.path == str(path)
    assert info.value.line is not None and info.value.line >= line_number(text, "servings: [4")


def test_non_utf8_reports_byte_offset(tmp_path):
    raw = GOOD.encode("utf-8").replace(b"Pancakes", b"Pan\xffcakes")
    path = write(tmp_path, raw)
    with pytest.raises(DataFileError) as info:
        load_yaml_model(path, Recipe)
    offset = raw.index(b"\xff")
    assert f"byte offset {offset}" in str(info.value)
    assert str(path) in str(info.value)
    assert info.value.line == 1


def test_duplicate_yaml_key_is_an_error(tmp_path):
    text = GOOD + "servings: 6\n"
    with pytest.raises(DataFileError) as info:
        load_yaml_model(write(tmp_path, text), Recipe)
    assert "duplicate key 'servings'" in str(info.value)
    assert info.value.line == line_number(text, "servings: 6")


def test_empty_file_and_wrong_top_level(tmp_path):
    with pytest.raises(DataFileError, match="empty"):
        load_yaml_model(write(tmp_path, "# nothing here\n"), Recipe)
    with pytest.raises(DataFileError, match="mapping"):
        load_yaml_model(write(tmp_path, "- a\n- b\n", "list.yaml"), Recipe)


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match="not found"):
        load_yaml_model(tmp_path / "absent.yaml", Recipe)


def test_bom_is_tolerated(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf" + GOOD.encode())
    assert load_yaml_model(path, Recipe).title == "Pancakes"


def test_dict_key_errors_are_located(tmp_path):
    class Levels(BaseModel):
        levels: dict[int, str]

    text = "levels:\n  0: none\n  two: good\n"
    with pytest.raises(DataFileError) as info:
        load_yaml_model(write(tmp_path, text), Levels)
    assert info.value.field == "levels.two[key]"
    assert info.value.line == 3


def test_cached_loader_sees_edits_and_returns_copies(tmp_path):
    path = write(tmp_path, GOOD)
    first = load_yaml_model_cached(path, Recipe)
    first.steps.clear()  # mutating a result must not poison the cache
    assert len(load_yaml_model_cached(path, Recipe).steps) == 2
    path.write_text(GOOD.replace("Pancakes", "Crepes and more"), encoding="utf-8")
    assert load_yaml_model_cached(path, Recipe).title == "Crepes and more"


def test_format_loc():
    assert format_loc(("dimensions", 2, "criteria", 0, "levels")) == "dimensions[2].criteria[0].levels"
    assert format_loc(("followups", "data", 3)) == "followups.data[3]"
    assert format_loc(()) == ""


def test_content_root_precedence(tmp_path, monkeypatch):
    assert (content_root() / "src" / "mlsd").is_dir()  # defaults to the repository root
    monkeypatch.setenv("MLSD_CONTENT_DIR", str(tmp_path))
    assert content_root() == tmp_path
    assert content_root(tmp_path / "x") == tmp_path / "x"


def test_unknown_id_message_suggests_close_and_substring_matches():
    message = unknown_id_message("problem", "fraud", ["bank_fraud_detection", "search_ranking"])
    assert "did you mean: bank_fraud_detection" in message
    assert "search_ranking" in message  # the full list is still given


# --- front matter ---


NOTE = "---\ntitle: Class imbalance\ntags: [data]\n---\n# Class imbalance\n\nBody text.\n"


def test_front_matter_split():
    meta, body = parse_front_matter(NOTE, "note.md")
    assert meta == {"title": "Class imbalance", "tags": ["data"]}
    assert body.startswith("# Class imbalance")


def test_front_matter_absent_is_optional_unless_required():
    assert parse_front_matter("# Just text\n", "n.md") == ({}, "# Just text\n")
    with pytest.raises(DataFileError, match="missing YAML front matter"):
        parse_front_matter("# Just text\n", "n.md", required=True)


def test_front_matter_unclosed():
    with pytest.raises(DataFileError, match="never closed"):
        parse_front_matter("---\ntitle: x\n# body\n", "n.md")


def test_front_matter_syntax_error_uses_file_lines():
    text = "---\ntitle: ok\ntags: [data\n---\nbody\n"
    with pytest.raises(DataFileError) as info:
        parse_front_matter(text, "n.md")
    assert info.value.path == "n.md"
    assert info.value.line is not None and info.value.line >= 3


def test_front_matter_must_be_mapping():
    with pytest.raises(DataFileError, match="mapping"):
        parse_front_matter("---\n- a\n---\nbody\n", "n.md")


def test_front_matter_model_errors_have_file_lines(tmp_path):
    class Note(BaseModel):
        model_config = ConfigDict(extra="forbid")
        title: str
        tags: list[str]

    path = write(tmp_path, "---\ntitle: x\ntags: 5\n---\nbody\n", "note.md")
    with pytest.raises(DataFileError) as info:
        load_front_matter_model(path, Note)
    assert info.value.field == "tags"
    assert info.value.line == 3
    note, body = load_front_matter_model(write(tmp_path, NOTE, "ok.md"), Note)
    assert note.title == "Class imbalance" and "Body text." in body
