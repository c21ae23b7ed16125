"""The one guard for every file a command writes (`run`, `read`, `review`, `gold build`, `load`'s
SQLite file, `batch`), and the one way to replace a file whole.

Before anything is read or written, `guard_output` refuses (OutputRefused, one line) an output
that is a directory, one of the inputs, a file inside an input folder (the next read would
take it as an input), or an existing file that this command did not write itself, recognised
by its content (`OutputKind.ours`); an empty file holds nothing to lose. Commands that replace
their output take `--force` to overwrite a foreign file anyway; `run` and `batch` append, so a
foreign file is never theirs.

`replacing` writes a file to a temporary file beside it and renames it over the old one only
once it is whole and synced: a failure (an exception, Ctrl-C, a full disk) leaves the old file
as it was.
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class OutputRefused(ValueError):
    """The output is refused before anything is read or written: it is a directory, one of the
    inputs or inside an input folder, a file this command did not write, or another run holds it."""


# -- what each command writes, recognised by content ------------------------------------------

_FIRST_LINE_CAP = 256 << 20  # a record line holds its article's text: large, not unbounded


def first_line(path: Path) -> bytes:
    """The file's first line (without its newline), read at most up to _FIRST_LINE_CAP."""
    with path.open("rb") as f:
        buf = b""
        while len(buf) < _FIRST_LINE_CAP:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            buf += chunk
            if b"\n" in chunk:
                break
    return buf.split(b"\n", 1)[0]


def _first_json(path: Path) -> object:
    """The first line as JSON, or None when it is not."""
    try:
        return json.loads(first_line(path))
    except ValueError:
        return None


def is_run_file(path: Path) -> bool:
    """An empty file, or one whose first line is a record (`article` and `run`), or a record torn
    while being written (the file's only line, cut before its newline)."""
    first = first_line(path).strip()
    if not first:
        return path.stat().st_size == 0
    try:
        line = json.loads(first)
    except ValueError:
        return first.startswith(b'{"article": {') and b"\n" not in first
    return isinstance(line, dict) and isinstance(line.get("article"), dict) and isinstance(line.get("run"), dict)


def is_articles_file(path: Path) -> bool:
    """What `extract read -o` writes: one article object per line (id, source, text …)."""
    line = _first_json(path)
    return isinstance(line, dict) and all(k in line for k in ("id", "source", "source_sha256", "index", "text"))


REVIEW_MARK = '<meta name="generator" content="cn-policy-extract review">'


def is_review_page(path: Path) -> bool:
    """A page `extract review` wrote: its generator mark, or (earlier versions) its title and
    content-security line, within the first few kilobytes."""
    with path.open("rb") as f:
        head = f.read(8192).decode("utf-8", errors="replace")
    return REVIEW_MARK in head or ("<title>review: " in head and "default-src 'none'" in head)


def is_gold_file(path: Path) -> bool:
    """A gold file (spec §3): its first line names a source file and is no run record."""
    line = _first_json(path)
    return isinstance(line, dict) and isinstance(line.get("source"), str) and "article" not in line


def is_decisions_file(path: Path) -> bool:
    """Curation decisions or a gold build's rejected items: lines with a `decision`."""
    line = _first_json(path)
    return isinstance(line, dict) and "decision" in line and "kind" in line


def is_batch_requests(path: Path) -> bool:
    """A Batch API request or output file: lines with a `custom_id`."""
    line = _first_json(path)
    return isinstance(line, dict) and "custom_id" in line


def is_load_database(path: Path) -> bool:
    """A SQLite database that `extract load` made (its schema_migrations table), or one with no
    table at all."""
    with path.open("rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return not names or "schema_migrations" in names


@dataclass(frozen=True)
class OutputKind:
    """What a command writes: its name in messages, a file name for hints, and how an existing
    file is recognised as one the command wrote (`ours`)."""

    name: str
    example: str
    ours: Callable[[Path], bool]
    how: str  # how `ours` tells, for the refusal
    replaces: bool = True  # the command overwrites the file (else it appends: no --force)


RUN = OutputKind("run file", "run.jsonl", is_run_file, "its first line is not a record", replaces=False)
ARTICLES = OutputKind("articles file", "articles.jsonl", is_articles_file,
                      "its first line is not an article of `extract read`")
REVIEW = OutputKind("review page", "review.html", is_review_page, "it is not a page of `extract review`")
GOLD = OutputKind("gold file", "gold.jsonl", is_gold_file, "its first line is not a gold line")
REJECTED = OutputKind("rejected-items file", "gold.rejected.jsonl", is_decisions_file,
                      "its first line is not a curation decision")
BATCH_FILES = OutputKind("batch request file", "requests-001.jsonl", is_batch_requests,
                         "its first line is not a Batch API request", replaces=False)
DATABASE = OutputKind("SQLite database", "extractions.db", is_load_database,
                      "it is no SQLite file, or holds tables of another program")


# -- the guard --------------------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop: not ours to judge here
        return False


def guard_output(path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = (),
                 kind: OutputKind = RUN, *, force: bool = False) -> Path:
    """Refuse (OutputRefused) an output that is a directory, one of `inputs`, a file inside an
    input folder, or an existing file `kind` does not recognise as its own (unless `force`, for
    a kind that replaces its file); nothing is touched. Missing folders are created."""
    path = Path(path)
    what = f"output {path}"
    if path.is_dir():
        raise OutputRefused(f"{what} is a directory; give a file name, e.g. {path / kind.example}")
    for source in inputs:
        if str(source) == "-":
            continue
        source = Path(source)
        try:
            same = path.exists() and source.exists() and os.path.samefile(source, path)
        except OSError:
            same = False
        if same:
            raise OutputRefused(f"{what} is one of the inputs; write the {kind.name} elsewhere")
        if source.is_dir() and _inside(path, source):
            raise OutputRefused(f"{what} is inside the input folder {source} (the next read would take it "
                                f"as an input); write the {kind.name} outside it")
    if path.exists():
        try:
            ours = path.stat().st_size == 0 or not path.is_file() or kind.ours(path)
        except OSError as exc:
            raise OutputRefused(f"cannot read {what}: {exc.strerror or exc}") from None
        if not ours and not (force and kind.replaces):
            hint = ", or give --force to replace it" if kind.replaces else ""
            an = "an" if kind.name[0] in "aeiou" else "a"
            raise OutputRefused(f"{what} exists and is not {an} {kind.name} of this tool ({kind.how}); "
                                f"left untouched: choose another file{hint}")
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputRefused(f"cannot create the folder of {what}: {exc.strerror or exc}") from None
    return path


# -- writing a file whole ---------------------------------------------------------------------


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO]:
    """Open a temporary file beside `path` for writing (`mode` "w": UTF-8 text, "wb": bytes); when
    the block ends normally it is synced and renamed over `path` (keeping the old file's
    permissions), else removed, leaving the old file whole. A special file (/dev/null, a pipe)
    is written in place: there is nothing to rename over it."""
    path = Path(path)
    if path.is_symlink() and path.is_file():  # write where the link points; the link stays a link
        path = path.resolve()
    if path.exists() and not path.is_file():
        with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            yield f
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def write_whole(path: str | os.PathLike[str], data: bytes | str) -> None:
    """`data` as the whole new content of `path` (see `replacing`)."""
    with replacing(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
