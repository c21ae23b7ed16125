"""JSON Lines output that survives crashes: one complete line per record or none.

Each record is appended, flushed and fsynced as soon as its article finishes. On restart a
torn last line (killed mid-write) is cut off, and the complete records tell the batch what is
already done; when an article has several records (it was redone: --force, or a retry of a
transient failure) the last one counts. At the end of a run that redid articles the file is
compacted to one record per article: written to a temporary file in the same folder, fsynced
and renamed over the output, so a crash at any point leaves either the old file or the new one.

A write that fails (disk full, file-size limit) is undone: the file is cut back to its last
whole record and `OutputError` names the file.
"""
from __future__ import annotations

import errno
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from extract.run.guard import OutputRefused, write_whole
from schemas import Record


class OutputError(RuntimeError):
    """The output file could not be written; it still holds only whole records."""


class OutputLock:
    """An exclusive lock on the output for one run: a second run on the same file is refused at
    once (OutputRefused) instead of doing every article a second time. The lock is the file's
    own (flock), so it goes with the process however it ends."""

    def __init__(self, path: Path):
        import fcntl

        self.path = path
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputRefused(f"cannot open output {path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            self._fd = None
            raise OutputRefused(f"output {path} is in use by another run (it holds the file's lock); "
                                "wait for it to end, or write to another file") from None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None


def record_key(sha256: str, index: int, prompt_version: str, model: str) -> str:
    return f"{sha256}:{index}:{prompt_version}:{model}"


def key_of(record: dict) -> str:
    a, r = record["article"], record["run"]
    return record_key(a["source_sha256"], a["index"], r["prompt_version"], r["model"])


def identity_of(record: dict) -> str:
    """What makes two records the same article's: a later one replaces an earlier one."""
    return f"{record['article']['id']}\x00{key_of(record)}"


def record_identity(record: Record) -> str:
    a, r = record.article, record.run
    return f"{a.id}\x00{record_key(a.source_sha256, a.index, r.prompt_version, r.model)}"


def record_article(record: Record) -> str:
    """`article_of` for a Record."""
    a = record.article
    return f"{a.id}\x00{a.source_sha256}\x00{a.index}"


# Records written before errors said `transient`: what a transport failure's message says.
_TRANSIENT_MESSAGE = re.compile(
    r"Connection error|timed out|Error code: (?:429|5\d\d)\b|APIConnectionError|APITimeoutError|"
    r"RateLimitError|InternalServerError|circuit open")


# What an endpoint's refusal of the configuration looked like in records of earlier versions
# (before it stopped the run): a bad key, an unknown model or path, a refused parameter; and a
# request that could never be sent (a key a header cannot carry, a timeout the clock cannot hold).
_ENDPOINT_MESSAGE = re.compile(
    r"Error code: (?:401|403|404)\b|AuthenticationError|PermissionDeniedError|NotFoundError|"
    r"UnicodeEncodeError\b.*\bheader\b|Illegal header value|LocalProtocolError|timestamp out of range|"
    r"Error code: 400\b.*(?:[Ii]nvalid model|[Uu]nknown model|model_not_found|"
    r"\bmodel\b[^'\".;]{0,80}?(?:not found|does not exist)|[Uu]nsupported (?:parameter|value))")


def has_endpoint_errors(record: dict) -> bool:
    """The record holds an error that was the endpoint's configuration, not the article's
    (written by earlier versions): the next run redoes it."""
    return any(str(e.get("stage", "")).startswith("llm:") and _ENDPOINT_MESSAGE.search(str(e.get("message", "")))
               for e in record.get("errors") or ())


def has_transient_errors(record: dict) -> bool:
    for e in record.get("errors") or ():
        flag = e.get("transient")
        if flag is None:
            flag = str(e.get("stage", "")).startswith("llm:") and bool(_TRANSIENT_MESSAGE.search(str(e.get("message", ""))))
        if flag:
            return True
    return False


def article_of(record: dict) -> str:
    """The article itself, whatever model or prompt version the record was made with."""
    a = record["article"]
    return f"{a['id']}\x00{a['source_sha256']}\x00{a['index']}"


def unfinished(record: dict) -> bool:
    """The record holds no result: the endpoint failed (transient errors) or refused the
    configuration; any other record of the same article supersedes it."""
    return has_transient_errors(record) or has_endpoint_errors(record)


@dataclass
class Existing:
    """What an output file already holds."""

    latest: dict[str, bool] = field(default_factory=dict)  # record key → the last one has transient errors
    identities: set[str] = field(default_factory=set)
    endpoint_failed: set[str] = field(default_factory=set)  # keys whose last record met an EndpointError
    # Articles with a record that holds no result (under any model): a new record of one of them
    # makes the file due for compaction.
    unfinished: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)  # every article with a record (any model)
    records: int = 0
    superseded: int = 0  # records replaced by a later record of the same article


def _repair(path: Path) -> bytes:
    """Cut a torn last line; the file's complete lines."""
    with path.open("rb+") as f:
        data = f.read()
        if data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            f.truncate(cut)
            f.flush()
            os.fsync(f.fileno())
            data = data[:cut]
    return data


def _parse(line: bytes | str) -> dict | None:
    """A line as a record (a dict with what keys and errors need), or None for a foreign or
    damaged line: it stays where it is, and its article is done again."""
    try:
        rec = json.loads(line)
        identity_of(rec)
        article_of(rec)
    except (ValueError, KeyError, TypeError):
        return None
    errors = rec.get("errors") or []
    if not isinstance(errors, list) or not all(isinstance(e, dict) for e in errors):
        return None  # "errors": "abc" (a hand edit): never a traceback on resume
    return rec


def _dropped(records: list[dict | None]) -> set[int]:
    """Lines a later record of the same article replaces, and records holding no result where
    the article has another record (a run during an outage guessed another model name, say):
    each article keeps its latest record per model and prompt version, and one record at least."""
    last: dict[str, int] = {}
    last_of_article: dict[str, int] = {}
    finished: set[str] = set()
    for n, rec in enumerate(records):
        if rec is None:
            continue
        last[identity_of(rec)] = n
        last_of_article[article_of(rec)] = n
        if not unfinished(rec):
            finished.add(article_of(rec))
    drop = set()
    for n, rec in enumerate(records):
        if rec is None:
            continue
        art = article_of(rec)
        if last[identity_of(rec)] != n or (unfinished(rec) and (art in finished or last_of_article[art] != n)):
            drop.add(n)
    return drop


def scan_output(path: Path) -> Existing:
    """Cut a torn last line and say what the complete records in the file are."""
    found = Existing()
    if not path.exists():
        return found
    records = [_parse(line) for line in _repair(path).decode("utf-8", errors="replace").splitlines()]
    for rec in records:
        if rec is None:
            continue  # a foreign or damaged line: leave it, redo that article
        key, ident = key_of(rec), identity_of(rec)
        found.records += 1
        found.identities.add(ident)
        found.latest[key] = has_transient_errors(rec)
        found.articles.add(article_of(rec))
        if unfinished(rec):
            found.unfinished.add(article_of(rec))
        if has_endpoint_errors(rec):
            found.endpoint_failed.add(key)
        else:
            found.endpoint_failed.discard(key)
    found.superseded = len(_dropped(records))
    return found


def repair_and_scan(path: Path) -> set[str]:
    """Cut a torn last line, return the keys of the complete records already in the file."""
    return set(scan_output(path).latest)


def compact(path: Path) -> int:
    """Keep only the last record of each article (see `_dropped`), atomically; returns how many
    were dropped. Foreign lines stay, but never as the first line: the guard knows a run file
    by its first line, and the next run must not refuse the tool's own output."""
    lines = _repair(path).splitlines(keepends=True)
    records = [_parse(line) for line in lines]
    drop = _dropped(records)
    if not drop:
        return 0
    kept = [n for n in range(len(lines)) if n not in drop]
    first = next((i for i, n in enumerate(kept) if records[n] is not None), None)
    if first:
        kept = [kept[first], *kept[:first], *kept[first + 1:]]
    write_whole(path, b"".join(lines[n] for n in kept))
    return len(drop)


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        if n <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[n:]


class JsonlWriter:
    """Appends records to `path`; with no path, prints them to stdout (`stdout=False`: drops them)."""

    def __init__(self, path: Path | None, stdout: bool = True):
        self.path = path
        self.stdout = stdout
        self._fd: int | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
            except OSError as exc:
                raise OutputError(f"cannot open output {path}: {exc.strerror or exc}") from exc

    def write(self, record: Record) -> None:
        line = json.dumps(record.model_dump(mode="json"), ensure_ascii=False) + "\n"
        if self._fd is None:
            if self.stdout:
                print(line, end="", flush=True)
            return
        start = os.fstat(self._fd).st_size
        try:
            _write_all(self._fd, line.encode("utf-8"))
            os.fsync(self._fd)
        except OSError as exc:
            # Undo the part written, so the file ends with a whole record. Cutting a file
            # needs no space, so this works on a full disk.
            with _suppress():
                os.ftruncate(self._fd, start)
                os.fsync(self._fd)
            raise OutputError(f"cannot write output {self.path}: {exc.strerror or exc}") from exc

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
