"""`extract eval RUN GOLD`: spec §3 scores of a run against gold."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when the command runs: `extract --help` stays light
    from extract.review.evaluate import ItemError, Report

KINDS = ("policies", "targets", "meetings")  # extract.review.match.KINDS, without importing the matcher


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def render(report: Report, console: Console) -> None:
    t = Table(title=f"{report.run} vs {report.gold}")
    for col in ("type", "TP", "FP", "FN", "opt.", "precision", "recall", "F1", "field agreement"):
        t.add_column(col, justify="left" if col in ("type", "field agreement") else "right")
    for kind in KINDS:
        s = report.types[kind]
        fields = ", ".join(f"{f} {_pct(v)}" for f, v in s.fields.items())
        t.add_row(kind, str(s.tp), str(s.fp), str(s.fn), str(s.optional_matched),
                  _pct(s.precision), _pct(s.recall), _pct(s.f1), fields)
    console.print(t)

    seg = Table(title="per source file")
    for col in ("source", "policies TP/FP/FN", "targets TP/FP/FN", "meetings TP/FP/FN", "articles found"):
        seg.add_column(col)
    for src in report.sources:
        cells = [f"{c.tp}/{c.fp}/{c.fn}" for c in (src.counts[k] for k in KINDS)]
        note = "" if src.in_run else " [red](no run records)[/red]"
        seg.add_row(src.source + note, *cells,
                    f"{src.articles_found}/{src.gold_articles} (run: {src.run_articles})")
    console.print(seg)

    if report.cuts:
        cuts = Table(title="precision / recall / F1 when only items with confidence ≥ the cut are kept")
        cuts.add_column("type")
        for c in report.cuts[KINDS[0]]:
            cuts.add_column(f"≥ {c.cut:.1f}", justify="right")
        for kind in KINDS:
            cuts.add_row(kind, *(f"{_pct(c.precision)} / {_pct(c.recall)} / {_pct(c.f1)} ({c.kept})"
                                 for c in report.cuts[kind]))
        console.print(cuts)

    grounded = "n/a (gold side)" if report.grounded is None else (
        f"{_pct(report.grounded)} ({report.ungrounded_items} ungrounded)")
    console.print(f"grounded evidence: {grounded}")
    console.print(f"articles with errors: {report.articles_with_errors} of {report.articles}")
    console.print(f"gold covers {report.gold_articles} articles in {len(report.sources)} source files")
    console.print(f"segmentation: {_pct(report.segmentation_found)} of gold articles found")
    if report.missing_sources:
        console.print(f"[red]no run records for {', '.join(report.missing_sources)}: "
                      "their required items count as misses[/red]")
    if report.extra_sources:
        console.print(f"not in gold, not scored: {', '.join(report.extra_sources)}")


def eval_cmd(
    run: Path = typer.Argument(..., exists=True, dir_okay=False, help="run JSON Lines (or a gold file)"),
    gold: Path = typer.Argument(..., exists=True, dir_okay=False, help="gold JSON Lines"),
    json_out: bool = typer.Option(False, "--json", help="print the report as JSON"),
    errors: bool = typer.Option(False, "--errors", help="list, per source, every false positive, miss and "
                                "disagreeing field with its quote and the closest item on the other side"),
    kind: Optional[str] = typer.Option(None, "--kind", help="with --errors: only this kind (policies, targets, meetings)"),
) -> None:
    """Score a run against gold (spec §3): P/R/F1 per type, field agreement, grounding, segmentation."""
    from extract.api import error_files, evaluate_files

    def warn(line: str) -> None:
        typer.echo(f"warning: {line}", err=True)

    if errors:
        if kind is not None and kind not in KINDS:
            raise typer.BadParameter(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
        items = _or_fail(lambda: error_files(run, gold, (kind,) if kind else None, on_warning=warn))
        if json_out:
            for e in items:
                typer.echo(e.model_dump_json())
        else:
            render_errors(items, Console(highlight=False, soft_wrap=True))
        return
    report = _or_fail(lambda: evaluate_files(run, gold, on_warning=warn))
    if json_out:
        typer.echo(report.model_dump_json(indent=2))
    else:
        render(report, Console())


def _or_fail(call):
    """A malformed file, or a gold sharing no source with the run: one line, exit 2."""
    from extract.review.match import RunFileError
    from extract.llm.usage import fail

    try:
        return call()
    except RunFileError as exc:
        fail(str(exc))


def render_errors(items: list[ItemError], console: Console) -> None:
    source = None
    for e in items:
        if e.source != source:
            source = e.source
            console.rule(source)
        console.print(f"[bold]{e.kind} {e.error}[/bold]: {e.item}", markup=True)
        console.print(f"    quote: «{e.quote}»", markup=False)
        if e.detail:
            console.print(f"    {e.detail}", markup=False)
        if e.closest:
            console.print(f"    closest: {e.closest}", markup=False)
    counts: dict[str, int] = {}
    for e in items:
        counts[f"{e.kind} {e.error}"] = counts.get(f"{e.kind} {e.error}", 0) + 1
    console.print("; ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no errors")
