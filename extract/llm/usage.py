"""Usage errors, found before any file is read or any request is sent: each is one line for
the user (the command prints `error: …` and exits 2), never a traceback or an "outage".

Light on purpose (no SDK imports): the command line checks its options with it at once.
"""
from __future__ import annotations

import importlib.util
import re
import unicodedata
from urllib.parse import urlparse

EXIT_USAGE = 2
# instructor modes by name (extract.llm.client.MODES maps them; kept here so help needs no SDK).
MODE_NAMES = ("json_schema", "tools", "json", "md_json")


class UsageError(ValueError):
    """An option or argument that cannot work as given; the message says what to give."""


def _char(text: str, i: int) -> str:
    """A character named without showing the text around it (the text may be a secret)."""
    c = text[i]
    name = unicodedata.name(c, "") or {"\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\t": "TAB"}.get(c, "a control character")
    return f"U+{ord(c):04X} ({name.lower()}) at position {i + 1} of {len(text)}"


def check_base_url(url: str, option: str = "--base-url") -> str:
    """An http(s) URL with a host, e.g. http://localhost:11434/v1."""
    if not url.strip():
        # `--base-url "$VAR"` with VAR unset: never fall back to api.openai.com with the key.
        raise UsageError(f"{option} is empty; give the endpoint's URL, e.g. http://localhost:11434/v1 "
                         "(leave the option out for OpenAI itself or the embedded model)")
    bad = next((i for i, c in enumerate(url) if c.isspace() or unicodedata.category(c) in ("Cc", "Cf")), None)
    if bad is not None:
        raise UsageError(f"{option} holds {_char(url, bad)}, which a URL cannot carry; copy it again without it")
    try:
        parts = urlparse(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise UsageError(f"{option} {url!r} is not a valid URL ({exc}); e.g. http://localhost:11434/v1") from None
    if not parts.scheme or not parts.netloc:
        # http:/host/v1 has a scheme and no host: the hint keeps its scheme, not http://http:/…
        rest = url.split(":", 1)[1] if parts.scheme in ("http", "https") else url
        hint = f"{parts.scheme if parts.scheme in ('http', 'https') else 'http'}://{rest.lstrip('/') or 'localhost:11434'}"
        raise UsageError(f"{option} {url!r} has no scheme or host; give the whole URL, e.g. "
                         f"{hint}" + ("" if "/v1" in url else "/v1"))
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"{option} {url!r}: scheme {parts.scheme!r} is not supported; use http:// or https://")
    return url


MAX_TIMEOUT_S = 1e6  # about 11 days: more than any request needs, less than the clock can hold


def check_timeout(seconds: float, option: str = "--timeout") -> float:
    if not 0 < seconds <= MAX_TIMEOUT_S:  # also NaN and inf
        raise UsageError(f"{option} must be a number of seconds more than 0 and at most {MAX_TIMEOUT_S:.0f} "
                         f"(got {seconds:g})")
    return seconds


def check_api_key(key: str | None, option: str = "--api-key or OPENAI_API_KEY") -> str | None:
    """A key an HTTP header can carry: printable ASCII. A no-break or zero-width space copied from
    a web page, or a line break read from a file, would fail every request the same way."""
    if key is None:
        return key
    bad = next((i for i, c in enumerate(key) if not " " <= c <= "~"), None)
    if bad is None and key.endswith(" "):  # HTTP trims a header's trailing space: h11 refuses it
        bad = len(key) - 1
    if bad is not None:
        raise UsageError(f"the API key ({option}) holds {_char(key, bad)}, which an HTTP header cannot carry; "
                         "copy the key again without it")
    return key


def check_settings(*, base_url: str | None = None, api_key: str | None = None, timeout: float | None = None) -> None:
    """The endpoint settings every command that sends requests checks before the first one."""
    if base_url is not None:
        for url in [u.strip() for u in base_url.split(",") if u.strip()] or [""]:
            check_base_url(url)
    check_api_key(api_key)
    if timeout is not None:
        check_timeout(timeout)


DB_SCHEMES = ("sqlite", "postgresql", "postgres")


def shown_url(url: str) -> str:
    """A URL as messages show it: its password masked."""
    return re.sub(r"^([^:/]+://[^:/@]*:)[^@]*@", r"\1***@", url)


def check_db_url(db: str | None) -> str | None:
    """A SQLite path, sqlite:///x.db or postgresql://…; anything else with a scheme is refused,
    and so is a URL whose parts cannot be read (a port that is not a number …)."""
    if db is None or "://" not in db:
        return db
    scheme = db.split("://", 1)[0].lower()
    base = scheme.split("+", 1)[0]
    if base not in DB_SCHEMES:
        raise UsageError(f"--db {scheme}://…: only SQLite (a path or sqlite:///x.db) and PostgreSQL "
                         "(postgresql://user@host:port/db) are supported")
    try:
        urlparse(db).port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise UsageError(f"--db {shown_url(db)!r} is not a valid database URL ({exc}); "
                         "e.g. postgresql://user@host:5432/db") from None
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
