"""The answer tokens' log-probabilities: each decision's probability, tied to its item.

The model answers each decision with a JSON boolean (`"is_policy": true`), by pointing at a
sentence (`"id": 3`), or (targets, one question per clause) with 是 or 否 as the first token of a
plain reply (`first_token_yes`). Code reads the probability the model put on that token from the
completion's `logprobs` (OpenAI format; llama.cpp reports pre-sampling probabilities, so a JSON
grammar does not bias them) and sets it as the item's `p`; `extract/kinds/judgement.py` turns it
into a calibrated confidence.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_KEY = re.compile(r'"([A-Za-z_][A-Za-z_0-9]*)"\s*:\s*$')
_ID = re.compile(r'"id"\s*:\s*(\d+)\s*[,}]')


@dataclass(frozen=True)
class Decision:
    """One decision token of an answer: the key it answers, the id of the item it belongs to
    (the last `"id": n` before it), and the probability of `true` (booleans) or of the token
    chosen (ids)."""

    key: str
    item_id: int | None
    p: float


def _token_probs(entry: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for alt in entry.get("top_logprobs") or []:
        tok = (alt.get("token") or "").strip().lower()
        out[tok] = out.get(tok, 0.0) + math.exp(alt.get("logprob", -100.0))
    return out


def _p_true(entry: dict) -> float | None:
    """P(true) over P(true)+P(false) from the top alternatives at a boolean value's first token
    (`true`, ` true`, `t` … all count as true)."""
    yes = no = 0.0
    for tok, p in _token_probs(entry).items():
        if tok and "true".startswith(tok[:4]) and tok[0] == "t":
            yes += p
        elif tok and "false".startswith(tok[:5]) and tok[0] == "f":
            no += p
    if yes + no <= 0.0:
        return None
    return yes / (yes + no)


def decisions(logprobs: Any) -> list[Decision]:
    """The decisions in a completion's `choices[0].logprobs` (OpenAI format: `content`, a list
    of tokens each with `token`, `logprob`, `top_logprobs`). Empty when there are none."""
    content = _content(logprobs)
    out: list[Decision] = []
    text = ""
    for entry in content:
        tok = entry.get("token") or ""
        key = _KEY.search(text[-40:])
        stripped = tok.strip()
        if key and stripped:
            item = _last_id(text[-200:])
            if stripped[0] in "tf" and key.group(1) != "id":
                p = _p_true(entry)
                if p is not None:
                    out.append(Decision(key.group(1), item, p))
            elif stripped[0].isdigit() and key.group(1) == "id":
                out.append(Decision("id", None, math.exp(entry.get("logprob", -100.0))))
        text += tok
    # An id's own decision is known once its digits are read: fill in which id it was.
    ids = [int(m.group(1)) for m in _ID.finditer(text)]
    it = iter(ids)
    return [Decision(d.key, next(it, None), d.p) if d.key == "id" else d for d in out]


def _last_id(text: str) -> int | None:
    found = None
    for m in _ID.finditer(text):
        found = int(m.group(1))
    return found


def _content(logprobs: Any) -> list[dict]:
    if logprobs is None:
        return []
    if hasattr(logprobs, "model_dump"):
        logprobs = logprobs.model_dump()
    if isinstance(logprobs, dict):
        return list(logprobs.get("content") or [])
    return []


def attach(answer: Any, found: list[Decision], key: str) -> int:
    """Set `p` on each answer item from the decision `key` that belongs to its id (first one);
    returns how many items got one."""
    by_id: dict[int, float] = {}
    for d in found:
        if d.key == key and d.item_id is not None and d.item_id not in by_id:
            by_id[d.item_id] = d.p
    n = 0
    for item in getattr(answer, "items", []) or []:
        if getattr(item, "id", None) in by_id:
            item.p = by_id[item.id]
            n += 1
    return n


def first_token_yes(logprobs: Any) -> float | None:
    """P(是) / (P(是) + P(否)) among the top alternatives at a plain answer's first token (是, 否,
    不是 …; yes/no in English count too); None without log-probabilities or with neither there."""
    content = _content(logprobs)
    if not content:
        return None
    yes = no = 0.0
    for tok, p in _token_probs(content[0]).items():
        if tok.startswith(("是", "yes", "对")):
            yes += p
        elif tok.startswith(("否", "不", "no")):
            no += p
    return yes / (yes + no) if yes + no > 0.0 else None


def said_yes(content: str | None) -> bool | None:
    """The plain answer's verdict (是 / 否), or None when it is neither."""
    text = (content or "").strip().lstrip("“\"'「*").lower()
    if text.startswith(("是", "yes", "对")):
        return True
    if text.startswith(("否", "不", "no")):
        return False
    return None


# The key each kind's answer decides on; the answer's probability is that token's.
# (Targets are asked one clause at a time, answered in one token: `first_token_yes`.)
DECISION_KEYS = {"policies": "is_policy", "meetings": "id", "measures": "id"}
