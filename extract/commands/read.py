"""`extract read`: pages to articles, one JSON line each (the spec's article object)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional, TextIO

import typer



def read(
    paths: list[str] = typer.Argument(..., help="Files or directories to read; '-' reads stdin."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write JSON Lines here."),
) -> None:
    """Read, clean and segment pages; print one JSON line per article.

    A file that cannot be read is reported on stderr and skipped; the exit code is 1 when any
    input failed.
    """
    if output is None:
        try:
            failed = _write(paths, sys.stdout)
        except KeyboardInterrupt:
            _interrupted()
    else:
        from extract.llm.usage import fail

        if output.is_dir():
            fail(f"output {output} is a directory; give a file name, e.g. {output / 'articles.jsonl'}")
        if any(p != "-" and output.exists() and os.path.samefile(p, output) for p in paths if os.path.exists(p)):
            fail(f"output {output} is one of the inputs; write the articles to another file")
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            out = output.open("w", encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write output {output}: {exc.strerror or exc}")
        try:
            with out:
                failed = _write(paths, out)
        except KeyboardInterrupt:
            _interrupted()
    if failed:
        raise typer.Exit(1)


def _interrupted() -> None:
    typer.echo("interrupted: the output holds the articles of the files read before", err=True)
    raise typer.Exit(130)


def _write(paths: list[str], out: TextIO) -> int:
    from extract.api import iter_articles

    errors: list = []

    def on_error(e) -> None:
        errors.append(e)
        typer.echo(f"error: {e}", err=True)

    def on_warning(w: str) -> None:
        typer.echo(f"warning: {w}", err=True)

    written = 0
    for article in iter_articles(paths, on_error, on_warning):
        out.write(json.dumps(article.model_dump(), ensure_ascii=False) + "\n")
        written += 1
    if not written and not errors:  # a folder with no page in it: say so, do not exit 0
        typer.echo(f"error: nothing to read in {' '.join(paths)} (no .txt, .md or .html file with text)", err=True)
        return 1
    return len(errors)
