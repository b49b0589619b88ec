"""Keep secrets out of everything we print, log, store or export."""

from __future__ import annotations

import re

# Shapes of common API keys, as a second line of defence behind exact-value scrubbing.
_KEY_SHAPES = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,}|Bearer\s+[A-Za-z0-9._\-]{8,})")


def redact(text: str, *secrets: str | None) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "****")
    return _KEY_SHAPES.sub("****", text)
