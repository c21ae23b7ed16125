"""`extract diff A B`: which items were added, removed or changed from A to B."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extract.review.diff import DiffReport

KINDS = ("policies", "targets", "meetings")  # extract.review.match.KINDS, without importing the matcher


def fmt(value: Any, limit: int = 60) -> str:
    """A field value as a reader wants it: 100 not 100.0, people as 名字(职务), lists with 、."""
    if value is None or value == [] or value == "":
        text = "—"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dict) and "name" in value:
        text = value["name"] + (f"({value['title']})" if value.get("title") else "")
    elif isinstance(value, list):
        text = "、".join(fmt(v, limit=10**6) for v in value)
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def change_text(field: str, old: Any, new: Any) -> str:
    if isinstance(old, list) and isinstance(new, list):
        # For lists the members that came and went say more than the two whole lists.
        gone = [v for v in old if v not in new]
        came = [v for v in new if v not in old]
        if gone or came:
            parts = [f"+{fmt(v)}" for v in came] + [f"−{fmt(v)}" for v in gone]
            return f"{field}: " + " ".join(parts)
        return f"{field}: order {fmt(old)} → {fmt(new)}"
    return f"{field}: {fmt(old)} → {fmt(new)}"


def also(r) -> str:
    """Where else the same entity is reported (its key in other articles)."""
    return f"\n[dim]also reported in {', '.join(r.also_in)}[/dim]" if r.also_in else ""


def render(report: DiffReport, console: Console) -> None:
    only_a = "extra: not in gold" if report.b_is_gold else "only in A"
    only_b = "missed: only in gold" if report.b_is_gold else ("only in gold" if report.a_is_gold else "only in B")
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
            t.add_row("[red]-[/red]", r.kind, r.label + also(r), only_a)
        for r in scope.added:
            t.add_row("[green]+[/green]", r.kind, r.label + also(r), only_b)
        for p in scope.changed:
            details = "\n".join(change_text(f, old, new) for f, (old, new) in p.changes.items())
            t.add_row("[yellow]~[/yellow]", p.kind, p.a.label + also(p.b), details)
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
    from extract.api import diff_files
    from extract.review.match import RunFileError
    from extract.llm.usage import fail

    try:
        report = diff_files(a, b)
    except RunFileError as exc:  # exit 2, not 1: a crash must not look like a difference
        fail(str(exc))
    if json_out:
        typer.echo(report.model_dump_json(indent=2))
    else:
        render(report, Console())
    raise typer.Exit(0 if report.identical else 1)
