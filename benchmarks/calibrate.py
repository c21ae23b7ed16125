"""Fit the calibrated decisions on the development gold and write `prompts/calibration.json`:

    python -m benchmarks.calibrate [--check] [--sets seeds corpus district shapes] [--runs-out DIR]

A thin call of `extract calibrate`'s own code (`extract/review/calibrate.py` calibrate_files,
`--shipped`): the seed and corpus pages replayed from the cassettes with no cut and their
features kept (`extract run … --min-confidence 0 --keep-features`, offline), labelled against
their gold (written by hand page by page: every article of a page judged, `--whole-pages`); the
validation pages' rows from `benchmarks/data/validation.features.jsonl` (numbers and labels
only; written by `python -m benchmarks.validation table` where the pages are); the corpus pages
taken from one repository grouped (a groups file from ../shared/corpus/SOURCES.md), so that each
source (a seed or validation page, a corpus repository) is scored by a model fitted on all the
others; the two validation sets also reported pooled. Per kind a ridge logistic regression, a
beta or Platt map on its held-out logits, and the cut that maximises leave-one-source-out F1
(`extract/kinds/fit.py`). `--check` prints the figures and writes nothing. `--runs-out DIR`
writes those inputs (the runs, their features, the groups file) to DIR and prints the `extract
calibrate` command that fits the same file from them, byte for byte (docs/your-model.md).
Refit whenever a prompt, the candidates, the features or the model change (the cassettes
re-recorded and the table rewritten first).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import tempfile
from pathlib import Path

from benchmarks import validation
from benchmarks.shared import SHARED
from benchmarks.replay import GOLD, PAGE_SETS, missing, run_pages
from extract.api import Options
from extract.kinds.fit import Row
from extract.kinds.judgement import CALIBRATION_FILE
from extract.llm.model_file import MODEL_NAME
from extract.llm.prompting import PROMPTS_DIR
from extract.review.calibrate import CalibrationError, calibrate_files, label_files, read_table, write_table

POOLS = {"validation": validation.SETS}  # reported together as well as each on its own


def replay(sets: list[str], folder: Path) -> tuple[list[Path], list[Path]]:
    """Replay the seed and corpus sets among `sets` from the cassettes into `folder`, with no cut
    and each run's features beside it; the runs and their gold files (named as the sets)."""
    runs, golds = [], []
    for name in sets:
        if name not in PAGE_SETS:
            continue
        out = folder / f"{name}.jsonl"
        run_pages(name, out, options=Options(min_confidence=0.0, keep_features=True))
        assert GOLD[name].stem == name, GOLD[name]  # a gold file's name names its set
        runs.append(out)
        golds.append(GOLD[name])
    return runs, golds


def corpus_groups() -> dict[str, str]:
    """Each corpus page ("corpus/<file>") → the repository it was taken from
    (../shared/corpus/SOURCES.md; "same repo" rows repeat the one above)."""
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
        out[f"corpus/{cells[1]}"] = last
    return out


def write_groups(path: Path) -> Path:
    """The groups file of `extract calibrate --groups`: the corpus pages by repository."""
    path.write_text("".join(f"{page}\t{group}\n" for page, group in corpus_groups().items()), encoding="utf-8")
    return path


def validation_table(sets: list[str], folder: Path) -> Path | None:
    """The committed table, or (fewer sets wanted) a copy in `folder` with only theirs."""
    wanted = [s for s in sets if s in validation.SETS]
    if not wanted:
        return None
    if not validation.TABLE.is_file():
        raise SystemExit(f"{validation.TABLE}: missing; run `python -m benchmarks.validation table` where the pages are")
    if set(wanted) == set(validation.SETS):
        return validation.TABLE
    part = folder / validation.TABLE.name
    write_table(part, *read_table(validation.TABLE, wanted))
    return part


def development_inputs(sets: list[str], folder: Path) -> dict:
    """What `extract calibrate` fits the shipped file on, for `sets`, written into `folder`:
    calibrate_files' arguments (the runs and their gold, the table, the groups file, the pools)."""
    runs, golds = replay(sets, folder)
    table = validation_table(sets, folder)
    return {"runs": runs, "golds": golds, "tables": [table] if table else [],
            "groups": write_groups(folder / "groups.tsv") if "corpus" in sets else None,
            "pools": {name: members for name, members in POOLS.items() if set(members) <= set(sets)}}


def command(inputs: dict, output: Path) -> str:
    """The `extract calibrate` command line that fits the shipped file from `inputs`."""
    def shown(p: Path) -> str:  # relative to here where that is shorter (../shared, the checkout)
        rel = os.path.relpath(p)
        return rel if len(rel) < len(str(p)) else str(p)

    words = ["extract", "calibrate", *map(shown, inputs["runs"]),
             *(a for g in inputs["golds"] for a in ("--gold", shown(g))),
             *(a for t in inputs["tables"] for a in ("--table", shown(t))),
             *(["--groups", shown(inputs["groups"])] if inputs["groups"] else []),
             *(a for name, members in inputs["pools"].items() for a in ("--pool", f"{name}={','.join(members)}")),
             "--whole-pages", "--shipped", "-o", shown(output)]
    return shlex.join(words)


def fit_all(sets: list[str], report=print) -> dict:
    """Replay, label and fit every kind on `sets` through `extract calibrate --whole-pages
    --shipped`'s code: the calibration file's content."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            done = calibrate_files(**development_inputs(sets, Path(tmp)), report=report, whole_pages=True,
                                   shipped=True, model=MODEL_NAME)
        except CalibrationError as exc:
            raise SystemExit(str(exc)) from None
    return done.calibration


def write_validation_table(path: Path, base_url: str | None = None, model: str | None = None) -> None:
    """Run both validation sets live with no cut, their features kept, label them against their
    gold as `extract calibrate` does, and write their rows: numbers only, no text."""
    rows: list[Row] = []
    required: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in validation.SETS:
            out = Path(tmp) / "runs" / f"{name}.jsonl"
            out.parent.mkdir(exist_ok=True)
            validation.run_set(name, out, Options(min_confidence=0.0, keep_features=True), base_url, model,
                               log=lambda line: None)
            gold = Path(tmp) / f"{name}.jsonl"  # named as the set: its pages are "<set>/<source>"
            shutil.copyfile(validation.gold_path(name), gold)
            try:
                done = label_files([out], [gold], whole_pages=True)  # as the table always was
            except CalibrationError as exc:
                raise SystemExit(str(exc)) from None
            rows += done.rows
            required.update(done.required)
    print(f"written {path}: {write_table(path, rows, required)} lines")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="print the figures, write nothing")
    ap.add_argument("--sets", nargs="+", default=[*PAGE_SETS, *validation.SETS], choices=[*PAGE_SETS, *validation.SETS],
                    help="the gold sets to fit on (default: all; fewer only to look, with --check)")
    ap.add_argument("--runs-out", type=Path, default=None,
                    help="write the replayed runs, their features and the groups file to this folder, print the "
                         "`extract calibrate` command that fits the shipped file from them, and fit nothing")
    args = ap.parse_args(argv)
    for name in args.sets:
        if name in validation.SETS:
            continue  # its committed table
        if (gone := missing(name)) is not None:
            raise SystemExit(f"{gone} not found: the {name} set is read in ../shared beside the checkout "
                             f"(or the folder EXTRACT_SHARED names); without it there is nothing to fit")
    if args.runs_out is not None:  # the inputs only: the fit is then extract calibrate's
        args.runs_out.mkdir(parents=True, exist_ok=True)
        inputs = development_inputs(args.sets, args.runs_out)
        print(f"written the runs, their features and the groups file to {args.runs_out}; fit with\n"
              f"  {command(inputs, args.runs_out / CALIBRATION_FILE)}")
        return
    result = fit_all(args.sets)
    if not args.check:
        (PROMPTS_DIR / CALIBRATION_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                                    encoding="utf-8")
        print(f"\nwritten {PROMPTS_DIR / CALIBRATION_FILE} (version {result['version']})")


if __name__ == "__main__":
    main()
