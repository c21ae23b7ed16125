"""Shared fixtures. Every test gets its own answer-cache folder, so no test reads or writes the
user's cache (~/.cache/cn-policy-extract) and no test sees another's answers."""
import pytest


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("EXTRACT_CACHE_DIR", str(folder))
    return folder
