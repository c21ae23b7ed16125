"""The misbehaving OpenAI-compatible server (benchmarks/fake_llm.py) as the `fake_llm` fixture."""
import pytest

from benchmarks.fake_llm import (  # noqa: F401 - re-exported for the tests
    RICH_ARTICLE, FakeLLM, extract_files, synthetic_page, write_pages,
)


@pytest.fixture
def fake_llm():
    server = FakeLLM().start()
    try:
        yield server
    finally:
        server.stop()
