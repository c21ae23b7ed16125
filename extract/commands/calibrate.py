"""`extract calibrate RUN… --gold GOLD… -o my.calibration.json`: a confidence model fitted for the
model a user runs, from the gold the user curated (extract/review/calibrate.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def calibrate_cmd(
    runs: Optional[list[Path]] = typer.Argument(None, exists=True, dir_okay=False,
                                                help="run JSON Lines, each made with --keep-features --min-confidence 0 "
                                                     "(its features beside it, <run>.features.jsonl)"),
    gold: Optional[list[Path]] = typer.Option(None, "--gold", exists=True, dir_okay=False,
                                              help="gold JSON Lines for the runs' pages (`extract gold build`); "
                                                   "repeatable; each file's name names its set in the figures"),
    output: Path = typer.Option(Path("my.calibration.json"), "-o", "--output",
                                help="the calibration file to write (give it to `extract run --calibration`)"),
    table: Optional[list[Path]] = typer.Option(None, "--table", exists=True, dir_okay=False,
                                               help="rows labelled before, numbers only (one JSON line per page "
                                                    "{page, required} and per item {page, kind, label, features}, "
                                                    "as benchmarks/data/validation.features.jsonl); repeatable"),
    groups: Optional[Path] = typer.Option(None, "--groups", exists=True, dir_okay=False,
                                          help="pages left out together in the leave-one-out figures (those taken "
                                               "from one site): a TSV of source<TAB>group, or a JSON object; "
                                               "a page it does not name is its own group"),
    pool: Optional[list[str]] = typer.Option(None, "--pool", metavar="NAME=SET,SET",
                                             help="sets whose figures are also reported pooled; repeatable"),
    whole_pages: bool = typer.Option(False, "--whole-pages",
                                     help="the gold judges every article of its pages (gold written by hand page by "
                                          "page); by default only the articles it lists (a curated gold lists "
                                          "those reviewed)"),
    shipped: bool = typer.Option(False, "--shipped",
                                 help="the project's own fit (prompts/calibration.json): every kind fitted "
                                      "however thin its gold, and only that file's fields"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="print only the summary lines, not the figures"),
) -> None:
    """Fit the confidence model for your model on your gold: each item of the runs labelled by
    matching the gold (spec §3, as `eval`), the fit the project ships, and each kind's cut where
    leave-one-page-out F1 peaks. Prints those figures and the reliability table; a kind with too
    little gold keeps the shipped fit."""
    from extract.llm.usage import fail
    from extract.review.calibrate import MIN_PAGES, MIN_PER_LABEL, CalibrationError, calibrate_files
    from extract.review.match import RunFileError

    pools = {}
    for spec in pool or ():
        name, _, members = spec.partition("=")
        sets = [s.strip() for s in members.split(",") if s.strip()]
        if not name.strip() or not sets:
            fail(f"--pool {spec!r}: give NAME=SET,SET (e.g. validation=district,shapes)")
        pools[name.strip()] = sets
    try:
        done = calibrate_files(runs or [], gold or [], output, report=None if quiet else typer.echo,
                               tables=table or (), groups=groups, pools=pools, whole_pages=whole_pages,
                               shipped=shipped)
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
    typer.echo(f"\nfitted for model {cal['model']} (prompt version {done.prompt_version or 'not named'}) on {counts}")
    typer.echo(f"cuts: {cuts} (each kind's, where its leave-one-page-out F1 on the gold peaks; "
               f"a fit needs {MIN_PER_LABEL} right and {MIN_PER_LABEL} wrong items on {MIN_PAGES} pages)")
    typer.echo(f"wrote {done.output} (version {cal['version']}): run with `extract run … --calibration {done.output}`")
