"""What the tests read from ../shared, the folder beside the checkout that holds what is not the
project's own and is never copied into the repository: the 37 corpus pages, their gold, the
hand-checked seed gold and the spec (benchmarks/shared.py; `EXTRACT_SHARED` names another folder).

A test that needs one of these paths is marked `@needs(path, …)` (a module: `pytestmark =
needs(…)`); a fixture calls `require(path, …)`. Where a path is missing the test is skipped with
a reason that names it; under CI (the `CI` variable set), where ../shared is always beside the
clone, it fails instead, so a CI set-up that lost the folder cannot pass by skipping."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.shared import CORPUS, CORPUS_GOLD, SEED_GOLD, SHARED, SPEC

__all__ = ["CORPUS", "CORPUS_GOLD", "SEED_GOLD", "SHARED", "SPEC", "in_ci", "needs", "require"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(*paths: Path) -> None:
    """Skip the running test (or fixture) when a path is absent, naming it; fail under CI."""
    __tracebackhide__ = True  # the skip is reported at the caller's line, not here
    gone = [p for p in paths if not Path(p).exists()]
    if not gone:
        return
    reason = (f"{gone[0]} not found: ../shared is not beside this checkout "
              f"(set EXTRACT_SHARED to the folder that holds corpus/ and gold/)")
    if in_ci():
        pytest.fail(f"CI is set, and {reason}", pytrace=False)
    pytest.skip(reason)


def needs(*paths: Path) -> pytest.MarkDecorator:
    """Mark a test as reading these paths; the autouse fixture in conftest.py calls `require`."""
    return pytest.mark.shared(*paths)
