"""`extract diff A B`: which items were added, removed or changed from A to B."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from extract.diff import DiffReport, diff
from extract.match import KINDS, load_side


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(report: DiffReport, console: Console) -> None:
    summary = Table(title=f"{report.a} → {report.b}")
    for col in ("type", "unchanged", "changed", "added", "removed", "optional unmatched"):
        summary.add_column(col, justify="left" if col == "type" else "right")
    for kind in KINDS:
        s = report.summary[kind]
        summary.add_row(kind, str(s.unchanged), str(s.changed), str(s.added), str(s.removed),
                        str(s.optional_unmatched))
    console.print(summary)
    changed_fields = {f: n for f, n in report.fields.items() if n}
    if changed_fields:
        console.print("changed fields: " + ", ".join(f"{f} ×{n}" for f, n in changed_fields.items()))

    for scope in report.scopes:
        if not scope.different:
            continue
        t = Table(title=scope.key, title_justify="left", show_lines=False)
        t.add_column("", width=1)
        t.add_column("type")
        t.add_column("item")
        t.add_column("details")
        for r in scope.removed:
            t.add_row("[red]-[/red]", r.kind, r.label, "only in A")
        for r in scope.added:
            t.add_row("[green]+[/green]", r.kind, r.label, "only in B")
        for p in scope.changed:
            details = "\n".join(f"{f}: {_short(old)} → {_short(new)}" for f, (old, new) in p.changes.items())
            t.add_row("[yellow]~[/yellow]", p.kind, p.a.label, details)
        for r in scope.optional_unmatched:
            t.add_row("?", r.kind, r.label, "optional, unmatched (not counted)")
        console.print(t)
    console.print("identical" if report.identical else "different")


def diff_cmd(
    a: Path = typer.Argument(..., exists=True, dir_okay=False, help="run or gold JSON Lines (old)"),
    b: Path = typer.Argument(..., exists=True, dir_okay=False, help="run or gold JSON Lines (new)"),
    json_out: bool = typer.Option(False, "--json", help="print the diff as JSON"),
) -> None:
    """Items added, removed and changed from A to B; exit 0 when identical, 1 when not."""
    report = diff(load_side(a), load_side(b))
    if json_out:
        typer.echo(report.model_dump_json(indent=2))
    else:
        render(report, Console())
    raise typer.Exit(0 if report.identical else 1)
