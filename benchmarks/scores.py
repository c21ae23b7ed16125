"""Every gold set scored side by side (the figures in benchmarks/RESULTS.md):

    python -m benchmarks.scores [--errors] [--sets seeds corpus district shapes]

Seeds and corpus replay from the cassettes (no model needed); the validation sets (district,
shapes) run live on the embedded model through their answer cache where their pages are on
this machine (`benchmarks/validation.py`), and are skipped, saying so, where they are not.
Prints, per set, P/R/F1 and field agreement per kind at the shipped cuts, the recall with every
judged item kept (cut 0: what the candidates can reach), grounding and articles with errors;
with --errors also the per-item error counts (`extract eval --errors`).
The corpus set is read in ../shared (or the folder EXTRACT_SHARED names); without it, it
is skipped and the missing folder named.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks import validation
from benchmarks.replay import GOLD, PAGE_SETS, missing, run_pages
from extract.api import Options, error_files, evaluate_files
from extract.review.match import KINDS


def run_set(name: str, out: Path, options: Options = Options()) -> Path:
    """Run one set into `out`; its gold file."""
    if name in validation.SETS:
        validation.run_set(name, out, options, log=lambda line: None)
        return validation.gold_path(name)
    run_pages(name, out, options=options)
    return GOLD[name]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--sets", nargs="+", default=[*PAGE_SETS, *validation.SETS],
                    choices=[*PAGE_SETS, *validation.SETS])
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            if name in validation.SETS and not validation.available(name):
                print(f"## {name}: skipped, its pages are not in {validation.validation_dir()} "
                      "(../shared/validation/README.md)\n")
                continue
            if name in PAGE_SETS and (gone := missing(name)) is not None:
                print(f"## {name}: skipped, {gone} not found (../shared is not beside the checkout)\n")
                continue
            out, all_kept = Path(tmp) / f"{name}.jsonl", Path(tmp) / f"{name}.cut0.jsonl"
            gold = run_set(name, out)
            run_set(name, all_kept, Options(min_confidence=0.0))
            report, report0 = evaluate_files(out, gold), evaluate_files(all_kept, gold)
            print(f"## {name} ({len(report.sources)} pages, {report.articles} articles)")
            print("| kind | P | R | F1 | R at cut 0 | fields |\n|---|---|---|---|---|---|")
            for kind in KINDS:
                t, t0 = report.types[kind], report0.types[kind]
                fields = ", ".join(f"{f} {v:.2f}" if v is not None else f"{f} —" for f, v in t.fields.items())
                print(f"| {kind} | {t.precision:.3f} | {t.recall:.3f} | {t.f1:.3f} | {t0.recall:.3f} | {fields} |")
            print(f"grounded {report.grounded:.1%}, articles with errors {report.articles_with_errors}\n")
            if args.errors:
                counts: dict[str, int] = {}
                for e in error_files(out, gold):
                    counts[f"{e.kind} {e.error}"] = counts.get(f"{e.kind} {e.error}", 0) + 1
                print("; ".join(f"{k}: {v}" for k, v in sorted(counts.items())), "\n")


if __name__ == "__main__":
    main()
