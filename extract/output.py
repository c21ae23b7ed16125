"""JSON Lines output that survives crashes: one complete line per record or none.

Each record is appended, flushed and fsynced as soon as its article finishes. On restart a
torn last line (killed mid-write) is cut off, and the keys of complete records tell the batch
what is already done.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from schemas import Record


def record_key(sha256: str, index: int, prompt_version: str, model: str) -> str:
    return f"{sha256}:{index}:{prompt_version}:{model}"


def key_of(record: dict) -> str:
    a, r = record["article"], record["run"]
    return record_key(a["source_sha256"], a["index"], r["prompt_version"], r["model"])


def repair_and_scan(path: Path) -> set[str]:
    """Cut a torn last line, return the keys of the complete records already in the file."""
    if not path.exists():
        return set()
    with path.open("rb+") as f:
        data = f.read()
        if data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            f.truncate(cut)
            data = data[:cut]
    keys = set()
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            keys.add(key_of(json.loads(line)))
        except (ValueError, KeyError, TypeError):
            continue  # a foreign or damaged line: leave it, redo that article
    return keys


class JsonlWriter:
    """Appends records to `path`; with no path, prints them to stdout (`stdout=False`: drops them)."""

    def __init__(self, path: Path | None, stdout: bool = True):
        self.path = path
        self.stdout = stdout
        self._f = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._f = path.open("a", encoding="utf-8")

    def write(self, record: Record) -> None:
        line = json.dumps(record.model_dump(mode="json"), ensure_ascii=False) + "\n"
        if self._f is None:
            if self.stdout:
                print(line, end="", flush=True)
            return
        self._f.write(line)
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
