"""`extract calibrate RUN… --gold GOLD… -o my.calibration.json`: a confidence model fitted for the
model a user runs, from the gold the user curated (extract/review/calibrate.py)."""
from __future__ import annotations

from pathlib import Path

import typer


def calibrate_cmd(
    runs: list[Path] = typer.Argument(..., exists=True, dir_okay=False,
                                      help="run JSON Lines, each made with --keep-features --min-confidence 0 "
                                           "(its features beside it, <run>.features.jsonl)"),
    gold: list[Path] = typer.Option(..., "--gold", exists=True, dir_okay=False,
                                    help="gold JSON Lines for the runs' pages (`extract gold build`); repeatable"),
    output: Path = typer.Option(Path("my.calibration.json"), "-o", "--output",
                                help="the calibration file to write (give it to `extract run --calibration`)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="print only the summary lines, not the figures"),
) -> None:
    """Fit the confidence model for your model on your gold: each item of the runs labelled by
    matching the gold (spec §3, as `eval`), the fit the project ships, and each kind's cut where
    leave-one-page-out F1 peaks. Prints those figures and the reliability table; a kind with too
    little gold keeps the shipped fit."""
    from extract.llm.usage import fail
    from extract.review.calibrate import MIN_PAGES, MIN_PER_LABEL, CalibrationError, calibrate_files
    from extract.review.match import RunFileError

    try:
        done = calibrate_files(runs, gold, output, report=None if quiet else typer.echo)
    except (CalibrationError, RunFileError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    for line in done.warnings:
        typer.echo(f"warning: {line}", err=True)
    for line in done.fallback.values():
        typer.echo(f"warning: {line}", err=True)
    cal = done.calibration
    cuts = ", ".join(f"{k} {cal['kinds'][k]['with_logprobs']['threshold']:.2f}"
                     + (" (shipped)" if k in done.fallback else "") for k in cal["kinds"])
    counts = "; ".join(f"{k} {r} right, {w} wrong on {p} pages" for k, (r, w, p) in done.counts.items())
    typer.echo(f"\nfitted for model {cal['model']} (prompt version {cal['prompt_version']}) on {counts}")
    typer.echo(f"cuts: {cuts} (each kind's, where its leave-one-page-out F1 on the gold peaks; "
               f"a fit needs {MIN_PER_LABEL} right and {MIN_PER_LABEL} wrong items on {MIN_PAGES} pages)")
    typer.echo(f"wrote {done.output} (version {cal['version']}): run with `extract run … --calibration {done.output}`")
