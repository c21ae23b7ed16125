"""Judgement as probabilities: what the model's answer tokens say, and one calibrated confidence
per item from that and what code knows exactly.

The model's argmax is a poor judge (a 1.5B model says `true` to most of what it is asked); the
probability it puts on its answer token (read by `extract/llm/logprobs.py`) is a signal, and a
logistic model fitted on the development gold (`benchmarks/calibrate.py` →
`prompts/calibration.json`) combines it with exact features into the item's `confidence`.
Endpoints that return no log-probabilities fall back to the boolean answer, with a model fitted
for that case. A user's own fit (`extract calibrate`, from their runs and curated gold, by
`extract/kinds/fit.py` as the shipped one) replaces it per extractor (`Options(calibration=…)`).
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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


@dataclass(frozen=True)
class Calibration:
    """A calibration file: the fitted models per kind, and what they were fitted for. The
    shipped one (`prompts/calibration.json`, fitted on the development gold for the embedded
    model) or a user's (`extract calibrate`, on their runs and curated gold); chosen per
    extractor (`Options(calibration=…)`), never process-wide."""

    kinds: tuple[tuple[str, KindCalibration], ...]
    version: str | None = None  # the file's content hash
    model: str | None = None  # the model whose answers it was fitted on
    prompt_version: str | None = None  # the prompt version of the runs it was fitted on
    path: str | None = None  # where it was read (None: the shipped file)
    shipped: bool = False
    prompts: tuple[tuple[str, str], ...] = ()  # each kind's prompt version at the fit
    fallback: tuple[str, ...] = ()  # kinds that kept the shipped fit (too little gold for them)

    def get(self, kind: str) -> KindCalibration:
        """The kind's models; a kind that has none gets its features' plain default (model
        probability alone, cut 0.5)."""
        return next((c for k, c in self.kinds if k == kind), _PLAIN)

    def confidence(self, kind: str, features: dict[str, float]) -> float:
        cal = self.get(kind)
        model = cal.with_logprobs if features.get("has_logprobs") else cal.boolean
        return round(model(features), 4)

    def threshold(self, kind: str, with_logprobs: bool = True) -> float:
        cal = self.get(kind)
        return cal.threshold if with_logprobs else cal.boolean_threshold

    @property
    def name(self) -> str:
        """How a summary names it: the file and its version."""
        where = "the shipped calibration" if self.shipped else f"calibration {self.path}"
        return f"{where} (version {self.version})"


class CalibrationFileError(ValueError):
    """A calibration file that cannot be used: the message names the file and what is wrong."""


def parse_calibration(data: dict, path: str | None = None, shipped: bool = False) -> Calibration:
    """A calibration file's content (as `extract calibrate` and benchmarks/calibrate.py write
    it) as a `Calibration`."""
    kinds = []
    prompts = []
    for kind, spec in (data.get("kinds") or {}).items():
        kinds.append((kind, KindCalibration(
            with_logprobs=_calibrator(spec["with_logprobs"]),
            boolean=_calibrator(spec["boolean"]),
            threshold=float(spec["with_logprobs"]["threshold"]),
            boolean_threshold=float(spec["boolean"]["threshold"]),
        )))
        if spec.get("prompt"):
            prompts.append((kind, str(spec["prompt"])))
    return Calibration(tuple(kinds), version=data.get("version"), model=data.get("model"),
                       prompt_version=data.get("prompt_version"), path=path, shipped=shipped,
                       prompts=tuple(prompts), fallback=tuple(sorted(data.get("fallback") or ())))


def load_calibration(path: str | os.PathLike[str]) -> Calibration:
    """A calibration file written by `extract calibrate`; `CalibrationFileError` (one line naming
    the file) when it cannot be read or is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalibrationFileError(f"calibration {path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CalibrationFileError(f"calibration {path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict) or not data["kinds"]:
        raise CalibrationFileError(f"calibration {path}: no fitted kinds; write one with `extract calibrate`")
    try:
        return parse_calibration(data, str(path))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CalibrationFileError(f"calibration {path}: malformed ({type(exc).__name__}: {exc}); "
                                   "write it again with `extract calibrate`") from None


@lru_cache(maxsize=None)
def shipped_calibration() -> Calibration:
    """`prompts/calibration.json`: fitted on the development gold for the embedded model."""
    path = PROMPTS_DIR / CALIBRATION_FILE
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return parse_calibration(data, shipped=True)


def resolve_calibration(given: "Calibration | str | os.PathLike[str] | None") -> Calibration:
    """What `Options(calibration=…)` names: a `Calibration`, a file, or None (the shipped one)."""
    if given is None:
        return shipped_calibration()
    if isinstance(given, Calibration):
        return given
    return load_calibration(given)


def calibration() -> dict[str, KindCalibration]:
    """The shipped models per kind (`prompts/calibration.json`)."""
    return dict(shipped_calibration().kinds)


def _calibrator(spec: dict) -> Calibrator:
    names = tuple(spec["weights"])
    tails = spec.get("tails")
    return Calibrator(names, tuple(float(spec["weights"][n]) for n in names), float(spec["bias"]),
                      (float(tails["a"]), float(tails["b"]), float(tails["c"])) if tails else None)


_PLAIN = KindCalibration(Calibrator(("model_logit",), (1.0,), 0.0), Calibrator(("model_yes",), (4.0,), -2.0), 0.5, 0.5)


def confidence(kind: str, features: dict[str, float], cal: Calibration | None = None) -> float:
    """The calibrated probability that an item of `kind` with these features is right (by
    `cal`, else the shipped calibration)."""
    return (cal or shipped_calibration()).confidence(kind, features)


def threshold(kind: str, with_logprobs: bool = True, cal: Calibration | None = None) -> float:
    """The default cut for items of `kind` judged with log-probabilities, or (False) by the
    boolean answer alone (by `cal`, else the shipped calibration)."""
    return (cal or shipped_calibration()).threshold(kind, with_logprobs)


def model_features(p: float | None, said_yes: bool) -> dict[str, float]:
    """The model's part of an item's features: its probability (as a logit) when the endpoint
    gave one, else only its boolean answer."""
    return {"has_logprobs": float(p is not None), "model_logit": logit(p) if p is not None else 0.0,
            "model_yes": float(said_yes)}
