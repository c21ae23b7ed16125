"""`extract load`: put run files (JSON Lines) into SQLite or PostgreSQL."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def load_cmd(
    runs: Annotated[list[Path], typer.Argument(
        help="Run files (JSON Lines, one record per article).",
        exists=True, dir_okay=False, readable=True, metavar="RUN.jsonl")],
    db: Annotated[str | None, typer.Option(
        "--db", help="SQLite path, sqlite:///x.db or postgresql://user@host:port/db "
        "\\[default: ./extractions.db]")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="load into an existing SQLite file even when another program made it")] = False,
) -> None:
    """Load run files into a database; re-loading is idempotent, newer runs replace items."""
    from extract.llm.usage import UsageError, check_db_url, fail

    try:
        check_db_url(db)
    except UsageError as exc:
        fail(str(exc))
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from extract.api import load_files
    from extract.run.guard import OutputRefused
    from extract.store import SchemaError, resolve_url

    try:
        report = load_files(runs, db, strict=True, force=force)
    except OutputRefused as exc:
        fail(str(exc))
    except SchemaError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    except SQLAlchemyError as exc:  # nothing was written: the load is one transaction
        typer.echo(f"error: database: {exc.__class__.__name__}: {getattr(exc, 'orig', exc)}", err=True)
        raise typer.Exit(2)
    if report.errors:  # nothing was written: one bad line anywhere rolls the load back
        more = len(report.errors) - 1
        typer.echo(f"error: {report.errors[0]}" + (f" (and {more} more bad lines)" if more else "")
                   + "; nothing loaded", err=True)
        raise typer.Exit(2)
    shown = make_url(resolve_url(db)).render_as_string(hide_password=True)
    typer.echo(
        f"{shown}: "
        f"{len(report.files_loaded)} file(s), {report.records} record(s): "
        f"{report.inserted} new, {report.replaced} replaced, {report.unchanged} unchanged "
        f"(schema version {report.schema_version})"
    )
    if not report.ok:
        raise typer.Exit(1)
