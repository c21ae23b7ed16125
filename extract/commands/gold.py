"""`extract gold build RUN DECISIONS -o gold.jsonl`: a curation page's decisions become gold."""
from __future__ import annotations

from pathlib import Path

import typer

gold_app = typer.Typer(help="Gold files from curation decisions.", no_args_is_help=True)


@gold_app.command("build")
def build(
    run: Path = typer.Argument(..., exists=True, dir_okay=False, help="the run JSON Lines the page was built from"),
    decisions: Path = typer.Argument(..., exists=True, dir_okay=False,
                                     help="decisions JSON Lines exported from `extract review --curate`"),
    output: Path = typer.Option(Path("gold.jsonl"), "-o", "--output", help="the gold file to write"),
    force: bool = typer.Option(False, "--force", help="replace the output even when it is not a gold file, or "
                               "when the new gold would hold fewer articles or items than it"),
) -> None:
    """Write gold (spec §3) with every accepted, edited and added item of the reviewed articles;
    rejected items go to <output>.rejected.jsonl (give it to `extract review --curate --rejected`).
    An existing gold is never shrunk without --force."""
    from extract.api import gold_build_files
    from extract.llm.usage import fail
    from extract.review.match import RunFileError
    from extract.run.guard import OutputRefused

    try:
        built = gold_build_files(run, decisions, output, force=force)
    except (RunFileError, OutputRefused) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    counts = ", ".join(f"{n} {k}" for k, n in built.items.items())
    typer.echo(f"wrote {built.gold}: {built.articles} articles in {built.sources} source files ({counts}); "
               f"{built.rejected_items} rejected items in {built.rejected}")
