"""Secrets never reach a message the tool writes: records' errors, logs, summaries.

`register_secret` is called with the API key in use (by `LLMClient`); `redact` replaces every
registered secret, and anything shaped like a bearer token or an `sk-…` key, with `***`.
"""
from __future__ import annotations

import re
import threading

_lock = threading.Lock()
_secrets: set[str] = set()
# Key-shaped strings: OpenAI-style keys and bearer tokens, whoever's they are.
_SHAPED = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}|(?i:bearer)\s+[A-Za-z0-9._~+/\-]{8,}=*")
MASK = "***"
_PLACEHOLDERS = {"not-needed", "local"}


def register_secret(secret: str | None) -> None:
    """Remember `secret` (an API key) so that `redact` hides it; short or placeholder keys are
    not secrets (redacting "x" would mangle every message)."""
    if not secret or len(secret) < 4 or secret in _PLACEHOLDERS:
        return
    with _lock:
        _secrets.add(secret)


def redact(text: str) -> str:
    """`text` with every registered secret and key-shaped string replaced by `***`."""
    if not text:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, MASK)
    return _SHAPED.sub(MASK, text)
