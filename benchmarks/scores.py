"""Both gold sets replayed from the cassettes and scored (the figures in benchmarks/RESULTS.md):

    python -m benchmarks.scores [--errors]

Prints, per set, P/R/F1 and field agreement per kind, grounding and articles with errors; with
--errors also the per-item error report (`extract eval --errors`). No model is needed. The corpus
set is read in ../shared (or the folder EXTRACT_SHARED names); without it, it is skipped and
the missing folder named.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.replay import GOLD, PAGE_SETS, missing, run_pages
from extract.api import error_files, evaluate_files
from extract.review.match import KINDS


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for name in PAGE_SETS:
            if (gone := missing(name)) is not None:
                print(f"## {name}: skipped, {gone} not found (../shared is not beside the checkout)\n")
                continue
            out = Path(tmp) / f"{name}.jsonl"
            run_pages(name, out)
            report = evaluate_files(out, GOLD[name])
            print(f"## {name} ({len(report.sources)} pages, {report.articles} articles)")
            print("| kind | P | R | F1 | fields |\n|---|---|---|---|---|")
            for kind in KINDS:
                t = report.types[kind]
                fields = ", ".join(f"{f} {v:.2f}" if v is not None else f"{f} —" for f, v in t.fields.items())
                print(f"| {kind} | {t.precision:.3f} | {t.recall:.3f} | {t.f1:.3f} | {fields} |")
            print(f"grounded {report.grounded:.1%}, articles with errors {report.articles_with_errors}\n")
            if args.errors:
                counts: dict[str, int] = {}
                for e in error_files(out, GOLD[name]):
                    counts[f"{e.kind} {e.error}"] = counts.get(f"{e.kind} {e.error}", 0) + 1
                print("; ".join(f"{k}: {v}" for k, v in sorted(counts.items())), "\n")


if __name__ == "__main__":
    main()
