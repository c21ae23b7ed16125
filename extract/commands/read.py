"""`extract read`: pages to articles, one JSON line each (the spec's article object)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional, TextIO

import typer

from extract.api import iter_articles


def read(
    paths: list[str] = typer.Argument(..., help="Files or directories to read; '-' reads stdin."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write JSON Lines here."),
) -> None:
    """Read, clean and segment pages; print one JSON line per article.

    A file that cannot be read is reported on stderr and skipped; the exit code is 1 when any
    input failed.
    """
    if output is None:
        failed = _write(paths, sys.stdout)
    else:
        with output.open("w", encoding="utf-8") as out:
            failed = _write(paths, out)
    if failed:
        raise typer.Exit(1)


def _write(paths: list[str], out: TextIO) -> int:
    errors: list = []

    def on_error(e) -> None:
        errors.append(e)
        typer.echo(f"error: {e}", err=True)

    for article in iter_articles(paths, on_error):
        out.write(json.dumps(article.model_dump(), ensure_ascii=False) + "\n")
    return len(errors)
