"""The local answer cache: re-runs cost no requests, concurrent writers are safe, and anything
that changes the answer (prompt version, model, request) misses."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.llm.cache import AnswerCache, cache_key, default_path
from extract.cli import app
from extract.llm.client import LLMClient, LLMSettings
from schemas.llm import AnswerContext
from tests.fake_llm import extract_files, synthetic_page

ROOT = Path(__file__).resolve().parent.parent
TEXT = "区政府印发了【1】《关于加快发展数字经济的实施意见》，到2025年全区数字企业达到500家"
QUESTION = "到2025年，【1】全区规模以上工业企业力争达到500家\n\n问：【1】「全区规模以上工业企业力争达到500家」中的“500家”是为将来设定的目标吗？"




@pytest.fixture
def page(tmp_path):
    p = tmp_path / "in" / "page.txt"
    p.parent.mkdir()
    p.write_text(synthetic_page(1, 20), encoding="utf-8")
    return p


def _client(fake, cache, **kw) -> LLMClient:
    return LLMClient(LLMSettings(base_url=fake.base_url, model="fake", timeout_s=2, max_backoff_s=0.05,
                                 transport_attempts=2, cache=cache, **kw))


def test_second_run_makes_no_requests_and_is_fast(fake_llm, page, tmp_path):
    fake_llm.latency = 0.05
    db = tmp_path / "answers.sqlite"
    t0 = time.monotonic()
    first, rec1 = extract_files(fake_llm.base_url, [page], tmp_path / "one.jsonl", cache=db)
    t1 = time.monotonic()
    second, rec2 = extract_files(fake_llm.base_url, [page], tmp_path / "two.jsonl", cache=db)
    t2 = time.monotonic()
    assert fake_llm.requests["total"] == 20 and first.requests == 20
    assert second.requests == 0 and second.attempts == 0 and second.prompt_tokens == 0
    assert t2 - t1 < (t1 - t0) / 2
    strip = lambda rs: [{**r, "run": None} for r in rs]  # noqa: E731 - durations and usage differ
    assert strip(rec1) == strip(rec2)


def test_hit_shows_zero_requests(fake_llm, tmp_path):
    client = _client(fake_llm, tmp_path / "a.sqlite")
    answer, stats = client.ask("policies", TEXT, AnswerContext(ids={1}))
    assert (stats.requests, stats.cache_hits) == (1, 0) and stats.prompt_tokens > 0
    again, stats = client.ask("policies", TEXT, AnswerContext(ids={1}))
    assert again.model_dump() == answer.model_dump()
    assert (stats.attempts, stats.requests, stats.cache_hits, stats.prompt_tokens) == (0, 0, 1, 0)
    assert fake_llm.requests["total"] == 1
    assert (client.cache.hits, client.cache.misses, client.cache.stores) == (1, 1, 1)


def test_off_by_default(fake_llm, cache_dir):
    client = _client(fake_llm, None)
    client.ask("policies", TEXT, AnswerContext(ids={1}))
    client.ask("policies", TEXT, AnswerContext(ids={1}))
    assert client.cache is None and fake_llm.requests["total"] == 2
    assert not cache_dir.exists()
    assert LLMSettings().cache is None


@pytest.mark.parametrize("fault", ["503", "badjson", "schema", "length"])
def test_errors_are_never_stored(fake_llm, tmp_path, fault):
    client = _client(fake_llm, tmp_path / "a.sqlite")
    fake_llm.always(fault)
    with pytest.raises(Exception):
        client.ask("policies", TEXT, AnswerContext(ids={1}))
    assert client.cache.info()["entries"] == 0
    fake_llm.always(None)
    client.ask("policies", TEXT, AnswerContext(ids={1}))
    assert client.cache.info()["entries"] == 1


def test_an_entry_that_no_longer_validates_is_a_miss(fake_llm, tmp_path):
    client = _client(fake_llm, tmp_path / "a.sqlite")
    client.ask("policies", TEXT, AnswerContext(ids={1}))
    with sqlite3.connect(client.cache.path) as db:
        db.execute("UPDATE answers SET answer = ?", (json.dumps({"items": [{"id": 7}]}),))
    answer, stats = client.ask("policies", TEXT, AnswerContext(ids={1}))
    assert stats.requests == 1 and answer.items[0].id == 1


@pytest.mark.parametrize("fault", ["503", "badjson"])
def test_a_verdict_is_cached_and_a_failed_one_never(fake_llm, tmp_path, fault):
    # One clause's question (是/否 in one token): cached like any answer; a reply that is neither
    # (嗯) or a server error is an error and stores nothing.
    client = _client(fake_llm, tmp_path / "a.sqlite")
    fake_llm.always(fault)
    with pytest.raises(Exception):
        client.ask_verdict("targets", QUESTION)
    assert client.cache.info()["entries"] == 0
    fake_llm.always(None)
    verdict, stats = client.ask_verdict("targets", QUESTION)
    assert verdict.yes and (stats.requests, stats.cache_hits) == (1, 0)
    again, stats = client.ask_verdict("targets", QUESTION)
    assert again == verdict and (stats.requests, stats.cache_hits) == (0, 1)


def test_what_changes_the_answer_changes_the_key(fake_llm, tmp_path, monkeypatch):
    db = tmp_path / "a.sqlite"
    _client(fake_llm, db).ask("policies", TEXT, AnswerContext(ids={1}))
    _client(fake_llm, db).ask("policies", TEXT, AnswerContext(ids={1}))
    assert fake_llm.requests["total"] == 1
    for change in ({"model": "other"}, {"max_tokens": 100}, {"temperature": 0.5}, {"seed": 1}, {"mode": "json"}):
        settings = {"base_url": fake_llm.base_url, "model": "fake", "timeout_s": 2, "cache": db, **change}
        LLMClient(LLMSettings(**settings)).ask("policies", TEXT, AnswerContext(ids={1}))
    assert fake_llm.requests["total"] == 6
    _client(fake_llm, db).ask("policies", TEXT.replace("500", "600"), AnswerContext(ids={1}))
    assert fake_llm.requests["total"] == 7
    # A new version of this kind's prompt files or answer schema misses; another kind's does not.
    monkeypatch.setattr("extract.llm.client.kind_version", lambda kind: "0123456789ab")
    _client(fake_llm, db).ask("policies", TEXT, AnswerContext(ids={1}))
    assert fake_llm.requests["total"] == 8
    base = dict(endpoint="http://a/v1", model="m", mode="json_schema", prompt_version="p",
                schema={"type": "object"}, request={"messages": []})
    assert cache_key(**base) != cache_key(**{**base, "endpoint": "http://b/v1"})
    assert cache_key(**base) != cache_key(**{**base, "schema": {"type": "array"}})
    assert cache_key(**base) == cache_key(**{**base, "endpoint": "http://a/v1/"})


def test_a_kind_keys_on_its_own_prompt_files_only(tmp_path, monkeypatch):
    from extract.llm import prompting
    for name in ("targets.md", "meetings.md"):
        (tmp_path / name).write_text(f"prompt {name}", encoding="utf-8")
    monkeypatch.setattr(prompting, "PROMPTS_DIR", tmp_path)
    prompting.kind_version.cache_clear()
    before = {k: prompting.kind_version(k) for k in ("targets", "meetings")}
    (tmp_path / "meetings.md").write_text("an edited meetings prompt", encoding="utf-8")
    prompting.kind_version.cache_clear()
    after = {k: prompting.kind_version(k) for k in ("targets", "meetings")}
    prompting.kind_version.cache_clear()
    assert after["targets"] == before["targets"] and after["meetings"] != before["meetings"]


_WRITER = """
import sys
from extract.llm.cache import AnswerCache
c = AnswerCache(sys.argv[1])
for i in range(300):
    c.put(f"{sys.argv[2]}-{i}", kind="targets", model="m", prompt_version="p", answer={"items": [i]})
    assert c.get(f"{sys.argv[2]}-{i}")["answer"] == {"items": [i]}
"""


def test_concurrent_writers_threads_and_processes(tmp_path):
    path = tmp_path / "shared.sqlite"
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), f"proc{n}"], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True) for n in range(2)]
    cache = AnswerCache(path)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(150):
                cache.put(f"thread{n}-{i}", kind="targets", model="m", prompt_version="p",
                          answer={"items": [n, i]}, prompt_tokens=i)
                assert cache.get(f"thread{n}-{i}")["answer"] == {"items": [n, i]}
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    assert not errors and cache.errors == 0
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 8 * 150 + 2 * 300


def _run(args: list[str]):
    return CliRunner().invoke(app, args)


def test_cli_uses_cache_no_cache_bypasses_it(fake_llm, page, tmp_path, cache_dir):
    base = ["run", str(page), "--base-url", fake_llm.base_url, "--model", "fake", "--timeout", "5"]
    first = _run([*base, "-o", str(tmp_path / "a.jsonl")])
    assert first.exit_code == 0, first.output
    assert fake_llm.requests["total"] == 20
    assert "answer cache: 0 reused, 20 stored" in first.stderr
    assert (cache_dir / "answers.sqlite").exists()

    second = _run([*base, "-o", str(tmp_path / "b.jsonl")])
    assert second.exit_code == 0 and fake_llm.requests["total"] == 20
    assert "answer cache: 20 reused, 0 stored" in second.stderr

    bypass = _run([*base, "-o", str(tmp_path / "c.jsonl"), "--no-cache"])
    assert bypass.exit_code == 0 and fake_llm.requests["total"] == 40
    assert "answer cache" not in bypass.stderr
    assert AnswerCache().info()["entries"] == 20  # --no-cache stored nothing either


def test_cache_info_and_clear(fake_llm, tmp_path, cache_dir):
    client = _client(fake_llm, AnswerCache())
    client.ask("policies", TEXT, AnswerContext(ids={1}))
    assert default_path() == cache_dir / "answers.sqlite"
    info = _run(["cache", "info"])
    assert info.exit_code == 0
    assert f"path: {cache_dir / 'answers.sqlite'}" in info.stdout
    assert "entries: 1 (policies 1)" in info.stdout and "size: " in info.stdout
    cleared = _run(["cache", "clear"])
    assert cleared.exit_code == 0 and "cleared 1 answers" in cleared.stdout
    assert "entries: 0" in _run(["cache", "info"]).stdout
