"""The validation pages: 54 district and county pages with gold that no repository may hold.

    python -m benchmarks.validation run [--set district|shapes] [--cut0] [-o DIR]
    python -m benchmarks.validation table        # writes benchmarks/data/validation.features.jsonl

The pages are fetched once per machine into `.validation/pages/` (gitignored) and their gold
restored into `.validation/<set>.gold.jsonl`, as `../shared/validation/README.md` says; set
EXTRACT_VALIDATION_DIR to keep them elsewhere. Their answers cannot be committed as cassettes
(the requests hold the pages' text), so they run live: on the embedded model by default, or on
`--base-url`, through an answer cache of their own (`.validation/cache/`), so a second run asks
only what changed. `table` runs both sets with no cut and writes, per judged item, its page,
kind, numeric features and label against the gold (no text): the rows the confidence model is
fitted on (`benchmarks/calibrate.py`) on a machine without the pages.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Callable

from benchmarks.replay import ROOT
from extract.api import Extractor, Options, Summary, read_articles

SETS = ("district", "shapes")
TABLE = ROOT / "benchmarks" / "data" / "validation.features.jsonl"


def validation_dir() -> Path:
    return Path(os.environ.get("EXTRACT_VALIDATION_DIR") or ROOT / ".validation")


def gold_path(name: str) -> Path:
    return validation_dir() / f"{name}.gold.jsonl"


def available(name: str) -> bool:
    """The set's pages are fetched and its gold restored on this machine."""
    return gold_path(name).is_file() and bool(page_files(name))


def page_files(name: str) -> list[Path]:
    """The set's pages, in the gold's order (both sets share one pages folder)."""
    gold = gold_path(name)
    if not gold.is_file():
        return []
    pages = validation_dir() / "pages"
    sources = [json.loads(line)["source"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [pages / s for s in sources if (pages / s).is_file()]


def run_set(name: str, output: Path, options: Options = Options(), base_url: str | None = None,
            model: str | None = None, log: Callable[[str], None] = print) -> Summary:
    """Extract every page of a validation set into `output` (live: the embedded model unless
    `base_url`; answers cached in the validation folder)."""
    files = page_files(name)
    if not files:
        raise SystemExit(f"{validation_dir()}: no pages or gold of the {name!r} set "
                         "(fetch them as ../shared/validation/README.md says)")
    output.unlink(missing_ok=True)
    articles, summary = read_articles([str(p) for p in files])
    with Extractor(base_url=base_url, model=model, api_key="local" if base_url else None, env=False,
                   cache=validation_dir() / "cache", options=options, log=log) as ex:
        ex.run_batch(articles, output, summary=summary, keep_records=False)
    return summary


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["run", "table"])
    ap.add_argument("--set", choices=SETS, action="append", help="default: both")
    ap.add_argument("--cut0", action="store_true", help="keep every judged item (candidate recall)")
    ap.add_argument("-o", "--out", type=Path, default=None, help="folder for the runs (default: the validation folder)")
    ap.add_argument("--base-url", default=None)
    ap.add_argument("--model", default=None)
    args = ap.parse_args(argv)
    if args.what == "table":
        from benchmarks.calibrate import write_validation_table
        write_validation_table(TABLE, base_url=args.base_url, model=args.model)
        return
    out_dir = args.out or validation_dir() / "runs"
    out_dir.mkdir(parents=True, exist_ok=True)
    from extract.api import evaluate_files
    for name in args.set or SETS:
        out = out_dir / f"{name}{'.cut0' if args.cut0 else ''}.jsonl"
        s = run_set(name, out, Options(min_confidence=0.0 if args.cut0 else None), args.base_url, args.model)
        report = evaluate_files(out, gold_path(name))
        figures = ", ".join(f"{k} {t.f1:.3f} (P {t.precision:.2f} R {t.recall:.2f})" for k, t in report.types.items())
        print(f"{name}: {s.done} articles, {s.requests} requests; {figures}; written {out}")


if __name__ == "__main__":
    main()
