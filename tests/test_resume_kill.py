"""`extract run` survives SIGKILL and Ctrl-C: re-runs finish the batch with exactly one intact
record per article.

The batch runs as a real subprocess against the fake server of the tests (in this process,
no latency), is killed at seeded random points and restarted each time.
"""
from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from schemas import Record
from tests.fake_llm import write_pages

ROOT = Path(__file__).resolve().parent.parent
FILES, PER_FILE = 20, 50  # 1,000 articles, one request each
KILLS = 10


def _start(folder: Path, out: Path, base_url: str, env: dict, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "extract.cli", "run", str(folder), "-o", str(out), "--base-url", base_url,
           "--model", "fake", "--concurrency", "8", "--timeout", "10", *extra]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _lines(out: Path) -> int:
    try:
        return out.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _wait_for_lines(proc: subprocess.Popen, out: Path, n: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while _lines(out) < n:
        if proc.poll() is not None:
            return  # finished before the kill point
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no progress: {_lines(out)} lines, waiting for {n}")
        time.sleep(0.01)


def _check_output(out: Path, expected: int) -> list[dict]:
    records = []
    for n, line in enumerate(out.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            records.append(Record.model_validate_json(line).model_dump(mode="json"))
        except ValueError as exc:
            pytest.fail(f"line {n} of {out} is corrupt: {exc}")
    ids = Counter(r["article"]["id"] for r in records)
    dupes = {k: v for k, v in ids.items() if v > 1}
    assert not dupes, f"articles written more than once: {dupes}"
    assert len(ids) == expected
    return records


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "EXTRACT_CACHE_DIR": str(tmp_path / "cache"), "PYTHONUNBUFFERED": "1"}


def test_sigkill_at_random_points_then_resume(fake_llm, tmp_path, env):
    folder = tmp_path / "in"
    write_pages(folder, FILES, PER_FILE)
    out = tmp_path / "out.jsonl"
    rng = random.Random(20240219)
    total = FILES * PER_FILE
    kills = 0
    for k in range(KILLS):
        proc = _start(folder, out, fake_llm.base_url, env)
        _wait_for_lines(proc, out, _lines(out) + rng.randint(20, 80))
        time.sleep(rng.uniform(0, 0.02))  # land anywhere: mid-request, mid-write, mid-fsync
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        if k == KILLS // 2:
            with out.open("ab") as f:  # as if killed inside a write: a torn last line
                f.write(b'{"schema_version": "1", "article": {"id": "torn')
    assert kills == KILLS, "the batch finished before every kill point: raise FILES or PER_FILE"
    assert _lines(out) < total

    proc = _start(folder, out, fake_llm.base_url, env)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert f"articles: {total} " in stderr and "with errors 0" in stderr
    records = _check_output(out, total)
    assert all(len(r["targets"]) == 1 and not r["errors"] for r in records)
    # The answer cache took the kills too and is intact.
    db = sqlite3.connect(tmp_path / "cache" / "answers.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # An answer is stored before its record is written, so every record has its cached answer.
    assert db.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == total


def test_ctrl_c_stops_cleanly_and_says_what_is_left(fake_llm, tmp_path, env):
    folder = tmp_path / "in"
    write_pages(folder, 4, 50)
    out = tmp_path / "out.jsonl"
    fake_llm.latency = 0.2  # the batch lasts seconds, so the Ctrl-C surely lands inside it
    proc = _start(folder, out, fake_llm.base_url, env, "--no-cache")
    _wait_for_lines(proc, out, 30)
    assert proc.poll() is None, "finished before Ctrl-C"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert "Traceback" not in stderr, stderr
    records = _check_output(out, len(out.read_text(encoding="utf-8").splitlines()))
    left = 200 - len(records)
    said = re.search(r"interrupted: (\d+) articles left", stderr)
    assert said, stderr
    assert int(said.group(1)) == left, stderr

    fake_llm.latency = 0.0
    proc = _start(folder, out, fake_llm.base_url, env, "--no-cache")
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert f"already done {len(records)}" in stderr
    _check_output(out, 200)
