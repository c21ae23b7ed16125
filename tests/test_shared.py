"""tests/shared.py: a test that reads ../shared is skipped, naming the missing path, where the
folder is absent, and fails under CI, where it must be present; EXTRACT_SHARED moves it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared import in_ci, require

ROOT = Path(__file__).resolve().parents[1]


def test_a_missing_path_skips_outside_ci_and_fails_under_it(tmp_path, monkeypatch):
    gone = tmp_path / "shared" / "corpus" / "articles"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=str(gone)):
        require(tmp_path, gone)
    monkeypatch.setenv("CI", "true")
    assert in_ci()
    with pytest.raises(pytest.fail.Exception, match=f"CI is set, and {gone}"):
        require(gone)
    require(tmp_path)  # present: nothing happens
    monkeypatch.setenv("CI", "false")
    assert not in_ci()


def test_extract_shared_names_the_folder(tmp_path):
    env = {**os.environ, "EXTRACT_SHARED": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", "from benchmarks.shared import CORPUS, CORPUS_GOLD; "
                          "print(CORPUS); print(CORPUS_GOLD)"], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == [str(tmp_path / "corpus" / "articles"), str(tmp_path / "gold" / "corpus.jsonl")]
