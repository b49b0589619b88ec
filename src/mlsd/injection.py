"""Spotting attempts to steer the grader or the interviewer from inside candidate text.

Candidate text is data, never instructions. The LLM prompts delimit it with a random nonce; this
module flags the text that tries anyway, so the grader can report it and the evidence engine can
refuse to count it. Checks run on a normalised copy (case folded, spacing and leetspeak undone,
base64/hex blobs decoded) so trivial encodings do not slip through.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata

_PATTERNS = [
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(previous|prior|above|earlier|all|any|your|the)\b.{0,30}"
    r"\b(instructions?|prompts?|rules?|rubric|guidelines?|directions?|system)\b",
    r"\b(new|updated|real|actual)\s+(instructions?|system prompt|rules)\b",
    r"\byou\s+(are|will)\s+now\b|\bact\s+as\b.{0,30}\b(grader|evaluator|system|admin|developer)\b",
    r"^\W*(system|developer|assistant|grader|evaluator|interviewer)\s*(prompt|message|note|override)?\s*:",
    r"\b(system|developer|grader|evaluator)\s+(prompt|message|note|override)\s*:",
    r"\b(give|award|assign|grant|rate|score|grade|mark)\b.{0,40}\b(full|maximum|max|perfect|top|highest|100|10/10|"
    r"level 3|strong hire|hire)\b",
    r"\b(score|level|overall|rating|grade)\"?\s*[:=]\s*\"?(100|3|10|strong)",
    r"\bstrong[_ ]hire\b",
    r"\"(overall|level|status|covered|hire_band|band)\"\s*:",
    r"</?\s*(transcript|candidate|system|instructions?|rubric|data)[^>]{0,40}>",
    r"<<<|>>>|\[/?(inst|system|sys)\]|<\|im_(start|end)\|>|<\|.*?\|>",
    r"\b(reveal|show|print|tell me|leak|output)\b.{0,40}\b(hidden|secret|system prompt|spec|model answer|rubric|"
    r"answer key|instructions)\b",
    r"\bthe (grader|evaluator|interviewer|model) (must|should|will) (give|rate|score|mark|pass)\b",
    r"\bpretend\b.{0,40}\b(covered|answered|perfect)\b",
    r"\b(end|close) of (transcript|candidate (text|answer|input))\b",
    r"\bdo not (grade|evaluate|score) (this|the following|honestly)\b",
]
_COMPILED = [re.compile(p, re.I | re.M | re.S) for p in _PATTERNS]
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_B64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}){8,}\b")


def _variants(text: str) -> list[str]:
    norm = unicodedata.normalize("NFKC", text)
    norm = "".join(ch for ch in norm if unicodedata.category(ch) != "Cf")  # zero-width characters
    out = [norm, norm.translate(_LEET)]
    # "i g n o r e  a l l" -> "ignore all"
    if re.search(r"(?:\b\w\s){4,}", norm):
        out.append(re.sub(r"(?<=\b\w) (?=\w\b)", "", norm))
    for blob in _B64.findall(norm):
        try:
            decoded = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if decoded.isprintable():
            out.append(decoded)
    for blob in _HEX.findall(norm):
        try:
            out.append(bytes.fromhex(blob).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
    try:
        import codecs

        out.append(codecs.decode(norm, "rot13"))
    except Exception:
        pass
    return out


def injection_reasons(text: str) -> list[str]:
    """The patterns a text matches (empty when it looks like ordinary candidate speech)."""
    found = []
    for variant in _variants(text):
        for pattern in _COMPILED:
            m = pattern.search(variant)
            if m:
                found.append(m.group(0)[:80])
    return list(dict.fromkeys(found))


def looks_like_injection(text: str) -> bool:
    return bool(injection_reasons(text))
