"""`extract read`: pages to articles, one JSON line each (the spec's article object)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def read(
    paths: list[str] = typer.Argument(..., help="Files or directories to read; '-' reads stdin."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write JSON Lines here (whole, at the end)."),
    force: bool = typer.Option(False, "--force", help="Replace the output even when it is not an articles file."),
) -> None:
    """Read, clean and segment pages; print one JSON line per article.

    A file that cannot be read is reported on stderr and skipped; the exit code is 1 when any
    input failed.
    """
    from extract.api import write_articles
    from extract.llm.usage import fail
    from extract.run.guard import OutputRefused

    errors: list = []

    def on_error(e) -> None:
        errors.append(e)
        typer.echo(f"error: {e}", err=True)

    try:
        written = write_articles(paths, output, force=force, on_error=on_error,
                                 on_warning=lambda w: typer.echo(f"warning: {w}", err=True))
    except OutputRefused as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write output {output}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        typer.echo("interrupted" + ("" if output is None else f": {output} left as it was"), err=True)
        raise typer.Exit(130) from None
    if not written and not errors:  # a folder with no page in it: say so, do not exit 0
        typer.echo(f"error: nothing to read in {' '.join(paths)} (no .txt, .md or .html file with text)", err=True)
        raise typer.Exit(1)
    if errors:
        raise typer.Exit(1)
