"""`extract cache info|clear`: the local cache of model answers (extract/llm/cache.py)."""
from __future__ import annotations

import typer

from extract.llm.cache import AnswerCache

cache_app = typer.Typer(
    name="cache",
    help="The local cache of model answers (EXTRACT_CACHE_DIR sets its folder).",
    no_args_is_help=True,
)


@cache_app.command("info")
def info() -> None:
    """Where the answer cache is, how many answers it holds and its size on disk."""
    data = AnswerCache().info()
    typer.echo(f"path: {data['path']}")
    kinds = ", ".join(f"{k} {n}" for k, n in data["by_kind"].items())
    typer.echo(f"entries: {data['entries']}" + (f" ({kinds})" if kinds else ""))
    typer.echo(f"size: {_size(data['bytes'])}")


@cache_app.command("clear")
def clear() -> None:
    """Delete every cached answer; the next run asks the model again."""
    cache = AnswerCache()
    n = cache.clear()
    typer.echo(f"cleared {n} answers from {cache.path}")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"
