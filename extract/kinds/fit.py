"""Fitting the calibrated decisions: the one implementation behind `prompts/calibration.json`
(`python -m benchmarks.calibrate`, on the development gold) and `extract calibrate` (on a
user's runs and curated gold). `extract/kinds/judgement.py` applies what this module fits.

Rows are judged items with their features and a label: right (1) when the item matches a required
gold item (spec §3), wrong (0) when it matches none; items matching an optional gold item are
left out before they get here (`extract/review/calibrate.py` labels them). Per kind, a logistic
regression (L2, Newton's method) over the features gives the confidence: one model with the
model's log-probability, one for endpoints that return only the boolean. The ridge squeezes the
logits, so a map fitted on the held-out logits of the same rows undoes it: beta calibration
(a·ln s − b·ln(1 − s) + c, three numbers: the low and the high end stretched apart) where the
kind's rarer label has EVENTS_PER_PARAMETER items for each of them, else Platt's step (a scale and
a shift, folded into the weights). Figures are leave-one-source-out: each source (a page, or the
pages left out together) is scored by a model (weights and map) fitted on all the others; the
default cut is the one that maximises that F1.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

KINDS = ("policies", "targets", "meetings")  # extract.review.match.KINDS (a later stage)

L2 = 1.0  # ridge penalty: a few hundred items per kind, some features rare
L2_BIAS = 0.1  # a light one on the intercept: a kind whose dev items are all right stays finite
# The prior each weight is pulled towards: the model's own probability taken at its word
# (weight 1 on its logit), nothing else. Where the gold has too few wrong items to say more (the
# policies), the confidence stays the model's probability, shifted.
PRIOR = {"model_logit": 1.0}
# The usual rule of thumb for a logistic fit: about 20 items of the rarer label per parameter.
# The targets (120 right of 557) afford the three-parameter beta map; the meetings (12 wrong of
# 54) only Platt's two, and more freedom there fits the noise (LOPO log-loss 0.34 against 0.30).
EVENTS_PER_PARAMETER = 20
BANDS = [i / 10 for i in range(11)]


@dataclass
class Row:
    page: str  # set/source: the unit left out
    kind: str
    features: dict[str, float]
    label: int
    group: str = ""  # the source left out together (`extract calibrate --groups`)


def feature_names(rows: list[Row], with_logprobs: bool) -> list[str]:
    names = sorted({f for r in rows for f in r.features} - {"has_logprobs"})
    # One reading of the model per variant: its probability, or (no log-probabilities) its
    # boolean. Both at once let the fit trade one against the other and made the confidence
    # fall where the model's probability rose past one half.
    names = [n for n in names if n != ("model_yes" if with_logprobs else "model_logit")]
    # A feature constant over the data says nothing (and cannot be fitted).
    return [n for n in names if len({r.features.get(n, 0.0) for r in rows}) > 1]


def fit(X: np.ndarray, y: np.ndarray, names: list[str], l2: float = L2) -> np.ndarray:
    """Logistic regression by Newton's method, each weight pulled towards its PRIOR (column 0,
    the intercept, lightly towards 0)."""
    prior = np.array([0.0, *(PRIOR.get(n, 0.0) for n in names)])
    penalty = np.full(X.shape[1], l2)
    penalty[0] = L2_BIAS

    def loss(w: np.ndarray) -> float:
        z = np.clip(X @ w, -40, 40)
        return float(np.sum(np.logaddexp(0, z) - y * z) + 0.5 * np.sum(penalty * (w - prior) ** 2))

    w = np.zeros(X.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(X @ w, -40, 40)))
        grad = X.T @ (p - y) + penalty * (w - prior)
        hess = (X.T * (p * (1 - p))) @ X + np.diag(penalty) + 1e-9 * np.eye(X.shape[1])
        step = np.linalg.solve(hess, grad)
        t = 1.0  # backtracking: a full Newton step can overshoot where probabilities saturate
        while t > 1e-4 and loss(w - t * step) > loss(w):
            t /= 2
        w = w - t * step
        if np.max(np.abs(t * step)) < 1e-8:
            break
    return w


def design(rows: list[Row], names: list[str]) -> np.ndarray:
    return np.array([[1.0, *(r.features.get(n, 0.0) for n in names)] for r in rows])


def predict(w: np.ndarray, X: np.ndarray, tails: tuple[float, float, float] | None = None) -> np.ndarray:
    z = X @ w
    if tails is not None:
        z = beta_logit(z, tails)
    return 1 / (1 + np.exp(-np.clip(z, -40, 40)))


def beta_logit(z: np.ndarray, tails: tuple[float, float, float]) -> np.ndarray:
    """The beta map's logit of s = sigmoid(z): c + a·ln s − b·ln(1 − s), as softplus terms."""
    a, b, c = tails
    return c - a * np.logaddexp(0, -z) + b * np.logaddexp(0, z)


def beta_map(z: np.ndarray, y: np.ndarray) -> tuple[float, float, float] | None:
    """Beta calibration (Kull, Silva Filho and Flach 2017) of the logits z: (a, b, c) fitted by
    Newton's method, starting from (and lightly pulled towards) the identity (1, 1, 0). Platt's
    step is its special case a = b; with a ≠ b the items near 0 (most target candidates) and
    those near 1 are rescaled each on their own. None where a or b comes out ≤ 0 (not monotone)."""
    Z = np.column_stack([-np.logaddexp(0, -z), np.logaddexp(0, z), np.ones_like(z)])
    start = np.array([1.0, 1.0, 0.0])
    t = start.copy()
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(Z @ t, -40, 40)))
        grad = Z.T @ (p - y) + 1e-3 * (t - start)
        hess = (Z.T * (p * (1 - p))) @ Z + 1e-3 * np.eye(3)
        step = np.linalg.solve(hess, grad)
        t = t - step
        if np.max(np.abs(step)) < 1e-9:
            break
    return (float(t[0]), float(t[1]), float(t[2])) if t[0] > 0 and t[1] > 0 else None


def rescale(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's step: the scale and shift of the logit that fit the labels best. The ridge
    pulls every weight towards its prior, which squeezes the logits (confidences 0.5–0.7 that
    are right 0.8 of the time); fitted on scores of items the model did not see, the two
    numbers undo the squeeze without refitting the weights."""
    Z = np.column_stack([np.ones_like(z), z])
    ab = np.array([0.0, 1.0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(Z @ ab, -40, 40)))
        grad = Z.T @ (p - y) + 1e-3 * (ab - [0.0, 1.0])
        hess = (Z.T * (p * (1 - p))) @ Z + 1e-3 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        ab = ab - step
        if np.max(np.abs(step)) < 1e-9:
            break
    return float(ab[1]), float(ab[0])


def _out_of_page_logits(X: np.ndarray, y: np.ndarray, pages: np.ndarray, names: list[str], l2: float) -> np.ndarray:
    z = np.zeros(len(y))
    for page in np.unique(pages):
        test = pages == page
        z[test] = 0.0 if test.all() else X[test] @ fit(X[~test], y[~test], names, l2)
    return z


Fitted = tuple[np.ndarray, "tuple[float, float, float] | None"]  # the weights, the beta map's tails


def fit_scaled(X: np.ndarray, y: np.ndarray, pages: np.ndarray, names: list[str], l2: float = L2) -> Fitted:
    """The weights, then the map fitted on their leave-one-page-out logits: the beta map where
    the data afford its three numbers, else the Platt step, folded into the weights
    (sigmoid(a·(w·x) + b) is again a logistic model). The shipped file's format."""
    w = fit(X, y, names, l2)
    if len(np.unique(pages)) < 3 or len(np.unique(y)) < 2:
        return w, None
    z = _out_of_page_logits(X, y, pages, names, l2)
    if min(y.sum(), len(y) - y.sum()) >= 3 * EVENTS_PER_PARAMETER:
        tails = beta_map(z, y)
        if tails is not None:
            return w, tails
    a, b = rescale(z, y)
    if a <= 0:  # the held-out scores rank backwards: nothing to scale
        return w, None
    w = a * w
    w[0] += b
    return w, None


def leave_one_page_out(rows: list[Row], names: list[str]) -> np.ndarray:
    """Each source scored by the whole fit (weights and map) made without it."""
    pages = np.array([r.group for r in rows])
    out = np.zeros(len(rows))
    X, y = design(rows, names), np.array([r.label for r in rows], dtype=float)
    for page in np.unique(pages):
        test = pages == page
        if test.all():
            out[test] = 0.5
            continue
        w, tails = fit_scaled(X[~test], y[~test], pages[~test], names)
        out[test] = predict(w, X[test], tails)
    return out


def f1_at(conf: np.ndarray, y: np.ndarray, required: int, cut: float) -> tuple[float, float, float]:
    kept = conf >= cut
    tp = int((kept & (y == 1)).sum())
    fp = int((kept & (y == 0)).sum())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / required if required else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def best_cut(conf: np.ndarray, y: np.ndarray, required: int) -> float:
    cuts = [round(c, 2) for c in np.arange(0.05, 0.96, 0.01)]
    # Highest F1; ties go to the middle of the tied run (a cut on a plateau edge is fragile).
    scores = [f1_at(conf, y, required, c)[2] for c in cuts]
    top = max(scores)
    tied = [c for c, s in zip(cuts, scores) if s >= top - 1e-9]
    return tied[len(tied) // 2]


def reliability(conf: np.ndarray, y: np.ndarray) -> list[tuple[str, int, float, float]]:
    out = []
    for lo, hi in zip(BANDS, BANDS[1:]):
        inside = (conf >= lo) & ((conf < hi) if hi < 1 else (conf <= hi))
        if inside.any():
            out.append((f"{lo:.1f}–{hi:.1f}", int(inside.sum()), float(conf[inside].mean()), float(y[inside].mean())))
    return out


def fit_kind(rows: list[Row], need: dict[str, int], report: Callable[[str], None] = print, kind: str = "",
             pools: dict[str, tuple[str, ...]] | None = None) -> dict:
    """One kind's calibration (both variants, each with its weights, map, cut and per-set
    leave-one-source-out F1), its figures reported as Markdown tables. `rows`: the kind's rows,
    each `page` starting with its set's name and "/"; `need`: the required gold items per set
    (recall's denominator)."""
    y = np.array([r.label for r in rows], dtype=float)
    spec: dict = {}
    for variant, with_lp in (("with_logprobs", True), ("boolean", False)):
        names = feature_names(rows, with_lp)
        w, tails = fit_scaled(design(rows, names), y, np.array([r.group for r in rows]), names)
        spec[variant] = {"bias": round(float(w[0]), 4),
                         "weights": {n: round(float(v), 4) for n, v in zip(names, w[1:])}}
        if tails is not None:
            spec[variant]["tails"] = dict(zip("abc", (round(t, 4) for t in tails)))
        lopo = leave_one_page_out(rows, names)
        cut = best_cut(lopo, y, sum(need.values()))
        by_set = {s: np.array([r.page.startswith(s + "/") for r in rows]) for s in need}
        report(f"\n## {kind}, {variant}: {len(rows)} items ({int(y.sum())} right), cut {cut:.2f} "
               f"(leave-one-source-out)")
        report("| set | P | R | F1 at the cut | F1, every item kept |\n|---|---|---|---|---|")
        for s, sel in by_set.items():
            p, r, f = f1_at(lopo[sel], y[sel], need[s], cut)
            f0 = f1_at(lopo[sel], y[sel], need[s], 0.0)[2]
            report(f"| {s} | {p:.3f} | {r:.3f} | {f:.3f} | {f0:.3f} |")
        for pool, members in (pools or {}).items():  # sets reported together (figures only)
            sel = np.array([any(r.page.startswith(m + "/") for m in members) for r in rows])
            total = sum(need.get(m, 0) for m in members)
            p, r, f = f1_at(lopo[sel], y[sel], total, cut)
            report(f"| {pool} (pooled) | {p:.3f} | {r:.3f} | {f:.3f} | {f1_at(lopo[sel], y[sel], total, 0.0)[2]:.3f} |")
        report("| confidence | items | mean confidence | share right |\n|---|---|---|---|")
        for band, n, mean, share in reliability(lopo, y):
            flag = "" if n < 10 or abs(mean - share) <= 0.1 else " (off by > 0.1)"
            report(f"| {band} | {n} | {mean:.2f} | {share:.2f}{flag} |")
        # Each variant its own cut: the boolean's confidences spread differently, and an
        # endpoint without log-probabilities is cut where its own F1 peaks.
        spec[variant]["threshold"] = cut
        spec[variant]["lopo_f1"] = {s: round(f1_at(lopo[sel], y[sel], need[s], cut)[2], 3)
                                    for s, sel in by_set.items()}
    return spec


def fit_calibration(rows: list[Row], required: dict[str, dict[str, int]], sets: Iterable[str], *,
                    model: str, prompts: dict[str, str], report: Callable[[str], None] = print,
                    kept: dict[str, dict] | None = None, extra: dict | None = None,
                    pools: dict[str, tuple[str, ...]] | None = None) -> dict:
    """Fit every kind on `rows` and measure it: the calibration file's content, its `version` a
    hash of the rest. `required`: per page ("<set>/<source>") and kind, the gold items an item
    must match (recall's denominator); `sets`: the names the pages start with, one line each in
    the figures; `model`: the model the rows' answers came from; `prompts`: each kind's prompt
    version. `kept`: kinds not fitted here, their spec copied as given (a user's fit falls back
    to the shipped one where the gold is too thin); `extra`: further top-level fields; `pools`:
    groups of sets whose figures are also reported pooled."""
    sets = list(sets)
    result: dict = {"model": model, "fitted_on": sorted(sets), "kinds": {}, **(extra or {})}
    for kind in KINDS:
        if kept and kind in kept:
            result["kinds"][kind] = kept[kind]
            continue
        mine = [r for r in rows if r.kind == kind]
        need = {s: sum(required[p][kind] for p in required if p.startswith(s + "/")) for s in sets}
        spec = fit_kind(mine, need, report, kind, pools)
        spec["prompt"] = prompts[kind]
        result["kinds"][kind] = spec
    return with_version(result)


def with_version(result: dict) -> dict:
    """`result` with its `version`: the first 12 hex digits of the SHA-256 of the rest."""
    body = {k: v for k, v in result.items() if k != "version"}
    text = json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return {**body, "version": hashlib.sha256(text.encode()).hexdigest()[:12]}
