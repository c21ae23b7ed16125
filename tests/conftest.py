"""Shared fixtures: `fake_llm` (tests/fake_llm.py over benchmarks/fake_llm.py) and a cache folder per test. Every test gets its own answer-cache folder, so no test reads or writes the
user's cache (~/.cache/cn-policy-extract) and no test sees another's answers."""
import pytest

from tests.fake_llm import fake_llm  # noqa: F401 - the misbehaving OpenAI server, for any test
from tests.shared import require


@pytest.fixture(autouse=True)
def shared_paths(request):
    """A test marked `@needs(path, …)` (tests/shared.py) is skipped, naming the path, when ../shared
    lacks it; under CI it fails."""
    for mark in request.node.iter_markers("shared"):
        require(*mark.args)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("EXTRACT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def ray_local():
    """One local Ray for the session's Ray tests (2 CPUs, as CI has), shut down at the end; the
    engine finds it started and leaves it running between tests."""
    ray = pytest.importorskip("ray", reason="the [ray] extra is not installed")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture
def fast_backoff(monkeypatch):
    """Transport retries wait 10 ms instead of up to 30 s (the CLI has no backoff option); a
    module opts in with `pytestmark = pytest.mark.usefixtures("fast_backoff")`."""
    from extract.llm.client import LLMClient
    monkeypatch.setattr(LLMClient, "_wait", lambda self, retry_state: 0.01)


@pytest.fixture
def page(tmp_path):
    """A made-up page of one article with four target clauses (a module may define its own)."""
    from tests.fake_llm import synthetic_page
    p = tmp_path / "page.txt"
    p.write_text(synthetic_page(1, 4), encoding="utf-8")
    return p
