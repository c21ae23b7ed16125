"""Judgement as probabilities: what the model's answer tokens say, and one calibrated confidence
per item from that and what code knows exactly.

The model answers each decision with a JSON boolean (`"is_target": true`) or by pointing at a
sentence (`"id": 3`). Its argmax is a poor judge (a 1.5B model says `true` to ~90% of what it is
asked), but the probability it puts on the answer token ranks items well. Code reads that
probability from the completion's `logprobs` (llama.cpp reports pre-sampling probabilities, so a
JSON grammar does not bias them), and a logistic model fitted on the development gold
(`benchmarks/calibrate.py` → `prompts/calibration.json`) combines it with exact features into
the item's `confidence`. Endpoints that return no log-probabilities fall back to the boolean
answer, with a model fitted for that case.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from extract.prompting import PROMPTS_DIR

CALIBRATION_FILE = "calibration.json"

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


# The key each kind's answer decides on; the answer's probability is that token's.
DECISION_KEYS = {"targets": "is_target", "policies": "is_policy", "meetings": "id", "measures": "id"}


# --- calibration -------------------------------------------------------------------------------

def logit(p: float | None, floor: float = 1e-4) -> float:
    if p is None:
        return 0.0
    p = min(max(p, floor), 1 - floor)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Calibrator:
    """A logistic model over named features: confidence = sigmoid(bias + Σ w·x)."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def __call__(self, x: dict[str, float]) -> float:
        z = self.bias + sum(w * float(x.get(f, 0.0)) for f, w in zip(self.features, self.weights))
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


@dataclass(frozen=True)
class KindCalibration:
    with_logprobs: Calibrator
    boolean: Calibrator  # the endpoint returned no log-probabilities
    threshold: float  # the default cut: the one that maximised F1 on the development gold


@lru_cache(maxsize=None)
def calibration() -> dict[str, KindCalibration]:
    """The fitted models per kind (`prompts/calibration.json`); a kind that has none there gets
    its features' plain default (model probability alone, cut 0.5)."""
    path = PROMPTS_DIR / CALIBRATION_FILE
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    out: dict[str, KindCalibration] = {}
    for kind, spec in (data.get("kinds") or {}).items():
        out[kind] = KindCalibration(
            with_logprobs=_calibrator(spec["with_logprobs"]),
            boolean=_calibrator(spec["boolean"]),
            threshold=float(spec["threshold"]),
        )
    return out


def _calibrator(spec: dict) -> Calibrator:
    names = tuple(spec["weights"])
    return Calibrator(names, tuple(float(spec["weights"][n]) for n in names), float(spec["bias"]))


_PLAIN = KindCalibration(Calibrator(("model_logit",), (1.0,), 0.0), Calibrator(("model_yes",), (4.0,), -2.0), 0.5)


def confidence(kind: str, features: dict[str, float]) -> float:
    """The calibrated probability that an item of `kind` with these features is right."""
    cal = calibration().get(kind, _PLAIN)
    model = cal.with_logprobs if features.get("has_logprobs") else cal.boolean
    return round(model(features), 4)


def threshold(kind: str) -> float:
    return calibration().get(kind, _PLAIN).threshold


def model_features(p: float | None, said_yes: bool) -> dict[str, float]:
    """The model's part of an item's features: its probability (as a logit) when the endpoint
    gave one, else only its boolean answer."""
    return {"has_logprobs": float(p is not None), "model_logit": logit(p) if p is not None else 0.0,
            "model_yes": float(said_yes)}


def flags(**named: Any) -> dict[str, float]:
    return {k: float(bool(v)) if isinstance(v, bool) or v is None else float(v) for k, v in named.items()}


def merge(*parts: Iterable[tuple[str, float]] | dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in parts:
        out.update(dict(part))
    return out
