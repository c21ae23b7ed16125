"""Judgement as probabilities: what the model's answer tokens say, and one calibrated confidence
per item from that and what code knows exactly.

The model's argmax is a poor judge (a 1.5B model says `true` to most of what it is asked); the
probability it puts on its answer token (read by `extract/llm/logprobs.py`) is a signal, and a
logistic model fitted on the development gold (`benchmarks/calibrate.py` →
`prompts/calibration.json`) combines it with exact features into the item's `confidence`.
Endpoints that return no log-probabilities fall back to the boolean answer, with a model fitted
for that case.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache

from extract.llm.prompting import PROMPTS_DIR

CALIBRATION_FILE = "calibration.json"

# --- calibration -------------------------------------------------------------------------------

def logit(p: float | None, floor: float = 1e-4) -> float:
    if p is None:
        return 0.0
    p = min(max(p, floor), 1 - floor)
    return math.log(p / (1 - p))


def _softplus(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


@dataclass(frozen=True)
class Calibrator:
    """A logistic model over named features, s = sigmoid(bias + Σ w·x), and where `tails` is
    given a beta-calibration map on top (Kull et al. 2017): confidence = sigmoid(c + a·ln s −
    b·ln(1 − s)) with (a, b, c) = tails. With a = b it is Platt's scaling; a ≠ b lets the low and
    the high end of the scale be stretched differently."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    tails: tuple[float, float, float] | None = None

    def __call__(self, x: dict[str, float]) -> float:
        z = self.bias + sum(w * float(x.get(f, 0.0)) for f, w in zip(self.features, self.weights))
        if self.tails is not None:
            a, b, c = self.tails  # ln s = −softplus(−z), −ln(1 − s) = softplus(z)
            z = c - a * _softplus(-z) + b * _softplus(z)
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


@dataclass(frozen=True)
class KindCalibration:
    with_logprobs: Calibrator
    boolean: Calibrator  # the endpoint returned no log-probabilities
    # The default cuts, one per variant: each the one that maximised its F1 on the development
    # gold (leave-one-page-out).
    threshold: float
    boolean_threshold: float


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
            threshold=float(spec["with_logprobs"]["threshold"]),
            boolean_threshold=float(spec["boolean"]["threshold"]),
        )
    return out


def _calibrator(spec: dict) -> Calibrator:
    names = tuple(spec["weights"])
    tails = spec.get("tails")
    return Calibrator(names, tuple(float(spec["weights"][n]) for n in names), float(spec["bias"]),
                      (float(tails["a"]), float(tails["b"]), float(tails["c"])) if tails else None)


_PLAIN = KindCalibration(Calibrator(("model_logit",), (1.0,), 0.0), Calibrator(("model_yes",), (4.0,), -2.0), 0.5, 0.5)


def confidence(kind: str, features: dict[str, float]) -> float:
    """The calibrated probability that an item of `kind` with these features is right."""
    cal = calibration().get(kind, _PLAIN)
    model = cal.with_logprobs if features.get("has_logprobs") else cal.boolean
    return round(model(features), 4)


def threshold(kind: str, with_logprobs: bool = True) -> float:
    """The default cut for items of `kind` judged with log-probabilities, or (False) by the
    boolean answer alone."""
    cal = calibration().get(kind, _PLAIN)
    return cal.threshold if with_logprobs else cal.boolean_threshold


def model_features(p: float | None, said_yes: bool) -> dict[str, float]:
    """The model's part of an item's features: its probability (as a logit) when the endpoint
    gave one, else only its boolean answer."""
    return {"has_logprobs": float(p is not None), "model_logit": logit(p) if p is not None else 0.0,
            "model_yes": float(said_yes)}
