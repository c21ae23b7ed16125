"""Fit the calibrated decisions on the development gold and write `prompts/calibration.json`:

    python -m benchmarks.calibrate [--check] [--sets seeds corpus district shapes]

Every development set: the seed and corpus pages replayed from the cassettes with no cut (every
judged item is written) while each item's features are collected, and the validation pages'
features and labels from `benchmarks/data/validation.features.jsonl` (numbers only; written by
`python -m benchmarks.validation table` where the pages are). The items are labelled against the
gold (`extract/review/calibrate.py`, as `extract calibrate` labels a user's) and fitted by the
library (`extract/kinds/fit.py`, the one fit `extract calibrate` makes too): per kind a ridge
logistic regression, a beta or Platt map on its held-out logits, and the cut that maximises
leave-one-source-out F1, each source (a seed or validation page; the corpus pages taken from one
repository) scored by a model fitted on all the others. `--check` prints the figures and writes
nothing. Refit whenever a prompt, the candidates, the features or the model change (the
cassettes re-recorded and the table rewritten first).
"""
from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from benchmarks import validation
from benchmarks.shared import SHARED
from benchmarks.replay import GOLD, PAGE_SETS, ROOT, missing, run_pages
from extract.api import Options
from extract.kinds.fit import (  # noqa: F401 - the fit's parts, as the tests and benchmarks import them
    BANDS, EVENTS_PER_PARAMETER, L2, L2_BIAS, PRIOR, Row, best_cut, beta_logit, beta_map, design, f1_at, feature_names,
    fit, fit_calibration, fit_scaled, leave_one_page_out, predict, reliability, rescale,
)
from extract.kinds.judgement import CALIBRATION_FILE
from extract.review.calibrate import CalibrationError, label_rows
from extract.review.match import KINDS, load_side
from extract.run.features import label_key as _label_key
from extract.llm.model_file import MODEL_NAME
from extract.llm.prompting import PROMPTS_DIR, kind_version


def collect(sets: list[str], base_url: str | None = None, model: str | None = None,
            live: bool = False) -> tuple[list[Row], dict[str, dict[str, int]]]:
    """Every judged item of the sets with its features and label, and the required gold items
    per page and kind (recall's denominator). Seeds and corpus replay from the cassettes; a
    validation set comes from the committed table of its features and labels (no text), or with
    `live` runs on the model where its pages are on this machine (what writes the table)."""
    rows: list[Row] = []
    required: dict[str, dict[str, int]] = defaultdict(dict)
    with tempfile.TemporaryDirectory() as tmp:
        for name in sets:
            if name in validation.SETS and not live:
                r, q = read_table(validation.TABLE, name)
                rows += r
                required.update(q)
                continue
            traced: dict[tuple, dict[str, float]] = {}

            def trace(article, kind, item, features):
                ev = item.evidence
                traced[(article.id, kind, ev.start, ev.end, _label_key(kind, item.model_dump()))] = dict(features)

            out = Path(tmp) / f"{name}.jsonl"
            options = Options(min_confidence=0.0, trace=trace)
            if name in validation.SETS:
                validation.run_set(name, out, options, base_url, model, log=lambda line: None)
                gold_file = validation.gold_path(name)
            else:
                run_pages(name, out, options=options)
                gold_file = GOLD[name]
            run, gold = load_side(out), load_side(gold_file)

            def features(item, traced=traced):
                ev = item.data["evidence"]
                return traced.get((item.article_id, item.kind, ev["start"], ev["end"], _label_key(item.kind, item.data)))

            try:
                r, q = label_rows(run, gold, name, features, group=source_group)
            except CalibrationError as exc:
                raise SystemExit(str(exc)) from None
            rows += r
            for page, counts in q.items():
                required[page].update(counts)
    return rows, required


def source_group(name: str, source: str) -> str:
    """The unit a leave-one-source-out figure leaves out: a validation or seed page is its own
    source; the corpus pages taken from one repository are one (../shared/corpus/SOURCES.md)."""
    if name == "corpus":
        return f"corpus/{_corpus_sources().get(source, source)}"
    return f"{name}/{source}"


@lru_cache(maxsize=1)
def _corpus_sources() -> dict[str, str]:
    """Corpus file → the repository it was taken from ("same repo" rows repeat the one above)."""
    path = SHARED / "corpus" / "SOURCES.md"
    out: dict[str, str] = {}
    last = ""
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not re.fullmatch(r"\d{3}", cells[0]):
            continue
        repo = cells[2].split("·")[0].strip()
        last = last if repo.startswith("same") else repo
        out[cells[1]] = last
    return out


def read_table(path: Path, name: str) -> tuple[list[Row], dict[str, dict[str, int]]]:
    """A validation set's rows from the committed table (written by `benchmarks.validation table`)."""
    rows: list[Row] = []
    required: dict[str, dict[str, int]] = {}
    if not path.is_file():
        raise SystemExit(f"{path}: missing; run `python -m benchmarks.validation table` where the pages are")
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if not d["page"].startswith(name + "/"):
            continue
        if "required" in d:
            required[d["page"]] = d["required"]
        else:
            rows.append(Row(d["page"], d["kind"], d["features"], d["label"], d["page"]))
    return rows, required


def write_validation_table(path: Path, base_url: str | None = None, model: str | None = None) -> None:
    """Run both validation sets live with no cut and write their rows: numbers only, no text."""
    lines = []
    for name in validation.SETS:
        rows, required = collect([name], base_url, model, live=True)
        lines += [json.dumps({"page": p, "required": q}, sort_keys=True) for p, q in sorted(required.items())]
        lines += [json.dumps({"page": r.page, "kind": r.kind, "label": r.label,
                              "features": {k: round(v, 4) for k, v in sorted(r.features.items())}}, sort_keys=True)
                  for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    print(f"written {path}: {len(lines)} lines")


def fit_all(sets: list[str], report=print) -> dict:
    """Collect, fit and measure every kind on `sets`: the calibration file's content."""
    rows, required = collect(sets)
    both = tuple(s for s in validation.SETS if s in sets)
    return fit_calibration(rows, required, sets, model=MODEL_NAME, prompts={k: kind_version(k) for k in KINDS},
                           report=report, pools={"validation": both} if len(both) > 1 else None)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="print the figures, write nothing")
    ap.add_argument("--sets", nargs="+", default=[*PAGE_SETS, *validation.SETS], choices=[*PAGE_SETS, *validation.SETS],
                    help="the gold sets to fit on (default: all; fewer only to look, with --check)")
    args = ap.parse_args(argv)
    for name in args.sets:
        if name in validation.SETS:
            continue  # live where its pages are, else its committed table
        if (gone := missing(name)) is not None:
            raise SystemExit(f"{gone} not found: the {name} set is read in ../shared beside the checkout "
                             f"(or the folder EXTRACT_SHARED names); without it there is nothing to fit")
    result = fit_all(args.sets)
    if not args.check:
        (PROMPTS_DIR / CALIBRATION_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                                    encoding="utf-8")
        print(f"\nwritten {PROMPTS_DIR / CALIBRATION_FILE} (version {result['version']})")


if __name__ == "__main__":
    main()
