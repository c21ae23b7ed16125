"""`extract read`: pages to articles, one JSON line each (the spec's article object)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional, TextIO

import typer

from extract.read import ReadError, read_all
from extract.segment import segment


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
    failed = 0
    for item in read_all(paths):
        if isinstance(item, ReadError):
            failed += 1
            typer.echo(f"error: {item}", err=True)
            continue
        for article in segment(item):
            out.write(json.dumps(article.model_dump(), ensure_ascii=False) + "\n")
    return failed
