"""Usage errors, found before any file is read or any request is sent: each is one line for
the user (the command prints `error: …` and exits 2), never a traceback or an "outage".

Light on purpose (no SDK imports): the command line checks its options with it at once.
"""
from __future__ import annotations

import importlib.util
from urllib.parse import urlparse

EXIT_USAGE = 2
# instructor modes by name (extract.llm.client.MODES maps them; kept here so help needs no SDK).
MODE_NAMES = ("json_schema", "tools", "json", "md_json")


class UsageError(ValueError):
    """An option or argument that cannot work as given; the message says what to give."""


def check_base_url(url: str, option: str = "--base-url") -> str:
    """An http(s) URL with a host, e.g. http://localhost:11434/v1."""
    try:
        parts = urlparse(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise UsageError(f"{option} {url!r} is not a valid URL ({exc}); e.g. http://localhost:11434/v1") from None
    if not parts.scheme or not parts.netloc:
        raise UsageError(f"{option} {url!r} has no scheme or host; give the whole URL, e.g. "
                         f"http://{url.lstrip('/') or 'localhost:11434'}" + ("" if "/v1" in url else "/v1"))
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"{option} {url!r}: scheme {parts.scheme!r} is not supported; use http:// or https://")
    return url


def check_timeout(seconds: float, option: str = "--timeout") -> float:
    if not seconds > 0:  # also NaN
        raise UsageError(f"{option} must be more than 0 seconds (got {seconds:g})")
    return seconds


DB_SCHEMES = ("sqlite", "postgresql", "postgres")


def check_db_url(db: str | None) -> str | None:
    """A SQLite path, sqlite:///x.db or postgresql://…; anything else with a scheme is refused."""
    if db is None or "://" not in db:
        return db
    scheme = db.split("://", 1)[0].lower()
    base = scheme.split("+", 1)[0]
    if base not in DB_SCHEMES:
        raise UsageError(f"--db {scheme}://…: only SQLite (a path or sqlite:///x.db) and PostgreSQL "
                         "(postgresql://user@host:port/db) are supported")
    return db


EXTRAS = {"ray": ("ray", "--engine ray")}


def check_extra(extra: str) -> None:
    """The optional dependency behind `extra` is installed, else how to install it."""
    module, what = EXTRAS[extra]
    if importlib.util.find_spec(module) is None:
        raise UsageError(f"{what} needs the [{extra}] extra, which is not installed: "
                         f"pip install 'cn-policy-extract[{extra}]'")


def fail(message: str) -> None:
    """Print one `error:` line on stderr and exit 2 (typer.Exit)."""
    import typer

    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)
