"""A local cache of validated model answers in SQLite, so a re-run costs no model calls.

The key is a sha256 of everything that changes the answer: endpoint, model, instructor mode,
prompt version, the answer schema and the full request (messages, max_tokens, temperature,
seed). Only answers that passed validation are stored, never errors.

WAL mode lets readers and one writer at a time work together, across threads and processes;
each thread (and each forked process) gets its own connection, since a sqlite3 connection must
not be shared between them, and a busy timeout makes concurrent writers wait instead of fail.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from extract.llm.model_file import cache_dir

FILE_NAME = "answers.sqlite"
BUSY_TIMEOUT_S = 30.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    answer TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
)
"""


def default_path() -> Path:
    """<user cache dir>/answers.sqlite; EXTRACT_CACHE_DIR overrides the directory."""
    return cache_dir() / FILE_NAME


def cache_key(*, endpoint: str | None, model: str, mode: str, prompt_version: str,
              schema: dict, request: dict) -> str:
    payload = {"endpoint": (endpoint or "").rstrip("/"), "model": model, "mode": mode,
               "prompt_version": prompt_version, "schema": schema, "request": request}
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class AnswerCache:
    """`endpoint`, when given, stands for the endpoint in keys: the embedded engine gets a new
    port on every start, and its answers should still be found."""

    def __init__(self, path: str | os.PathLike[str] | None = None, endpoint: str | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.endpoint = endpoint
        self.hits = 0
        self.misses = 0
        self.stores = 0
        self.errors = 0  # a broken or locked cache costs a model call, never an article
        self._local = threading.local()
        self._count_lock = threading.Lock()

    # -- connections -------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        held = getattr(self._local, "conn", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=True)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # in WAL: no corruption, at worst the last answers lost
        conn.execute(_SCHEMA)
        self._local.conn = (os.getpid(), conn)
        return conn

    def close(self) -> None:
        held = getattr(self._local, "conn", None)
        if held is not None and held[0] == os.getpid():
            held[1].close()
        self._local.conn = None

    def _count(self, name: str) -> None:
        with self._count_lock:
            setattr(self, name, getattr(self, name) + 1)

    # -- answers -----------------------------------------------------------------------------

    def get(self, key: str) -> dict[str, Any] | None:
        """{"answer": <JSON>, "usage": {...}} or None."""
        try:
            row = self._conn().execute(
                "SELECT answer, prompt_tokens, completion_tokens FROM answers WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.Error:
            self._count("errors")
            row = None
        if row is None:
            self._count("misses")
            return None
        self._count("hits")
        return {"answer": json.loads(row[0]),
                "usage": {"prompt_tokens": row[1], "completion_tokens": row[2]}}

    def put(self, key: str, *, kind: str, model: str, prompt_version: str, answer: Any,
            prompt_tokens: int = 0, completion_tokens: int = 0) -> None:
        try:
            self._conn().execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, kind, model, prompt_version, json.dumps(answer, ensure_ascii=False),
                 prompt_tokens, completion_tokens, time.time()),
            )
        except sqlite3.Error:
            self._count("errors")
            return
        self._count("stores")

    def discard(self, key: str) -> None:
        try:
            self._conn().execute("DELETE FROM answers WHERE key = ?", (key,))
        except sqlite3.Error:
            self._count("errors")

    # -- maintenance -------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"path": str(self.path), "entries": 0, "bytes": 0, "by_kind": {}}
        conn = self._conn()
        entries = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        by_kind = dict(conn.execute("SELECT kind, COUNT(*) FROM answers GROUP BY kind ORDER BY kind"))
        size = sum(p.stat().st_size for p in self._files() if p.exists())
        return {"path": str(self.path), "entries": entries, "bytes": size, "by_kind": by_kind}

    def clear(self) -> int:
        """Delete every answer (other processes may keep using the file); returns how many."""
        if not self.path.exists():
            return 0
        conn = self._conn()
        n = conn.execute("DELETE FROM answers").rowcount
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        return n

    def _files(self) -> list[Path]:
        return [self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")]
