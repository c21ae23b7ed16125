"""What each item's confidence was computed from, kept beside a run's output.

`extract run --keep-features` (`Options(keep_features=True)`) writes, for every item of every
record written to `run.jsonl`, one line to `run.features.jsonl`: the article, the item (kind,
evidence offsets, its label: a target's value, a policy's title, a meeting's name), the model's
probability (or null where the endpoint gave only the boolean), every feature the confidence
model read, the confidence and the calibration it came from. `extract calibrate` fits a user's
own confidence model on these rows and a curated gold file (extract/review/calibrate.py).

Run with `--min-confidence 0` to keep the items under the cut as well: an item left out of the
output has no line, and the fit learns nothing from it. Lines are appended as records are
written; a re-run that redoes an article appends its rows again, and the last row of an item
wins.
"""
from __future__ import annotations

import json
import math
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

from extract.kinds.judgement import Calibration
from schemas import Article, Record

KINDS = ("policies", "targets", "meetings")
# The field that names an item of each kind, with its evidence offsets: the row's key.
LABEL_FIELD = {"targets": "value", "policies": "title", "meetings": "name"}

FeatureKey = tuple[str, str, int, int, str]  # (article id, kind, evidence start, end, label)


def label_key(kind: str, data: dict) -> str:
    """An item's label as a key (`data`: the item as JSON)."""
    return str(data.get(LABEL_FIELD[kind]))


def features_path(output: str | Path) -> Path:
    """`run.jsonl` → `run.features.jsonl` (beside it)."""
    out = Path(output)
    name = out.name[:-6] if out.name.endswith(".jsonl") else out.name
    return out.with_name(name + ".features.jsonl")


def model_probability(features: dict[str, float]) -> float | None:
    """The model's probability as the features hold it (its logit), None without log-probabilities."""
    if not features.get("has_logprobs"):
        return None
    return round(1 / (1 + math.exp(-float(features.get("model_logit", 0.0)))), 4)


class FeatureTrace:
    """Collects the judged items' features by article while articles are extracted (`trace`,
    given as `Options.trace`). Thread-safe: articles run concurrently. A Ray actor collects with
    one and sends each article's rows back with its record (`take`); the driver's log receives
    them (`put`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[tuple, list[tuple]] = defaultdict(list)

    @staticmethod
    def _article_key(article: Article) -> tuple:
        return (article.source, article.source_sha256, article.index)

    def trace(self, article: Article, kind: str, item: Any, features: dict[str, float]) -> None:
        ev = item.evidence
        row = (kind, ev.start, ev.end, str(getattr(item, LABEL_FIELD[kind])), dict(features), item.confidence)
        with self._lock:
            self._pending[self._article_key(article)].append(row)

    def tee(self, other: Callable | None) -> Callable:
        """`trace`, and `other` after it (a trace the options already had)."""
        if other is None:
            return self.trace

        def both(*args) -> None:
            self.trace(*args)
            other(*args)

        return both

    def take(self, article: Article) -> list[tuple]:
        """The rows traced for `article`, removed (JSON-able: they travel back from an actor)."""
        with self._lock:
            return self._pending.pop(self._article_key(article), [])

    def put(self, article: Article, rows: list) -> None:
        """Rows traced elsewhere for `article` (`take` there; lists after JSON, tuples again)."""
        with self._lock:
            self._pending[self._article_key(article)].extend(tuple(r) for r in rows)


class FeatureLog(FeatureTrace):
    """A `FeatureTrace` that writes the rows of the items a written record holds (`write`,
    called once per record written) to the run's features file."""

    def __init__(self, path: Path, calibration: Calibration, min_confidence: float | None = None):
        super().__init__()
        self.path = Path(path)
        self.calibration = calibration
        self.min_confidence = min_confidence  # the run's cut (None: each kind's default)
        self._fh = None
        self.rows = 0

    def write(self, rec: Record) -> None:
        """Append the rows of `rec`'s items (the last traced row of each), flushed."""
        pending = self.take(rec.article)
        if not pending:
            return
        present = {(kind, it.evidence.start, it.evidence.end, str(getattr(it, LABEL_FIELD[kind])))
                   for kind in KINDS for it in getattr(rec, kind)}
        latest: dict[tuple, tuple] = {}
        for row in pending:
            if row[:4] in present:
                latest[row[:4]] = row
        lines = []
        for (kind, start, end, label), row in latest.items():
            features = row[4]
            lines.append(json.dumps({
                "article": rec.article.id, "source": rec.article.source, "index": rec.article.index,
                "model": rec.run.model, "prompt_version": rec.run.prompt_version,
                "kind": kind, "start": start, "end": end, "label": label,
                "p": model_probability(features), "features": {k: float(v) for k, v in sorted(features.items())},
                "confidence": row[5], "calibration": self.calibration.version,
                "min_confidence": self.min_confidence,
            }, ensure_ascii=False))
        with self._lock:
            if self._fh is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fh = open(self.path, "a", encoding="utf-8")
            self._fh.write("".join(f"{line}\n" for line in lines))
            self._fh.flush()
            self.rows += len(lines)

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None


def read_features(path: Path) -> dict[tuple[str, str, str], dict[FeatureKey, dict]]:
    """A features file's rows (as written, the features as floats) by (model, prompt version,
    article id) and item key; the last row of an item wins. A last line cut short (a run killed mid-write) is skipped; any other bad
    line raises ValueError naming the file and the line."""
    out: dict[tuple[str, str, str], dict[FeatureKey, dict]] = defaultdict(dict)
    text = Path(path).read_text(encoding="utf-8")
    lines = text.split("\n")
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            key = (d["article"], d["kind"], int(d["start"]), int(d["end"]), str(d["label"]))
            out[(d["model"], d["prompt_version"], d["article"])][key] = {
                **d, "features": {k: float(v) for k, v in d["features"].items()}}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            if n == len(lines):  # no newline after it: cut short
                continue
            raise ValueError(f"{path}:{n}: not a features line ({type(exc).__name__}: {exc})") from None
    return out
