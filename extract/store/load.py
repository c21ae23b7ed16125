"""Loading run files into a database: one transaction per call, all or nothing per file.

Policy for bad input: every line of a file is validated; a file with any invalid line is
not loaded at all (its rows are rolled back to a savepoint) and each bad line is reported
with file and line number; the other files of the call are still loaded. Any exception
(database error, interruption) rolls the whole call back: the database stays as it was.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine

from extract.store import write
from extract.run.guard import DATABASE, guard_output
from extract.store.db import make_engine, resolve_url, sqlite_file
from extract.store.migrations import migrate
from extract.store.read import LineError, read_records

BATCH = 1000  # records per bulk write; bounds memory on large run files


@dataclass
class LoadReport:
    schema_version: int = 0
    files_loaded: list[str] = field(default_factory=list)
    files_rejected: list[str] = field(default_factory=list)
    records: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rejected(Exception):
    """Rolls the whole load back (strict: one bad line anywhere and nothing is written)."""


def load_files(db: str | Engine | None, paths: Iterable[str | Path], *, batch: int = BATCH,
               strict: bool = False, force: bool = False) -> LoadReport:
    """Load run files in one transaction; `db` is a URL, a path, None (./extractions.db) or an Engine.

    A file with a bad line is not loaded (its errors in the report); with `strict` nothing is:
    the whole transaction is rolled back (`extract load` does this). A SQLite file that is one
    of the inputs, or an existing file that is not a database of `extract load` (another
    program's database, a text file) raises `OutputRefused`, the latter unless `force`."""
    paths = [Path(p) for p in paths]
    file = None if isinstance(db, Engine) else sqlite_file(resolve_url(db))
    if file is not None:
        # As every command's output: never an input, never another program's file unless
        # `force`; the load is one transaction, so an existing database stays whole on failure.
        guard_output(file, paths, DATABASE, force=force)
    created = file is not None and not file.exists()
    try:
        report = _load(db, paths, batch=batch, strict=strict)
    except BaseException:
        _drop_new(file, created)
        raise
    if strict and report.files_rejected and not report.files_loaded:
        _drop_new(file, created)  # nothing loaded: no empty database left behind
    return report


def _drop_new(file: Path | None, created: bool) -> None:
    if created and file is not None:
        with contextlib.suppress(OSError):
            file.unlink()


def _load(db: str | Engine | None, paths: list[Path], *, batch: int, strict: bool) -> LoadReport:
    engine = db if isinstance(db, Engine) else make_engine(db)
    report = LoadReport()
    state = write.WriteState(now=datetime.now(UTC).replace(tzinfo=None))
    try:
        with engine.begin() as conn:
            report.schema_version = migrate(conn)
            for path in paths:
                _load_file(conn, Path(path), state, report, batch)
            if strict and report.errors:
                raise _Rejected
            write.finish(conn, state)
    except _Rejected:
        report.files_rejected += report.files_loaded
        report.files_loaded, report.records = [], 0
        state.inserted = state.replaced = state.unchanged = 0
    finally:
        if engine is not db:  # ours: close its pooled connections now, not at GC
            engine.dispose()
    report.inserted, report.replaced, report.unchanged = state.inserted, state.replaced, state.unchanged
    return report


def _load_file(conn: Connection, path: Path, state: write.WriteState, report: LoadReport, batch: int) -> None:
    errors: list[LineError] = []
    pending = []
    count = 0
    mark = state.checkpoint()
    with conn.begin_nested() as savepoint:
        for item in read_records(path):
            if isinstance(item, LineError):
                errors.append(item)
            elif not errors:  # after a bad line, keep validating only, to report them all
                pending.append(item[1])
                count += 1
                if len(pending) >= batch:
                    write.write_batch(conn, pending, state)
                    pending = []
        if errors:
            savepoint.rollback()
            state.restore(mark)
            report.errors += errors
            report.files_rejected.append(str(path))
            return
        if pending:
            write.write_batch(conn, pending, state)
    report.files_loaded.append(str(path))
    report.records += count
