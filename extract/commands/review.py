"""`extract review RUN [--against OTHER] -o review.html`: one self-contained HTML page."""
from __future__ import annotations

from pathlib import Path

import typer



def review_cmd(
    run: Path = typer.Argument(..., exists=True, dir_okay=False, help="run JSON Lines"),
    against: Path | None = typer.Option(None, "--against", exists=True, dir_okay=False,
                                        help="another run, or gold, to compare with"),
    output: Path = typer.Option(Path("review.html"), "-o", "--output", help="the HTML file to write"),
    curate: bool = typer.Option(False, "--curate", help="curation view: accept / reject / edit / add items, "
                                "least sure first; export the decisions for `extract gold build`"),
    rejected: list[Path] = typer.Option([], "--rejected", exists=True, dir_okay=False,
                                        help="with --curate: a gold.rejected.jsonl (or decisions file) whose "
                                        "rejected items show as already rejected"),
    force: bool = typer.Option(False, "--force", help="replace the output even when it is not a review page"),
) -> None:
    """Write a self-contained HTML page to review a run's items against its article texts."""
    from extract.api import review_files
    from extract.review.match import RunFileError
    from extract.run.guard import OutputRefused
    from extract.llm.usage import fail

    if curate and against is not None:
        fail("--curate reviews one run; leave out --against")
    if rejected and not curate:
        fail("--rejected goes with --curate")
    try:
        out = review_files(run, output, against=against, curate=curate, rejected=rejected, force=force)
    except (RunFileError, OutputRefused) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
