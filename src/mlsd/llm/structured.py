"""Structured output helpers: JSON out of a reply, schema bounds, and readable validation errors."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

STRUCTURED_MODES = ("json_schema", "json_object", "prompt")


def extract_json(text: str) -> Any:
    """Parse a JSON object from a reply that may wrap it in code fences or prose."""
    text = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if start != -1 and end > start:
            return json.loads(text[start : end + 1])
        raise


def response_format_for(schema: type[BaseModel], mode: str) -> dict | None:
    if mode == "json_schema":
        # strict=False: strict mode rejects maxLength/maxItems, which small local models need.
        return {"type": "json_schema",
                "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema(), "strict": False}}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def max_json_chars(schema: dict, defs: dict | None = None) -> int:
    """Upper bound on the serialized size of any instance of a bounded JSON schema.

    Unbounded strings/lists count as 2000 chars so an unbounded schema still gets a finite budget.
    """
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return max_json_chars(defs[schema["$ref"].split("/")[-1]], defs)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return max(max_json_chars(s, defs) for s in schema[key])
    if "enum" in schema:
        return max(len(json.dumps(v)) for v in schema["enum"])
    if "const" in schema:
        return len(json.dumps(schema["const"]))
    kind = schema.get("type")
    if kind == "string":
        return schema.get("maxLength", 2000) + 2
    if kind in ("integer", "number"):
        return 24
    if kind == "boolean" or kind == "null":
        return 5
    if kind == "array":
        return 2 + schema.get("maxItems", 20) * (max_json_chars(schema.get("items", {}), defs) + 2)
    if kind == "object" or "properties" in schema:
        return 2 + sum(len(k) + 6 + max_json_chars(v, defs) for k, v in schema.get("properties", {}).items())
    return 2000


def token_budget(schema: type[BaseModel], cap: int = 4096) -> int:
    """max_tokens that lets a grammar-constrained reply always finish (worst case 1 token per char)."""
    return min(cap, 64 + max_json_chars(schema.model_json_schema()))


def schema_instruction(schema: type[BaseModel]) -> str:
    return ("Reply with only one JSON object, no prose and no code fences, that validates against "
            f"this JSON schema:\n{json.dumps(schema.model_json_schema(), separators=(',', ':'))}")


def validation_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:8]]
        return "; ".join(parts)
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON ({exc.msg} at char {exc.pos})"
    return str(exc)[:500]
