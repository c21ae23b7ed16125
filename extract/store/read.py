"""Reading run files: one validated `Record` per JSON line, or an error naming the line."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from schemas import SCHEMA_VERSION, Record


@dataclass(frozen=True)
class LineError:
    path: str
    line: int  # 1-based; 0 when the file itself could not be read
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def read_records(path: Path) -> Iterator[tuple[int, Record] | LineError]:
    """Yield (line number, record) per non-blank line, or a LineError for a bad one."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        yield LineError(str(path), 0, f"cannot read: {exc.strerror or exc}")
        return
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():  # blank lines (e.g. a trailing newline) hold no record
                    continue
                yield _parse(str(path), number, line)
        except UnicodeDecodeError as exc:
            yield LineError(str(path), 0, f"not UTF-8: {exc}")


def _parse(path: str, number: int, line: str) -> tuple[int, Record] | LineError:
    try:
        record = Record.model_validate_json(line)
    except ValidationError as exc:
        return LineError(path, number, _summary(exc))
    if record.schema_version != SCHEMA_VERSION:
        return LineError(
            path, number,
            f"schema_version {record.schema_version!r} is not supported (expected {SCHEMA_VERSION!r})",
        )
    return number, record


def _summary(exc: ValidationError, limit: int = 3) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:limit]:
        where = ".".join(str(p) for p in err["loc"])
        parts.append(f"{where}: {err['msg']}" if where else err["msg"])
    more = exc.error_count() - limit
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
