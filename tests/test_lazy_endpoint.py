"""The endpoint (the embedded server) starts on the first model call, once, and never when
every answer is already cached; a failed start is not retried by every call."""
import threading

import pytest

from tests.fake_llm import extract_files, synthetic_page


class Starter:
    def __init__(self, url: str, fail: bool = False):
        self.url, self.fail, self.calls = url, fail, 0
        self.lock = threading.Lock()

    def __call__(self) -> str:
        with self.lock:
            self.calls += 1
        if self.fail:
            raise RuntimeError("embedded server exited at start")
        return self.url


@pytest.fixture
def page(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text(synthetic_page(1, 8), encoding="utf-8")
    return p


def test_started_once_for_concurrent_calls_and_not_when_all_cached(fake_llm, page, tmp_path, cache_dir):
    start = Starter(fake_llm.base_url)
    common = dict(cache=cache_dir / "answers.sqlite", concurrency=4)
    summary, records = extract_files("http://127.0.0.1:9/v1", [page], tmp_path / "a.jsonl",
                                     start_endpoint=start, **common)
    assert start.calls == 1 and summary.requests == 8 and len(records) == 8
    again = Starter(fake_llm.base_url)
    summary, records = extract_files("http://127.0.0.1:9/v1", [page], tmp_path / "b.jsonl",
                                     start_endpoint=again, **common)
    assert again.calls == 0 and summary.requests == 0 and len(records) == 8


def test_failed_start_is_reported_once_per_call_without_retrying_the_start(page, tmp_path):
    start = Starter("unused", fail=True)
    summary, records = extract_files("http://127.0.0.1:9/v1", [page], tmp_path / "a.jsonl",
                                     start_endpoint=start, concurrency=4)
    assert start.calls == 1
    assert len(records) == 8 and all(r["errors"] for r in records)
    assert "embedded server exited at start" in records[0]["errors"][0]["message"]
